/**
 * Gate 4 (`checkMonitoring`) through its port with in-memory providers: each criterion
 * (credentials, signals, alerting) to every status, `require: any|all` combinations, and the rule
 * that a rejected monitoring key is FAIL while an unreachable provider is ERROR.
 */
import { checkMonitoring, combine, DEFAULT_ALERT_PATTERNS, type MonitoringCheckInput } from '../../../lambda/checks/monitoring/check';
import type { MonitoringProvider } from '../../../lambda/checks/monitoring/ports';
import { SettingRequiredError, SourceError } from '../../../lambda/core/errors';

/** A provider's refusal of its own key, as the adapters throw it. */
const keyRejected = (key: string, detail: string) => new SourceError('credentials', `${key} rejected: ${detail}`);
import type { GateOutcome, Status } from '../../../lambda/core/result';
import { fakeProvider, GOOD_RULES, rule, tenantIds, type FakeProviderSpec } from '../fakes/monitoring';

const NOW = new Date('2024-06-02T12:00:00Z');
const signal = new AbortController().signal;

function run(providers: MonitoringProvider[], over: Partial<MonitoringCheckInput> = {}): Promise<GateOutcome> {
  return checkMonitoring({
    providers,
    require: 'any',
    minTenants: 10,
    signalWindowMinutes: 15,
    tenantWindowHours: 24,
    alertPatterns: DEFAULT_ALERT_PATTERNS,
    now: NOW,
    signal,
    ...over,
  });
}
const one = (spec: FakeProviderSpec = {}, over: Partial<MonitoringCheckInput> = {}) => run([fakeProvider(spec)], over);

const byId = (o: GateOutcome, id: string) => {
  const c = o.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id} in ${o.criteria.map((x) => x.id).join(', ')}`);
  return c;
};
const statuses = (o: GateOutcome) => Object.fromEntries(o.criteria.map((c) => [c.id, c.status]));

const rejected = () => keyRejected('Datadog API key', 'Datadog answered HTTP 403 (GET /api/v1/validate)');
const unreachable = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: 'api.datadoghq.com', port: 443 });
const newRelic = (spec: FakeProviderSpec = {}) => fakeProvider({ id: 'newrelic', label: 'New Relic (account 1)', ...spec });

describe('checkMonitoring: one provider', () => {
  it('PASSes a live integration, with the three criteria, measurements and evidence', async () => {
    const out = await one();
    expect(statuses(out)).toEqual({ 'datadog.credentials': 'PASS', 'datadog.signals': 'PASS', 'datadog.alerting': 'PASS' });
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('monitoring live in Datadog (datadoghq.com)');
    expect(out.remediation).toBeUndefined();
    expect(out.evidence).toEqual(['require: any (Datadog (datadoghq.com) PASS)', 'signals window 15 min, tenant window 24 h, minTenants 10']);
    expect(out.measurements[0]).toEqual({ name: 'signalsFlowing', value: 3, unit: 'signals', threshold: '= 3' });
    expect(out.measurements[1]).toEqual({ name: 'liveProviders', value: 1, unit: 'providers', threshold: '>= 1' });
    expect(out.measurements.map((m) => m.name)).toEqual([
      'signalsFlowing',
      'liveProviders',
      'datadog.latencySamples',
      'datadog.errorsSamples',
      'datadog.throughputSamples',
      'datadog.signalsFlowing',
      'datadog.tenantsMonitored',
      'datadog.errorsAlerts',
      'datadog.latencyAlerts',
    ]);
  });

  it('reads signals over the recent window and tenants over the long one, both ending now', async () => {
    const p = fakeProvider();
    await run([p], { signalWindowMinutes: 5, tenantWindowHours: 48 });
    expect(p.windows.signals).toEqual([{ from: new Date('2024-06-02T11:55:00Z'), to: NOW }]);
    expect(p.windows.tenants).toEqual([{ from: new Date('2024-05-31T12:00:00Z'), to: NOW }]);
  });

  it('reports progress per provider', async () => {
    const progress: string[] = [];
    await one({}, { progress: (m) => progress.push(m) });
    expect(progress).toEqual(['Datadog (datadoghq.com): checking credentials', 'Datadog (datadoghq.com): reading signals and alert rules']);
  });
});

describe('criterion <provider>.credentials: a rejected key is FAIL, an unreachable provider is ERROR', () => {
  it('PASS carries the evidence the provider returned', async () => {
    const c = byId(await one(), 'datadog.credentials');
    expect(c).toMatchObject({
      status: 'PASS',
      summary: 'credentials accepted',
      evidence: ['key of ops@example.com'],
      title: 'Datadog (datadoghq.com): API key valid',
    });
  });

  it('a rejected key FAILs the gate; the other criteria are "not evaluated" and nothing else is asked', async () => {
    const p = fakeProvider({ credentials: rejected() });
    const out = await run([p]);
    expect(statuses(out)).toEqual({ 'datadog.credentials': 'FAIL', 'datadog.signals': 'ERROR', 'datadog.alerting': 'ERROR' });
    expect(byId(out, 'datadog.credentials').summary).toBe('Datadog API key rejected: Datadog answered HTTP 403 (GET /api/v1/validate)');
    expect(byId(out, 'datadog.signals').summary).toBe('not evaluated: no signal was read, as the credentials check did not pass');
    expect(out.status).toBe('FAIL');
    expect(out.summary).toBe('Datadog (datadoghq.com): Datadog API key rejected: Datadog answered HTTP 403 (GET /api/v1/validate)');
    expect(out.remediation).toMatch(/^Issue a valid key for Datadog \(datadoghq\.com\)/);
    expect(p.calls).toEqual(['credentials']);
  });

  it('an unreachable provider is ERROR naming the cause; the other criteria are "not evaluated"', async () => {
    const out = await one({ credentials: unreachable() });
    expect(statuses(out)).toEqual({ 'datadog.credentials': 'ERROR', 'datadog.signals': 'ERROR', 'datadog.alerting': 'ERROR' });
    expect(byId(out, 'datadog.credentials').summary).toBe('connection refused to api.datadoghq.com:443 (ECONNREFUSED)');
    expect(byId(out, 'datadog.alerting').summary).toBe('not evaluated: no alert rule was read either');
    expect(out.status).toBe('ERROR');
    expect(out.remediation).toMatch(/reachable from where the check runs/);
  });

  it('a setting the provider needs makes the credentials SKIP', async () => {
    const c = byId(
      await one({ credentials: new SettingRequiredError('gates.monitoring.newrelic.appName', 'several apps report; name the production one') }),
      'datadog.credentials',
    );
    expect(c).toMatchObject({
      status: 'SKIP',
      summary: 'not configured: several apps report; name the production one',
      remediation: 'Set gates.monitoring.newrelic.appName.',
    });
  });
});

describe('criterion <provider>.signals: latency, errors and throughput flowing per tenant', () => {
  const signals = async (spec: FakeProviderSpec, over: Partial<MonitoringCheckInput> = {}) => byId(await one(spec, over), 'datadog.signals');

  it('PASSes with data for all three and ≥ minTenants tenants, with evidence per signal', async () => {
    const c = await signals({ signals: { latency: { samples: 4, lastAt: new Date('2024-06-02T11:58:00Z') } } });
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('latency, errors and throughput flowing; 12 tenants monitored by tag tenant_id');
    expect(c.evidence![0]).toBe('latency: 4 datapoints in the last 15 min, newest 2 min ago — avg:latency{env:prod}');
    expect(c.evidence![3]).toBe(
      'tenants: 12 distinct by tag tenant_id over 24 h (tenant-1, tenant-2, tenant-3, tenant-4, tenant-5, tenant-6, tenant-7, tenant-8, tenant-9, tenant-10 … (12 in total)); all 12 in monitoring-tenants-datadog.txt (written with --out) — hits by {tenant_id}',
    );
    expect(c.measurements).toContainEqual({ name: 'datadog.tenantsMonitored', value: 12, unit: 'tenants', threshold: '>= 10' });
    expect(c.measurements).toContainEqual({ name: 'datadog.latencySamples', value: 4, unit: 'datapoints', threshold: '> 0' });
  });

  it('zero signals measured never PASSes: FAIL naming all three', async () => {
    const c = await signals({ signals: { latency: 0, errors: 0, throughput: 0 } });
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('no latency, errors, throughput data in the last 15 min');
    expect(c.remediation).toBe(
      'Send latency, errors, throughput to Datadog (datadoghq.com) (instrument the service, or point the latency/errors/throughput query at the metric you use).',
    );
  });

  it('names the one signal without data', async () => {
    const c = await signals({ signals: { latency: 0 } });
    expect(c.summary).toBe('no latency data in the last 15 min');
  });

  it('a count written only when non-zero is a measured 0 while throughput flows', async () => {
    const c = await signals({ signals: { errors: { samples: 0, absentMeansZero: true } } });
    expect(c.status).toBe('PASS');
    expect(c.evidence![1]).toBe('errors: 0 datapoints in the last 15 min (counted only when non-zero; throughput flowing, so 0 errors) — avg:errors{env:prod}');
  });

  it('…but missing when throughput has no data either', async () => {
    const c = await signals({ signals: { errors: { samples: 0, absentMeansZero: true }, throughput: 0 } });
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('no errors, throughput data in the last 15 min');
  });

  it('throughput itself is never a measured zero', async () => {
    const c = await signals({ signals: { throughput: { samples: 0, absentMeansZero: true } } });
    expect(c.summary).toBe('no throughput data in the last 15 min');
  });

  it('events count as data like datapoints (New Relic)', async () => {
    const c = await signals({ signals: { latency: { samples: 1, unit: 'events' } } });
    expect(c.status).toBe('PASS');
    expect(c.evidence![0]).toMatch(/^latency: 1 events in the last 15 min/);
  });

  it('PASSes exactly at minTenants', async () => {
    expect((await signals({ tenants: tenantIds(10) })).status).toBe('PASS');
  });

  it('FAILs one tenant below minTenants, naming count and threshold', async () => {
    const c = await signals({ tenants: tenantIds(9) });
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('throughput by tag tenant_id shows only 9 tenants over 24 h, need ≥ 10');
    expect(c.remediation).toBe('Tag every request metric with the tenant (tag tenant_id) so monitoring sees tenants, not just the service.');
  });

  it('FAILs when throughput has no tenant breakdown at all, even with minTenants 1', async () => {
    const c = await signals({ tenants: [], by: 'span tag @tenant_id' }, { minTenants: 1 });
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('throughput has no breakdown by span tag @tenant_id over 24 h (tenants not tagged)');
    expect(c.evidence![3]).toBe('tenants: 0 distinct by span tag @tenant_id over 24 h — hits by {tenant_id}');
  });

  it('names missing signals and missing tenants together, with both fixes', async () => {
    const c = await signals({ signals: { latency: 0 }, tenants: tenantIds(3) });
    expect(c.summary).toBe('no latency data in the last 15 min; throughput by tag tenant_id shows only 3 tenants over 24 h, need ≥ 10');
    expect(c.remediation).toMatch(/^Send latency to .*\. Tag every request metric/);
  });

  it('a newest point stamped in the future is 0 min old', async () => {
    const c = await signals({ signals: { latency: { samples: 1, lastAt: new Date('2024-06-02T12:05:00Z') } } });
    expect(c.evidence![0]).toContain('newest 0 min ago');
  });

  it('a rejected key on the signal queries is FAIL, an unreachable query ERROR, a missing setting SKIP', async () => {
    expect(await signals({ signals: rejected() })).toMatchObject({ status: 'FAIL', summary: expect.stringMatching(/^Datadog API key rejected: /) });
    const err = await signals({ tenants: new Error('Datadog answered HTTP 400: invalid query') });
    expect(err).toMatchObject({ status: 'ERROR', summary: 'Datadog answered HTTP 400: invalid query' });
    expect(err.remediation).toMatch(/Check the Datadog \(datadoghq\.com\) queries/);
    const skip = await signals({ signals: new SettingRequiredError('NEW_RELIC_APP_NAME or gates.monitoring.newrelic.appName', 'several apps report') });
    expect(skip).toMatchObject({ status: 'SKIP', summary: 'not configured: several apps report' });
  });

  it('a provider whose only open criterion needs a setting is SKIP, not PASS', async () => {
    const out = await one({ signals: new SettingRequiredError('X', 'name the app') });
    expect(out.status).toBe('SKIP');
    expect(out.summary).toBe('Datadog (datadoghq.com): not configured: name the app');
    expect(out.remediation).toBe('Set X.');
  });
});

describe('criterion <provider>.alerting: enabled, unmuted error and latency alerts with a target', () => {
  const alerting = async (rules: FakeProviderSpec['rules'], over: Partial<MonitoringCheckInput> = {}) => byId(await one({ rules }, over), 'datadog.alerting');

  it('PASSes with one good rule per signal, naming them and where they notify', async () => {
    const c = await alerting(GOOD_RULES);
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('error and latency alerts enabled, unmuted and notifying');
    expect(c.evidence).toEqual([
      '2 alert rules read',
      'errors: "API 5xx error rate" [OK] → @pagerduty-oncall',
      'latency: "API p95 latency" → @pagerduty-oncall',
    ]);
    expect(c.measurements).toEqual([
      { name: 'datadog.errorsAlerts', value: 1, unit: 'rules', threshold: '>= 1' },
      { name: 'datadog.latencyAlerts', value: 1, unit: 'rules', threshold: '>= 1' },
    ]);
  });

  it('FAILs with no rules at all, naming both signals', async () => {
    const c = await alerting([]);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('no alert rule covers errors; no alert rule covers latency');
    expect(c.remediation).toMatch(/keep at least one enabled, unmuted alert on errors and one on latency/);
  });

  it.each([
    ['disabled', { enabled: false }, '"API 5xx error rate" disabled'],
    ['muted', { mutedBy: 'downtime 42' }, '"API 5xx error rate" muted (downtime 42)'],
    ['without a target', { notifies: [] }, '"API 5xx error rate" has no notification target'],
    [
      'without a target, with the reason',
      { notifies: [], noTargetReason: 'workflow disabled' },
      '"API 5xx error rate" has no notification target (workflow disabled)',
    ],
  ])('FAILs when the only error rule is %s', async (_why, over, why) => {
    const c = await alerting([rule('API 5xx error rate', over), rule('API p95 latency')]);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe(`no usable errors alert: ${why}`);
    expect(c.measurements).toContainEqual({ name: 'datadog.errorsAlerts', value: 0, unit: 'rules', threshold: '>= 1' });
  });

  it('a disabled rule that is also muted reads as disabled', async () => {
    const c = await alerting([rule('errors', { enabled: false, mutedBy: 'x' }), rule('latency')]);
    expect(c.summary).toBe('no usable errors alert: "errors" disabled');
  });

  it('one good rule among unusable ones is enough', async () => {
    const c = await alerting([
      rule('Errors (old)', { enabled: false }),
      rule('Errors', { notifies: ['@slack-ops', '@team-a', '@team-b', '@team-c'] }),
      rule('latency'),
    ]);
    expect(c.status).toBe('PASS');
    expect(c.evidence).toContain('errors: "Errors" → @slack-ops, @team-a, @team-b … (4 in total)');
  });

  it('matches the rule query as well as its name, case-insensitively', async () => {
    const c = await alerting([rule('Checkout', { query: 'avg(last_5m):avg:trace.http.request.DURATION{env:prod} > 2' }), rule('HTTP 5XX')]);
    expect(c.status).toBe('PASS');
  });

  it('one rule may cover both signals', async () => {
    const c = await alerting([rule('Errors and latency SLO')]);
    expect(c.status).toBe('PASS');
  });

  it('uses the configured alert patterns instead of the defaults', async () => {
    const patterns = { errors: 'oops', latency: 'sluggish' };
    expect((await alerting(GOOD_RULES, { alertPatterns: patterns })).summary).toBe('no alert rule covers errors; no alert rule covers latency');
    expect((await alerting([rule('oops count'), rule('sluggish pages')], { alertPatterns: patterns })).status).toBe('PASS');
  });

  it('lists at most three unusable rules per signal, then the total', async () => {
    const rules = [1, 2, 3, 4].map((i) => rule(`error ${i}`, { enabled: false }));
    const c = await alerting([...rules, rule('latency')]);
    expect(c.summary).toBe('no usable errors alert: "error 1" disabled, "error 2" disabled, "error 3" disabled … (4 in total)');
  });

  it('rules that cannot be read: ERROR; a key refused on reading them: FAIL', async () => {
    const err = await alerting(new Error('HTTP 500'));
    expect(err).toMatchObject({ status: 'ERROR', summary: 'HTTP 500' });
    expect(err.remediation).toMatch(/may read alert rules/);
    expect((await alerting(keyRejected('Datadog application key', 'HTTP 403'))).status).toBe('FAIL');
  });
});

describe('require: any | all', () => {
  const dd = (spec: FakeProviderSpec = {}) => fakeProvider(spec);

  it('any: one live provider is enough; the other is reported and named as not needed', async () => {
    const out = await run([dd(), newRelic({ credentials: keyRejected('New Relic API key', 'BAD_API_KEY') })]);
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('monitoring live in Datadog (datadoghq.com); not live (require: any, so not needed): New Relic (account 1) FAIL');
    expect(out.criteria.map((c) => c.id)).toEqual([
      'datadog.credentials',
      'datadog.signals',
      'datadog.alerting',
      'newrelic.credentials',
      'newrelic.signals',
      'newrelic.alerting',
    ]);
    expect(out.remediation).toBeUndefined();
    expect(out.evidence[0]).toBe('require: any (Datadog (datadoghq.com) PASS, New Relic (account 1) FAIL)');
  });

  it('any: a FAIL and an unreachable provider is ERROR (the unreachable one might be live)', async () => {
    const out = await run([dd({ credentials: rejected() }), newRelic({ credentials: unreachable() })]);
    expect(out.status).toBe('ERROR');
    expect(out.summary).toMatch(/^New Relic \(account 1\): connection refused/);
    expect(out.summary).not.toContain('Datadog');
  });

  it('any: every provider measured a failure: FAIL, each named', async () => {
    const out = await run([dd({ credentials: rejected() }), newRelic({ tenants: [] })]);
    expect(out.status).toBe('FAIL');
    expect(out.summary).toBe(
      'Datadog (datadoghq.com): Datadog API key rejected: Datadog answered HTTP 403 (GET /api/v1/validate) | New Relic (account 1): throughput has no breakdown by tag tenant_id over 24 h (tenants not tagged)',
    );
  });

  it('all: every provider must be live; the failing one decides the summary', async () => {
    const out = await run([dd(), newRelic({ rules: [] })], { require: 'all' });
    expect(out.status).toBe('FAIL');
    expect(out.summary).toBe('New Relic (account 1): no alert rule covers errors; no alert rule covers latency');
    expect(out.measurements.find((m) => m.name === 'liveProviders')).toEqual({ name: 'liveProviders', value: 1, unit: 'providers', threshold: '= 2' });
  });

  it('all: a live and an unreachable provider is ERROR', async () => {
    expect((await run([dd(), newRelic({ credentials: unreachable() })], { require: 'all' })).status).toBe('ERROR');
  });

  it('all: both live is PASS, naming both', async () => {
    const out = await run([dd(), newRelic()], { require: 'all' });
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('monitoring live in Datadog (datadoghq.com) and New Relic (account 1)');
  });

  it('all: a live provider and one that needs a setting is SKIP, not PASS', async () => {
    const out = await run([dd(), newRelic({ rules: new SettingRequiredError('appName', 'name the app') })], { require: 'all' });
    expect(out.status).toBe('SKIP');
  });

  it('the same remediation of two providers is given once', async () => {
    const out = await run([dd({ tenants: tenantIds(2) }), newRelic({ tenants: tenantIds(2) })], { require: 'all' });
    expect(out.remediation).toBe('Tag every request metric with the tenant (tag tenant_id) so monitoring sees tenants, not just the service.');
  });
});

describe('combine: statuses of providers under any / all', () => {
  const cases: [Status[], 'any' | 'all', Status][] = [
    [['PASS', 'SKIP'], 'any', 'PASS'],
    [['PASS', 'SKIP'], 'all', 'SKIP'],
    [['SKIP', 'SKIP'], 'any', 'SKIP'],
    [['SKIP', 'SKIP'], 'all', 'SKIP'],
    [['SKIP', 'FAIL'], 'any', 'FAIL'],
    [['SKIP', 'ERROR'], 'any', 'ERROR'],
    [['ERROR', 'ERROR'], 'any', 'ERROR'],
    [['PASS'], 'all', 'PASS'],
    [['FAIL'], 'any', 'FAIL'],
    [[], 'all', 'ERROR'],
  ];
  it.each(cases)('%j under %s is %s', (statuses, require, expected) => {
    expect(combine(statuses, require)).toBe(expected);
  });
});

describe('messages that name the cause once', () => {
  it('no provider at all: ERROR saying so, never an empty summary', async () => {
    const out = await run([]);
    expect(out).toMatchObject({ status: 'ERROR', summary: 'no monitoring provider to evaluate' });
  });

  it('a credentials check that needs a setting: the others are SKIP naming it, not ERROR "could not complete"', async () => {
    const out = await one({ credentials: new SettingRequiredError('DD_ENV', 'set DD_ENV to the production env') });
    expect(statuses(out)).toEqual({ 'datadog.credentials': 'SKIP', 'datadog.signals': 'SKIP', 'datadog.alerting': 'SKIP' });
    expect(byId(out, 'datadog.signals').summary).toBe('not evaluated: no signal was read, as the credentials check was skipped');
    expect(out.status).toBe('SKIP');
  });

  it('an unverifiable key is named once in the gate summary, without the "not evaluated" repeats', async () => {
    const out = await one({ credentials: unreachable() });
    expect(out.summary).toBe('Datadog (datadoghq.com): connection refused to api.datadoghq.com:443 (ECONNREFUSED)');
  });
});
