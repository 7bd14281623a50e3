import { healthyDatadog, startDatadog, type DatadogOrg } from '../standins/datadog';
import { datadogYaml, runExpectingUsage, runMonitoring } from './harness';
import { startLocalServer, tenantIds, type LocalServer } from '../standins/local-server';
import { datadogApiUrl } from '../../lambda/sources/datadog/monitoring';

describe('gate monitoring: Datadog against the contract stand-in', () => {
  let org: DatadogOrg;
  let server: LocalServer;
  beforeAll(async () => {
    org = healthyDatadog();
    server = await startDatadog(org);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(org, healthyDatadog()));

  const env = (over: NodeJS.ProcessEnv = {}) => ({ DATADOG_API_KEY: org.apiKey, DATADOG_APP_KEY: org.appKey, DD_URL: server.url, ...over });
  const prod = () => org.services[0];
  const monitor = (id: number) => org.monitors.find((m) => m.id === id) as Record<string, unknown>;
  const sent = () => server.requests.map((q) => decodeURIComponent(q.path.replace(/\+/g, ' ')) + (q.body ? ` ${q.body}` : ''));

  test('a healthy setup as Datadog documents it: PASS on the defaults', async () => {
    const before = server.requests.length;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.run.code).toBe(0);
    expect(r.criterion('datadog.credentials').status).toBe('PASS');
    const signals = r.criterion('datadog.signals');
    expect(signals.summary).toBe('latency, errors and throughput flowing; 12 tenants monitored by span tag @tenant_id');
    const evidence = signals.evidence!.join('\n');
    expect(evidence).toContain('throughput: 15 datapoints in the last 15 min');
    expect(evidence).toContain('sum:trace.express.request.hits{env:prod}.as_count()');
    expect(evidence).toMatch(/errors: 0 datapoints in the last 15 min \(counted only when non-zero; throughput flowing, so 0 errors\)/);
    const alerting = r.criterion('datadog.alerting');
    expect(alerting.status).toBe('PASS');
    expect(alerting.evidence!.join('\n')).toContain(
      'errors: "Service api has a high error rate on env:prod" [OK] → @pagerduty-sre, @pagerduty-api-oncall, @slack-api-alerts',
    );
    expect(alerting.evidence!.join('\n')).toContain(
      'latency: "Service api has a high p95 latency on env:prod" [OK] → @pagerduty-api-oncall, @slack-api-alerts',
    );
    expect(alerting.evidence!.join('\n')).toContain('2 alert rules read');
    const requests = sent().slice(before);
    expect(requests.some((p) => p.includes('trace.http.request'))).toBe(false);
    expect(requests.some((p) => /trace\.[^ ]* by \{/.test(p))).toBe(false);
    // Keys travel in headers, never in the URL.
    expect(server.requests.every((q) => !q.path.includes(org.apiKey) && !q.path.includes(org.appKey))).toBe(true);
  });

  test('per-tenant breakdown: from spans grouped by the tenant attribute, not from trace metrics that cannot carry it', async () => {
    const r = await runMonitoring(datadogYaml(), env());
    const spansCall = server.requests.filter((q) => q.path === '/api/v2/spans/analytics/aggregate').pop()!;
    expect(JSON.parse(spansCall.body).data.attributes).toMatchObject({ filter: { query: 'env:prod' }, group_by: [{ facet: '@tenant_id', limit: 10_000 }] });
    expect(r.criterion('datadog.signals').evidence!.join('\n')).toContain('tenants: 12 distinct by span tag @tenant_id over 24 h (tenant-01');
  });

  test('spans without the tenant attribute: FAIL naming the span tag to set', async () => {
    prod().spanAttributes = {};
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.signals').summary).toBe('throughput has no breakdown by span tag @tenant_id over 24 h (tenants not tagged)');
  });

  test('too few tenants, and minTenants from gates.tenants.minTenants', async () => {
    prod().spanAttributes = { tenant_id: tenantIds(4) };
    let r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.signals').summary).toContain('shows only 4 tenants over 24 h, need ≥ 10');
    Object.assign(org, healthyDatadog());
    const yaml = datadogYaml()
      .replace('sources:\n', 'sources:\n  appdb:\n    type: postgres\n    url: postgres://127.0.0.1:1/app\n')
      .replace('gates:\n', 'gates:\n  tenants:\n    source: appdb\n    minTenants: 13\n');
    r = await runMonitoring(yaml, env());
    expect(r.criterion('datadog.signals').summary).toContain('shows only 12 tenants over 24 h, need ≥ 13');
    expect(r.result.evidence.join('\n')).toContain('minTenants 13');
  });

  test('tenantTag names the attribute; queries.tenants uses a metric grouped by the tag (span-based metric)', async () => {
    prod().spanAttributes = { org_id: tenantIds(11) };
    let r = await runMonitoring(datadogYaml('      tenantTag: org_id\n'), env());
    expect(r.criterion('datadog.signals').summary).toContain('11 tenants monitored by span tag @org_id');
    org.customMetrics = [{ name: 'api.requests.by_tenant', series: tenantIds(10).map((t) => ({ tags: ['env:prod', `tenant_id:${t}`], perMinute: 5 })) }];
    r = await runMonitoring(datadogYaml("      queries:\n        tenants: 'sum:api.requests.by_tenant{env:prod} by {tenant_id}.as_count()'\n"), env());
    expect(r.criterion('datadog.signals').summary).toContain('10 tenants monitored by tag tenant_id');
  });

  test('a service that is erroring: error datapoints are counted', async () => {
    prod().errorsPerMinute = 3;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.signals').evidence!.join('\n')).toMatch(/errors: 15 datapoints in the last 15 min, newest/);
  });

  test('the span name is discovered: a Flask service reports trace.flask.request.*', async () => {
    prod().spanName = 'flask.request';
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('datadog.signals').evidence!.join('\n')).toContain('avg:trace.flask.request{env:prod}');
  });

  test('no trace metrics in the production env: FAIL no data, saying what was looked for', async () => {
    org.services = org.services.filter((s) => s.env !== 'prod');
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('FAIL');
    const signals = r.criterion('datadog.signals');
    expect(signals.summary).toMatch(/^no latency, errors, throughput data in the last 15 min/);
    expect(signals.evidence!.join('\n')).toContain('no trace.<span>.hits metric reported with env:prod (GET /api/v1/metrics)');
  });

  test('service narrows discovery, queries and the span search', async () => {
    const r = await runMonitoring(datadogYaml('      service: api\n'), env());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('datadog.signals').evidence!.join('\n')).toContain('sum:trace.express.request.hits{env:prod,service:api}.as_count()');
    expect(sent().some((p) => p.includes('tag_filter=env:prod AND service:api'))).toBe(true);
  });

  test('a missing signal (custom latency query without data): FAIL naming it', async () => {
    const r = await runMonitoring(datadogYaml("      queries:\n        latency: 'avg:api.latency{env:prod}'\n"), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.signals').summary).toBe('no latency data in the last 15 min');
    expect(r.criterion('datadog.alerting').status).toBe('PASS');
  });

  test('a handle inside {{#is_alert}} is a notification target', async () => {
    org.notificationRules = [];
    monitor(102).message = 'Latency high.\n{{#is_alert}}@slack-api-latency{{/is_alert}}';
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting').status).toBe('PASS');
    expect(r.criterion('datadog.alerting').evidence!.join('\n')).toContain('→ @slack-api-latency');
  });

  test('a monitor routed only by a notification rule has a target', async () => {
    monitor(101).message = 'Error rate above 5%.';
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting').status).toBe('PASS');
    expect(r.criterion('datadog.alerting').evidence!.join('\n')).toContain(
      '"Service api has a high error rate on env:prod" [OK] → @pagerduty-api-oncall, @slack-api-alerts',
    );
  });

  test('a handle only in {{#is_recovery}} is no alert target: FAIL', async () => {
    org.notificationRules = [];
    const r = await runMonitoring(datadogYaml(), env());
    const alerting = r.criterion('datadog.alerting');
    expect(alerting.status).toBe('FAIL');
    expect(alerting.summary).toBe('no usable latency alert: "Service api has a high p95 latency on env:prod" has no notification target');
    expect(alerting.evidence!.join('\n')).not.toContain('@slack-api-recovered');
  });

  test('staging monitors are not production alerting', async () => {
    org.monitors = org.monitors.filter((m) => String(m.name).startsWith('Staging'));
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting')).toMatchObject({ status: 'FAIL', summary: 'no alert rule covers errors; no alert rule covers latency' });
    expect(r.criterion('datadog.alerting').evidence).toContain('0 alert rules read');
  });

  test('a monitor grouped by env, or without any env, watches production too', async () => {
    monitor(101).query = 'sum(last_5m):sum:trace.express.request.errors{service:api} by {env}.as_count() > 10';
    monitor(101).tags = ['team:api'];
    monitor(102).query = 'percentile(last_10m):p95:trace.express.request{service:api} > 1.5';
    monitor(102).tags = ['team:api', 'env:prod'];
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting').status).toBe('PASS');
  });

  test('a draft monitor sends nothing: reported as disabled', async () => {
    monitor(101).draft_status = 'draft';
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting').summary).toBe('no usable errors alert: "Service api has a high error rate on env:prod" disabled');
  });

  test('alerts muted (silenced, downtime): FAIL saying why', async () => {
    (monitor(101) as any).options = { silenced: { '*': null } };
    (monitor(102) as any).matching_downtimes = [{ id: 55, active: true, scope: ['env:prod'], end: null }];
    const r = await runMonitoring(datadogYaml(), env());
    const alerting = r.criterion('datadog.alerting');
    expect(alerting.status).toBe('FAIL');
    expect(alerting.summary).toContain('"Service api has a high error rate on env:prod" muted (silenced *)');
    expect(alerting.summary).toContain('"Service api has a high p95 latency on env:prod" muted (downtime 55 on env:prod)');
  });

  test('key rejected: FAIL "key rejected", other criteria not evaluated', async () => {
    const r = await runMonitoring(datadogYaml(), env({ DATADOG_API_KEY: 'wrong-api-key-000000' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.credentials').summary).toMatch(/^Datadog API key rejected: Datadog answered HTTP 403 "Forbidden"/);
    expect(r.criterion('datadog.signals').status).toBe('ERROR');
  });

  test('a rejected application key is also FAIL key rejected', async () => {
    const r = await runMonitoring(datadogYaml(), env({ DATADOG_APP_KEY: 'wrong-app-key-000000' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.credentials').summary).toMatch(/key rejected.*HTTP 403/);
  });

  test('no env in readiness.yaml: refused naming gates.monitoring.datadog.env', async () => {
    const stderr = await runExpectingUsage(datadogYaml().replace('      env: prod\n', ''), env());
    expect(stderr).toMatch(/gates\.monitoring\.datadog\.env: required: the env tag of production/);
  });

  test('rate limited (429 with X-RateLimit-Reset) then success: PASS after waiting', async () => {
    org.rateLimited = 2;
    const started = Date.now();
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(org.rateLimited).toBe(0);
  });

  test('rate limit resetting beyond the bound: ERROR naming the limit', async () => {
    org.rateLimited = 100;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('datadog.credentials').summary).toMatch(/Datadog rate limit hit \(query\): still limited after 3 retries/);
  });

  test('5xx: ERROR with the status, never PASS or FAIL', async () => {
    org.failWith = 503;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('datadog.credentials').summary).toContain('Datadog answered HTTP 503 "Service Unavailable" (GET 127.0.0.1');
  });

  test('unreachable API: ERROR naming host and port', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    const r = await runMonitoring(datadogYaml(), env({ DD_URL: closed.url }));
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('datadog.credentials').summary).toContain(`Datadog unreachable: connection refused to 127.0.0.1:${new URL(closed.url).port}`);
  });

  test('site-aware base URL with overrides', () => {
    expect(datadogApiUrl({ site: 'datadoghq.eu' }, {})).toBe('https://api.datadoghq.eu');
    expect(datadogApiUrl({}, {})).toBe('https://api.datadoghq.com');
    expect(datadogApiUrl({ site: 'datadoghq.eu' }, { DATADOG_API_URL: 'https://dd-proxy.internal/' })).toBe('https://dd-proxy.internal');
    expect(datadogApiUrl({ apiUrl: 'https://pl.example', site: 'ap1.datadoghq.com' }, { DATADOG_API_URL: 'https://x' })).toBe('https://pl.example');
  });
});
