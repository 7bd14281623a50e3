import { healthyNewRelic, startFakeNewRelic, type NewRelicState } from './fake-newrelic';
import { newRelicYaml, runExpectingUsage, runMonitoring } from './harness';
import type { LocalServer } from '../standins/local-server';
import { newRelicGraphqlUrl } from '../../lambda/sources/newrelic/monitoring';

describe('gate monitoring: New Relic against a local NerdGraph', () => {
  let state: NewRelicState;
  let server: LocalServer;
  beforeAll(async () => {
    state = healthyNewRelic();
    server = await startFakeNewRelic(state);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(state, healthyNewRelic()));

  const env = (over: NodeJS.ProcessEnv = {}) => ({ NEW_RELIC_KEY: state.apiKey, NEW_RELIC_ACCOUNT_ID: String(state.accountId), NR_URL: server.url, ...over });

  test('healthy: PASS with the user, event counts, 12 tenants and routed alert conditions', async () => {
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('newrelic.credentials').evidence?.[0]).toContain('key belongs to sre@example.com; account 1234567 (Acme Production) readable');
    expect(r.criterion('newrelic.signals').summary).toContain('12 tenants monitored by attribute tenant');
    expect(r.criterion('newrelic.signals').evidence?.join('\n')).toContain('throughput: 5400 events in the last 15 min');
    expect(r.criterion('newrelic.alerting').evidence?.join('\n')).toContain('Production API to PagerDuty → PAGERDUTY_SERVICE_INTEGRATION api-oncall');
    const nrql = server.requests.map((q) => JSON.parse(q.body).variables.nrql).filter(Boolean);
    expect(nrql[0]).toMatch(/^SELECT count\(\*\) FROM Transaction FACET tenant_id LIMIT MAX SINCE \d{13} UNTIL \d{13}$/);
    expect(server.requests.every((q) => q.headers['api-key'] === state.apiKey)).toBe(true);
  });

  test('key rejected as a GraphQL error with HTTP 200: FAIL key rejected', async () => {
    const r = await runMonitoring(newRelicYaml(), env({ NEW_RELIC_KEY: 'NRAK-WRONGWRONGWRONG' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.credentials').summary).toBe('key rejected: New Relic API key rejected: NerdGraph: Invalid API key');
  });

  test('key rejected with HTTP 401: FAIL key rejected', async () => {
    state.rejectAs = 'http';
    const r = await runMonitoring(newRelicYaml(), env({ NEW_RELIC_KEY: 'NRAK-WRONGWRONGWRONG' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.credentials').summary).toMatch(/key rejected: .*HTTP 401/);
  });

  test('key without access to the account: FAIL naming the account', async () => {
    const r = await runMonitoring(newRelicYaml(), env({ NEW_RELIC_ACCOUNT_ID: '999' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.credentials').summary).toContain('NerdGraph: Access denied.');
  });

  test('a missing signal: FAIL naming it', async () => {
    state.signals.errors = 0;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.signals').summary).toContain('no errors data in the last 15 min');
  });

  test('too few tenants, and no tenant attribute', async () => {
    state.tenants = state.tenants.slice(0, 3);
    let r = await runMonitoring(newRelicYaml('    minTenants: 5\n'), env());
    expect(r.criterion('newrelic.signals').summary).toContain('only 3 tenants over 24 h, need ≥ 5');
    state.tenants = [];
    r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.signals').summary).toContain('throughput has no breakdown by attribute tenant');
  });

  test('alerts muted by an active muting rule: FAIL; a NOTIFY_ALL_ISSUES workflow still notifies', async () => {
    state.mutingRules = [
      { id: 'm1', name: 'maintenance', enabled: true, status: 'ACTIVE', condition: { operator: 'AND', conditions: [{ attribute: 'policyId', operator: 'EQUALS', values: ['77'] }] } },
    ];
    let r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.alerting').status).toBe('FAIL');
    expect(r.criterion('newrelic.alerting').summary).toContain('"Error percentage (policy Production API)" muted (muting rule maintenance)');
    (state.workflows[0] as any).mutingRulesHandling = 'NOTIFY_ALL_ISSUES';
    r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.alerting').status).toBe('PASS');
  });

  test('disabled condition and a workflow for another policy: FAIL saying why', async () => {
    state.conditions[0].enabled = false;
    (state.workflows[0] as any).issuesFilter.predicates[0].values = ['12'];
    const r = await runMonitoring(newRelicYaml(), env());
    const summary = r.criterion('newrelic.alerting').summary;
    expect(summary).toContain('"Error percentage (policy Production API)" disabled');
    expect(summary).toContain('"p95 response time (policy Production API)" has no notification target');
  });

  test('rate limited (429 with Retry-After) then success: PASS', async () => {
    state.rateLimited = 1;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(state.rateLimited).toBe(0);
  });

  test('5xx: ERROR', async () => {
    state.failWith = 502;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('newrelic.credentials').summary).toContain('New Relic answered HTTP 502');
  });

  test('NRQL with its own SINCE is a config error naming the field', async () => {
    const r = await runExpectingUsage(newRelicYaml('      nrql:\n        latency: SELECT count(*) FROM Transaction SINCE 1 hour ago\n'), env());
    expect(r).toMatch(/readiness\.yaml:\d+: gates\.monitoring\.newrelic\.nrql\.latency: leave out SINCE\/UNTIL/);
  });

  test('US and EU endpoints, with overrides', () => {
    expect(newRelicGraphqlUrl({}, {})).toBe('https://api.newrelic.com/graphql');
    expect(newRelicGraphqlUrl({ region: 'EU' }, {})).toBe('https://api.eu.newrelic.com/graphql');
    expect(newRelicGraphqlUrl({ region: 'EU' }, { NEW_RELIC_API_URL: 'https://nr-proxy.internal/' })).toBe('https://nr-proxy.internal/graphql');
    expect(newRelicGraphqlUrl({ apiUrl: 'https://x.example/graphql' }, {})).toBe('https://x.example/graphql');
  });
});
