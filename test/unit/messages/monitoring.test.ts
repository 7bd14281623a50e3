/** Gate 4 messages: the cause said once, fix lines in the provider's terms, values not called events, the full tenant list in an artifact. */
import { checkMonitoring, DEFAULT_ALERT_PATTERNS, type MonitoringCheckInput } from '../../../lambda/checks/monitoring/check';
import { SourceError } from '../../../lambda/core/errors';
import type { GateOutcome } from '../../../lambda/core/result';
import { fakeProvider, tenantIds, type FakeProviderSpec } from '../fakes/monitoring';

const signal = new AbortController().signal;
const one = (spec: FakeProviderSpec = {}, over: Partial<MonitoringCheckInput> = {}): Promise<GateOutcome> =>
  checkMonitoring({
    providers: [fakeProvider(spec)],
    require: 'any',
    minTenants: 10,
    signalWindowMinutes: 15,
    tenantWindowHours: 24,
    alertPatterns: DEFAULT_ALERT_PATTERNS,
    now: new Date('2024-06-02T12:00:00Z'),
    signal,
    ...over,
  });
const byId = (o: GateOutcome, id: string) => o.criteria.find((c) => c.id === id)!;

describe('gate 4: a credentials problem is stated once', () => {
  it('a rejected key: the two criteria it blocks say what was not read, not the cause again', async () => {
    const out = await one({ credentials: new SourceError('credentials', 'Datadog API key rejected: Datadog answered HTTP 403 "Forbidden"') });
    const summaries = out.criteria.map((c) => c.summary);
    expect(summaries).toEqual([
      'Datadog API key rejected: Datadog answered HTTP 403 "Forbidden"',
      'not evaluated: no signal was read, as the credentials check did not pass',
      'not evaluated: no alert rule was read either',
    ]);
    expect(summaries.join('\n').match(/rejected/g)).toHaveLength(1);
    expect(out.summary).toBe('Datadog (datadoghq.com): Datadog API key rejected: Datadog answered HTTP 403 "Forbidden"');
  });

  it('an unreachable provider: the fix names the access in its own terms, IAM only where the provider is AWS', async () => {
    const dd = await one({
      credentials: new SourceError('unreachable', 'Datadog unreachable'),
      access: 'the application key has the read scopes the gate uses (monitors_read, timeseries_query, apm_read)',
    });
    expect(dd.remediation).toBe(
      'Check that Datadog (datadoghq.com) is reachable from where the check runs and that the application key has the read scopes the gate uses (monitors_read, timeseries_query, apm_read).',
    );
    expect(dd.remediation).not.toMatch(/IAM/);
    const cw = await one({
      id: 'cloudwatch',
      label: 'CloudWatch (eu-west-1)',
      credentials: new SourceError('unreachable', 'CloudWatch unreachable'),
      access: "the runner's IAM identity allows cloudwatch:GetMetricData",
    });
    expect(cw.remediation).toMatch(/IAM identity allows cloudwatch:GetMetricData/);
  });
});

describe('gate 4 evidence', () => {
  it('a value that is not a count is not called events', async () => {
    const out = await one({ signals: { latency: { samples: 0.42, unit: 'value', valueName: 'average.duration' } } });
    expect(byId(out, 'datadog.signals').evidence![0]).toMatch(/^latency: average\.duration 0\.42 in the last 15 min/);
    expect(byId(out, 'datadog.signals').evidence![0]).not.toMatch(/events/);
  });

  it('more than 10 tenants: the evidence names the first 10 and the artifact holds them all', async () => {
    const out = await one({ tenants: tenantIds(14) });
    const line = byId(out, 'datadog.signals').evidence!.find((e) => e.startsWith('tenants: '))!;
    expect(line).toMatch(/tenant-10 … \(14 in total\)\); all 14 in monitoring-tenants-datadog\.txt \(written with --out\) — /);
    expect(out.artifacts).toEqual([
      {
        name: 'monitoring-tenants-datadog.txt',
        contentType: 'text/plain',
        content: `# 14 tenants seen by tag tenant_id\n${tenantIds(14).join('\n')}\n`,
      },
    ]);
    expect((await one({ tenants: tenantIds(10) })).artifacts).toBeUndefined();
  });
});

describe('gate 4 alerting', () => {
  it('a rule routed only by a disabled workflow is reported as disabled, not as having no target', async () => {
    const rules = [
      { id: '1', name: 'API 5xx error rate', query: '', enabled: true, notifies: [], disabledRoute: 'workflow "Prod to PagerDuty"' },
      { id: '2', name: 'API p95 latency', query: '', enabled: true, notifies: ['@pagerduty'] },
    ];
    const out = await one({ rules });
    expect(byId(out, 'datadog.alerting').summary).toBe(
      'no usable errors alert: "API 5xx error rate" would notify through workflow "Prod to PagerDuty", which is disabled',
    );
  });
});

describe('gate 4 zero-config fix lines', () => {
  it('name the env vars the default queries come from, not gates.monitoring', async () => {
    const err = new SourceError('malformed', 'Datadog rejected the query');
    const zero = await one({ signals: err }, { zeroConfigEnv: { datadog: 'DD_ENV (and DD_SERVICE, SAAS_READINESS_TENANT_TAG)' } });
    expect(byId(zero, 'datadog.signals').remediation).toBe(
      'The default Datadog (datadoghq.com) queries are built from DD_ENV (and DD_SERVICE, SAAS_READINESS_TENANT_TAG): check that they name production; for queries of your own, write them in a readiness.yaml (saas-readiness init).',
    );
    expect(zero.remediation).not.toMatch(/gates\.monitoring/);
    const file = await one({ signals: err });
    expect(byId(file, 'datadog.signals').remediation).toMatch(/queries in gates\.monitoring/);
  });
});

describe('gate 4 PASS names what it left out', () => {
  it('monitors of another env are not counted, and the PASS says which and why', async () => {
    const good = [
      { id: '1', name: 'API 5xx error rate', query: '', enabled: true, notifies: ['@pagerduty'] },
      { id: '2', name: 'API p95 latency', query: '', enabled: true, notifies: ['@pagerduty'] },
    ];
    const staging = { id: '3', name: 'Staging error rate', query: '', enabled: false, notifies: [], excluded: 'does not watch env:prod' };
    const out = await one({ rules: [...good, staging] });
    const alerting = byId(out, 'datadog.alerting');
    expect(alerting.status).toBe('PASS');
    expect(alerting.summary).toBe('error and latency alerts enabled, unmuted and notifying; not counted: "Staging error rate" (does not watch env:prod)');
    expect(alerting.evidence![0]).toBe('2 alert rules read');
  });
});
