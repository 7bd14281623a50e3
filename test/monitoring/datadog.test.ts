import { healthyDatadog, startFakeDatadog, type DatadogState } from './fake-datadog';
import { datadogYaml, runMonitoring } from './harness';
import { startLocalServer, type LocalServer } from '../standins/local-server';
import { datadogApiUrl, groupByTag, notificationHandles } from '../../lambda/sources/datadog/monitoring';

describe('gate monitoring: Datadog against a local Datadog API', () => {
  let state: DatadogState;
  let server: LocalServer;
  beforeAll(async () => {
    state = healthyDatadog();
    server = await startFakeDatadog(state);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(state, healthyDatadog()));

  const env = (over: NodeJS.ProcessEnv = {}) => ({ DATADOG_API_KEY: state.apiKey, DATADOG_APP_KEY: state.appKey, DD_URL: server.url, ...over });

  test('healthy: PASS with evidence for credentials, signals (12 tenants) and alerts', async () => {
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.run.code).toBe(0);
    expect(r.criterion('datadog.credentials').status).toBe('PASS');
    const signals = r.criterion('datadog.signals');
    expect(signals.status).toBe('PASS');
    expect(signals.summary).toContain('12 tenants monitored by tag tenant');
    expect(signals.evidence?.join('\n')).toMatch(/errors: 2 datapoints/);
    const alerting = r.criterion('datadog.alerting');
    expect(alerting.status).toBe('PASS');
    expect(alerting.evidence?.join('\n')).toContain('@pagerduty-api-oncall');
    expect(alerting.evidence?.join('\n')).toContain('@oncall@example.com');
    // Keys travel in headers, never in the URL.
    expect(server.requests.every((q) => !q.path.includes(state.apiKey) && !q.path.includes(state.appKey))).toBe(true);
    const breakdown = server.requests.find((q) => q.path.includes('by+%7Btenant%7D') || decodeURIComponent(q.path).includes('by {tenant}'));
    expect(breakdown).toBeDefined();
  });

  test('key rejected: FAIL "key rejected", other criteria not evaluated', async () => {
    const r = await runMonitoring(datadogYaml(), env({ DATADOG_API_KEY: 'wrong-api-key-000000' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.credentials').summary).toMatch(/^key rejected: Datadog API key rejected: Datadog answered HTTP 403/);
    expect(r.criterion('datadog.signals').status).toBe('ERROR');
  });

  test('a rejected application key is also FAIL key rejected', async () => {
    const r = await runMonitoring(datadogYaml(), env({ DATADOG_APP_KEY: 'wrong-app-key-000000' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.credentials').summary).toMatch(/key rejected.*HTTP 403/);
  });

  test('a missing signal: FAIL naming it', async () => {
    state.signals.latency = false;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.signals').summary).toContain('no latency data in the last 15 min');
    expect(r.criterion('datadog.alerting').status).toBe('PASS');
  });

  test('too few tenants in the breakdown, and no tenant tag at all', async () => {
    state.tenants = state.tenants.slice(0, 4);
    let r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.signals').summary).toContain('shows only 4 tenants over 24 h, need ≥ 10');
    state.tenants = [];
    r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('datadog.signals').summary).toContain('throughput has no breakdown by tag tenant');
  });

  test('minTenants defaults to gates.tenants.minTenants', async () => {
    const yaml = datadogYaml()
      .replace('sources:\n', 'sources:\n  appdb:\n    type: postgres\n    url: postgres://127.0.0.1:1/app\n')
      .replace('gates:\n', 'gates:\n  tenants:\n    source: appdb\n    minTenants: 13\n');
    const r = await runMonitoring(yaml, env());
    expect(r.criterion('datadog.signals').summary).toContain('shows only 12 tenants over 24 h, need ≥ 13');
    expect(r.result.evidence.join('\n')).toContain('minTenants 13 (gates.tenants.minTenants)');
  });

  test('alerts muted (silenced, downtime), without target: FAIL saying why', async () => {
    (state.monitors[0] as any).options = { silenced: { '*': null } };
    (state.monitors[1] as any).matching_downtimes = [{ id: 55, active: true, scope: ['env:prod'], end: null }];
    let r = await runMonitoring(datadogYaml(), env());
    const alerting = r.criterion('datadog.alerting');
    expect(alerting.status).toBe('FAIL');
    expect(alerting.summary).toContain('"API error rate high" muted (silenced *)');
    expect(alerting.summary).toContain('"API p95 latency" muted (downtime 55 on env:prod)');
    Object.assign(state, healthyDatadog());
    (state.monitors[1] as any).message = 'latency is high {{value}}';
    r = await runMonitoring(datadogYaml(), env());
    expect(r.criterion('datadog.alerting').summary).toContain('"API p95 latency" has no notification target');
  });

  test('rate limited (429 with X-RateLimit-Reset) then success: PASS after waiting', async () => {
    state.rateLimited = 2;
    const started = Date.now();
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(state.rateLimited).toBe(0);
  });

  test('rate limit resetting beyond the bound: ERROR naming the limit', async () => {
    state.rateLimited = 100;
    const r = await runMonitoring(datadogYaml(), env());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('datadog.credentials').summary).toMatch(/Datadog rate limit hit \(query\): still limited after 3 retries/);
  });

  test('5xx: ERROR with the status, never PASS or FAIL', async () => {
    state.failWith = 503;
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
    expect(datadogApiUrl({ site: 'us5.datadoghq.com' }, {})).toBe('https://api.us5.datadoghq.com');
    expect(datadogApiUrl({ site: 'ddog-gov.com' }, {})).toBe('https://api.ddog-gov.com');
    expect(datadogApiUrl({}, {})).toBe('https://api.datadoghq.com');
    expect(datadogApiUrl({ site: 'datadoghq.eu' }, { DATADOG_API_URL: 'https://dd-proxy.internal/' })).toBe('https://dd-proxy.internal');
    expect(datadogApiUrl({ apiUrl: 'https://pl.example', site: 'ap1.datadoghq.com' }, { DATADOG_API_URL: 'https://x' })).toBe('https://pl.example');
  });

  test('tenant grouping and notification handles', () => {
    expect(groupByTag('sum:trace.http.request.hits{env:prod}.as_count()', 'tenant_id')).toBe('sum:trace.http.request.hits{env:prod} by {tenant_id}.as_count()');
    expect(notificationHandles('Down! @slack-sre @pagerduty-API, mail @a.b@example.com; {{#is_alert}}x{{/is_alert}} foo@bar')).toEqual(['@slack-sre', '@pagerduty-API', '@a.b@example.com']);
  });
});
