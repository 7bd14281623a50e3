import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthyNewRelic, startNewRelic, transactions, type NewRelicState, type WorkflowRecord } from '../standins/newrelic';
import type { LocalServer } from '../standins/local-server';
import { runCli } from '../support/cli';
import { newRelicYaml, runExpectingUsage, runMonitoring } from './harness';
import { agentAppName } from '../../lambda/checks/monitoring/gate';
import { newRelicGraphqlUrl } from '../../lambda/sources/newrelic/monitoring';

/**
 * Gate 4's New Relic adapter against the contract stand-in (docs/contracts/newrelic.md): the
 * documented healthy setup PASSes with the defaults, broken ones FAIL or ERROR naming why.
 */
describe('gate monitoring: New Relic against the NerdGraph stand-in', () => {
  let state: NewRelicState;
  let server: LocalServer;
  beforeAll(async () => {
    state = healthyNewRelic();
    server = await startNewRelic(state);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(state, healthyNewRelic()));

  const env = (over: NodeJS.ProcessEnv = {}) => ({ NEW_RELIC_KEY: state.apiKey, NEW_RELIC_ACCOUNT_ID: String(state.accountId), NR_URL: server.url, ...over });
  const alerting = async (extra = '') => (await runMonitoring(newRelicYaml(extra), env())).criterion('newrelic.alerting');
  const workflow = (over: Partial<WorkflowRecord>): WorkflowRecord => ({ ...healthyNewRelic().workflows[0], ...over });
  const predicates = (...p: [string, string, string[]][]) => ({
    type: 'FILTER' as const,
    predicates: p.map(([attribute, operator, values]) => ({ attribute, operator, values })),
  });

  test('the documented setup PASSes with the defaults: user, accounts, tenant_id, a workflow on policy + priority', async () => {
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('newrelic.credentials').evidence?.[0]).toBe(
      'key belongs to sre@example.com; account 1234567 (Acme Production) readable; NRQL covers every APM app in the account (set NEW_RELIC_APP_NAME to scope it to one)',
    );
    expect(r.criterion('newrelic.signals').summary).toBe('latency, errors and throughput flowing; 12 tenants monitored by attribute tenant_id');
    const signals = r.criterion('newrelic.signals').evidence!.join('\n');
    expect(signals).toContain('throughput: 360 events in the last 15 min — SELECT count(*) FROM Transaction');
    expect(signals).toContain('errors: 360 events in the last 15 min — SELECT count(error) FROM Transaction');
    expect(r.criterion('newrelic.alerting').evidence?.join('\n')).toContain(
      '"Error percentage (policy Production API)" → Production API to PagerDuty → PAGERDUTY_SERVICE_INTEGRATION api-oncall',
    );
    expect(r.criterion('newrelic.alerting').evidence?.join('\n')).toContain(
      '"p95 response time (policy Production API)" → Production API to PagerDuty → PAGERDUTY_SERVICE_INTEGRATION api-oncall (CRITICAL issues only)',
    );
    const bodies = server.requests.map((q) => JSON.parse(q.body));
    expect(bodies.map((b) => b.variables.tenants).find(Boolean)).toMatch(
      /^SELECT count\(\*\) FROM Transaction FACET tenant_id LIMIT MAX SINCE \d{13} UNTIL \d{13}$/,
    );
    expect(server.requests.every((q) => q.headers['api-key'] === state.apiKey)).toBe(true);
  });

  test('zero-config with NEW_RELIC_KEY + NEW_RELIC_ACCOUNT_ID (+ NEW_RELIC_APP_NAME) PASSes on the documented setup', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      const zero = { NEW_RELIC_KEY: state.apiKey, NEW_RELIC_ACCOUNT_ID: String(state.accountId), NEW_RELIC_API_URL: server.url };
      let result = JSON.parse((await runCli(['run', '--check', 'monitoring', '--format', 'json'], { env: zero, cwd })).stdout).results[0];
      expect(result.status).toBe('PASS');
      result = JSON.parse(
        (await runCli(['run', '--check', 'monitoring', '--format', 'json'], { env: { ...zero, NEW_RELIC_APP_NAME: 'acme-api;acme-rollup' }, cwd })).stdout,
      ).results[0];
      expect(result.status).toBe('PASS');
      expect(result.summary).toBe(`monitoring live in New Relic (account 1234567, app acme-api, 127.0.0.1:${new URL(server.url).port})`);
      // Refused like the same appName in readiness.yaml (exit 2), named by the variable it came from.
      const quoted = await runCli(['run', '--check', 'monitoring', '--format', 'json'], { env: { ...zero, NEW_RELIC_APP_NAME: "acme's api" }, cwd });
      expect(quoted.code).toBe(2);
      expect(quoted.stderr).toContain("NEW_RELIC_APP_NAME=acme's api: must match pattern");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('a healthy service with zero errors still has error data (count(error) counts the flag, not errors)', async () => {
    state.events = transactions({ errorsPerTenant: 0 });
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(r.criterion('newrelic.signals').evidence?.join('\n')).toContain('errors: 360 events');
  });

  test('no transactions at all: FAIL naming each missing signal and the missing tenants', async () => {
    state.events = [];
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.signals').summary).toBe(
      'no latency, errors, throughput data in the last 15 min; throughput has no breakdown by attribute tenant_id over 24 h (tenants not tagged)',
    );
  });

  test('key rejected: HTTP 401 BAD_API_KEY is FAIL', async () => {
    const r = await runMonitoring(newRelicYaml(), env({ NEW_RELIC_KEY: 'NRAK-WRONGWRONGWRONG' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.credentials').summary).toMatch(
      /^New Relic API key rejected: New Relic answered HTTP 401 "Bad API Key or no API Key provided"/,
    );
  });

  test("an account the key's user cannot read: FAIL naming it, from actor.accounts", async () => {
    const r = await runMonitoring(newRelicYaml(), env({ NEW_RELIC_ACCOUNT_ID: '999' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.criterion('newrelic.credentials').summary).toBe(
      "New Relic API key rejected: the key's user sre@example.com cannot read account 999 (it can read 1 other account(s); check NEW_RELIC_ACCOUNT_ID and NEW_RELIC_REGION)",
    );
  });

  test('too few tenants, and tenants not tagged with tenant_id', async () => {
    state.events = transactions({ tenants: ['t-1', 't-2', 't-3'] });
    let r = await runMonitoring(newRelicYaml('    minTenants: 5\n'), env());
    expect(r.criterion('newrelic.signals').summary).toContain('only 3 tenants over 24 h, need ≥ 5');
    state.events = transactions({ tenantAttribute: 'tenant' });
    r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.signals').summary).toContain('throughput has no breakdown by attribute tenant_id');
  });

  test('facet rows that carry the value under the attribute only (no `facet` key) still count tenants', async () => {
    state.facetRows = 'attribute-only';
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.signals').summary).toContain('12 tenants monitored by attribute tenant_id');
  });

  test('a tenant attribute NRQL cannot take bare is quoted with backticks', async () => {
    state.events = transactions({ tenantAttribute: 'tenant-id' });
    const r = await runMonitoring(newRelicYaml('      tenantAttribute: tenant-id\n'), env());
    expect(r.criterion('newrelic.signals')).toMatchObject({ status: 'PASS', summary: expect.stringContaining('12 tenants monitored by attribute tenant-id') });
    expect(r.criterion('newrelic.signals').evidence?.join('\n')).toContain('FACET `tenant-id` LIMIT MAX');
  });

  describe('app scope (one APM app name per environment)', () => {
    beforeEach(() => {
      state.events = [...transactions(), ...transactions({ app: 'acme-api-staging', tenants: ['qa-1', 'qa-2'] })];
    });

    test('several apps and no app name: SKIP naming NEW_RELIC_APP_NAME and the apps, instead of guessing', async () => {
      const r = await runMonitoring(newRelicYaml(), env());
      expect(r.criterion('newrelic.signals')).toMatchObject({
        status: 'SKIP',
        summary:
          'not configured: 2 APM apps report to account 1234567 (acme-api, acme-api-staging); the gate will not guess which is production: set NEW_RELIC_APP_NAME or gates.monitoring.newrelic.appName to it',
      });
      expect(r.result.status).toBe('SKIP');
    });

    test('with appName every default query and the conditions are scoped to it', async () => {
      state.conditions.push({
        ...state.conditions[0],
        id: '9100',
        name: 'Staging errors',
        nrql: { query: "SELECT count(*) FROM Transaction WHERE appName = 'acme-api-staging' AND error IS true" },
      });
      const r = await runMonitoring(newRelicYaml('      appName: acme-api\n'), env());
      expect(r.result.status).toBe('PASS');
      expect(r.criterion('newrelic.signals').summary).toContain('12 tenants monitored');
      expect(r.criterion('newrelic.signals').evidence?.join('\n')).toContain(
        "throughput: 360 events in the last 15 min — SELECT count(*) FROM Transaction WHERE appName = 'acme-api'",
      );
      expect(r.criterion('newrelic.alerting').evidence?.[0]).toBe('2 alert rules read');
    });

    test('an app name with a single quote is refused in the config', async () => {
      expect(await runExpectingUsage(newRelicYaml('      appName: "acme\'s api"\n'), env())).toMatch(
        /gates\.monitoring\.newrelic\.appName: must match pattern/,
      );
    });
  });

  describe('workflow routing (issues filter evaluated against the condition)', () => {
    test('policy + priority EQUAL CRITICAL routes the critical condition (the documented setup)', async () => {
      expect((await alerting()).status).toBe('PASS');
    });

    test('policy + a tag predicate routes, and the evidence says the route depends on the tag', async () => {
      state.workflows = [
        workflow({ issuesFilter: predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['77']], ['accumulations.tag.team', 'EXACTLY_MATCHES', ['growth']]) }),
      ];
      const c = await alerting();
      expect(c.status).toBe('PASS');
      expect(c.evidence?.join('\n')).toContain('api-oncall (only issues whose accumulations.tag.team EXACTLY_MATCHES growth)');
    });

    test('a tag-only filter is not counted: the summary names the workflow and what to add', async () => {
      state.workflows = [workflow({ issuesFilter: predicates(['accumulations.tag.team', 'EXACTLY_MATCHES', ['growth']]) })];
      const c = await alerting();
      expect(c.status).toBe('FAIL');
      expect(c.summary).toContain(
        '"Error percentage (policy Production API)" has no notification target (workflow "Production API to PagerDuty": it selects issues by accumulations.tag.team EXACTLY_MATCHES growth only, known once an incident exists; add labels.policyIds EXACTLY_MATCHES 77 to make the route checkable)',
      );
    });

    test('priority EQUAL HIGH routes only conditions with a warning threshold', async () => {
      state.workflows = [workflow({ issuesFilter: predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['77']], ['priority', 'EQUAL', ['high']]) })];
      const c = await alerting();
      expect(c.status).toBe('FAIL');
      expect(c.summary).toContain(
        'no usable errors alert: "Error percentage (policy Production API)" has no notification target (workflow "Production API to PagerDuty": priority EQUAL high matches none of its priorities (CRITICAL))',
      );
      expect(c.evidence?.join('\n')).toContain('(HIGH issues only)');
    });

    test.each<[string, ReturnType<typeof predicates>, 'PASS' | 'FAIL']>([
      ['an empty filter routes every issue', predicates(), 'PASS'],
      ['CONTAINS on a list looks inside elements', predicates(['labels.policyIds', 'CONTAINS', ['7']]), 'PASS'],
      ['DOES_NOT_EXACTLY_MATCH another policy routes this one', predicates(['labels.policyIds', 'DOES_NOT_EXACTLY_MATCH', ['12']]), 'PASS'],
      ['DOES_NOT_EXACTLY_MATCH this policy does not', predicates(['labels.policyIds', 'DOES_NOT_EXACTLY_MATCH', ['77']]), 'FAIL'],
      ['policy name, case-insensitively', predicates(['accumulations.policyName', 'EXACTLY_MATCHES', ['production api']]), 'PASS'],
      ['another policy does not route', predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['12']]), 'FAIL'],
      ['account ID as a number', predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['77']], ['nrAccountId', 'EQUAL', ['1234567']]), 'PASS'],
      [
        'priority DOES_NOT_EQUAL LOW keeps both priorities',
        predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['77']], ['priority', 'DOES_NOT_EQUAL', ['LOW']]),
        'PASS',
      ],
    ])('%s', async (_name, filter, status) => {
      state.workflows = [workflow({ issuesFilter: filter })];
      expect((await alerting()).status).toBe(status);
    });

    test('a saved-view filter cannot be evaluated in advance and is not counted', async () => {
      state.workflows = [workflow({ issuesFilter: { type: 'VIEW', predicates: [] } })];
      expect((await alerting()).summary).toContain('its issues filter is a saved view');
    });

    test('a disabled workflow, and one with destinations disabled, do not notify; the summary says which', async () => {
      state.workflows = [workflow({ workflowEnabled: false })];
      const disabled = (await alerting()).summary;
      expect(disabled).toContain('would notify through workflow "Production API to PagerDuty", which is disabled');
      expect(disabled).not.toContain('no notification target');
      state.workflows = [workflow({ destinationsEnabled: false })];
      expect((await alerting()).summary).toContain('would route it but is without enabled destinations');
    });

    test('a destination not triggered on ACTIVATED is not a notification target', async () => {
      state.workflows = [workflow({ destinationConfigurations: [{ ...state.workflows[0].destinationConfigurations[0], notificationTriggers: ['CLOSED'] }] })];
      expect((await alerting()).summary).toContain('destination "api-oncall" is not triggered on ACTIVATED (only CLOSED)');
    });

    test('an inactive or missing channel is not a notification target', async () => {
      state.channels[0].active = false;
      expect((await alerting()).summary).toContain('uses channel "api-oncall", which is inactive');
      state.channels = [];
      expect((await alerting()).summary).toContain('uses channel ch-1, which does not exist');
    });

    test('every page of conditions, policies and workflows is read', async () => {
      state.pageSize = 1;
      state.policies = [{ id: '12', name: 'Batch' }, ...state.policies];
      state.workflows = [
        workflow({ id: 'wf-0', name: 'Batch to email', issuesFilter: predicates(['labels.policyIds', 'EXACTLY_MATCHES', ['12']]) }),
        workflow({ issuesFilter: predicates(['accumulations.policyName', 'EXACTLY_MATCHES', ['Production API']]) }),
      ];
      const c = await alerting();
      expect(c.status).toBe('PASS');
      expect(c.evidence?.join('\n')).toContain('"p95 response time (policy Production API)" → Production API to PagerDuty');
    });
  });

  describe('muting rules', () => {
    const mute = (over: Partial<NewRelicState['mutingRules'][number]> = {}) => ({
      id: 'm1',
      name: 'maintenance',
      enabled: true,
      status: 'ACTIVE' as const,
      condition: { operator: 'AND' as const, conditions: [{ attribute: 'policyId', operator: 'EQUALS', values: ['77'] }] },
      ...over,
    });

    test('an ACTIVE rule on the policy mutes; a NOTIFY_ALL_ISSUES workflow still notifies', async () => {
      state.mutingRules = [mute()];
      let c = await alerting();
      expect(c.status).toBe('FAIL');
      expect(c.summary).toContain('"Error percentage (policy Production API)" muted (muting rule maintenance)');
      state.workflows[0].mutingRulesHandling = 'NOTIFY_ALL_ISSUES';
      c = await alerting();
      expect(c.status).toBe('PASS');
    });

    test.each<[string, ReturnType<typeof mute>, boolean]>([
      ['a SCHEDULED rule does not mute yet', mute({ status: 'SCHEDULED' }), false],
      ['an ENDED rule no longer mutes', mute({ status: 'ENDED' }), false],
      ['ANY mutes every incident', mute({ condition: { operator: 'AND', conditions: [{ attribute: 'conditionName', operator: 'ANY', values: [] }] } }), true],
      [
        'nrqlEventType EQUALS the FROM of the query',
        mute({ condition: { operator: 'AND', conditions: [{ attribute: 'nrqlEventType', operator: 'EQUALS', values: ['Transaction'] }] } }),
        true,
      ],
      [
        'NOT_EQUALS another policy mutes this one',
        mute({ condition: { operator: 'AND', conditions: [{ attribute: 'policyId', operator: 'NOT_EQUALS', values: ['12'] }] } }),
        true,
      ],
      [
        'values compare case-sensitively',
        mute({ condition: { operator: 'AND', conditions: [{ attribute: 'policyName', operator: 'STARTS_WITH', values: ['production'] }] } }),
        false,
      ],
      [
        'policy AND a tag mutes only some incidents',
        mute({
          condition: {
            operator: 'AND',
            conditions: [
              { attribute: 'policyId', operator: 'EQUALS', values: ['77'] },
              { attribute: 'tags.host', operator: 'EQUALS', values: ['h1'] },
            ],
          },
        }),
        false,
      ],
      [
        'policy OR a tag mutes all',
        mute({
          condition: {
            operator: 'OR',
            conditions: [
              { attribute: 'policyId', operator: 'EQUALS', values: ['77'] },
              { attribute: 'tags.host', operator: 'EQUALS', values: ['h1'] },
            ],
          },
        }),
        true,
      ],
    ])('%s', async (_name, rule, muted) => {
      state.mutingRules = [rule];
      expect((await alerting()).status).toBe(muted ? 'FAIL' : 'PASS');
    });
  });

  test('throttled the NerdGraph way (HTTP 200 TOO_MANY_REQUESTS) then answered: PASS', async () => {
    state.throttled = 1;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('PASS');
    expect(state.throttled).toBe(0);
  });

  test('HTTP 429 then answered: PASS', async () => {
    state.rateLimited = 1;
    expect((await runMonitoring(newRelicYaml(), env())).result.status).toBe('PASS');
  });

  test('an NRQL query slower than its timeout: ERROR naming TIMEOUT', async () => {
    state.nrqlSeconds = 45;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.result.status).toBe('ERROR');
    expect(r.criterion('newrelic.signals').summary).toMatch(
      /^NerdGraph error at actor\.account\.latency: NRDB query duration exceeded the timeout.* \(TIMEOUT\)$/,
    );
  });

  test('NRQL that takes longer than 10 s but less than its timeout is waited for', async () => {
    state.nrqlSeconds = 10.5;
    const r = await runMonitoring(newRelicYaml(), env());
    expect(r.criterion('newrelic.signals').status).toBe('PASS');
  }, 30_000);

  test('a deprecation notice next to the data is not a failure', async () => {
    state.deprecated = ['AiWorkflowsWorkflow.destinationsEnabled', 'User.email'];
    expect((await runMonitoring(newRelicYaml(), env())).result.status).toBe('PASS');
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

  test('US and EU endpoints, with overrides; the agent app name is the first of NEW_RELIC_APP_NAME', () => {
    expect(newRelicGraphqlUrl({}, {})).toBe('https://api.newrelic.com/graphql');
    expect(newRelicGraphqlUrl({ region: 'EU' }, {})).toBe('https://api.eu.newrelic.com/graphql');
    expect(newRelicGraphqlUrl({ region: 'EU' }, { NEW_RELIC_API_URL: 'https://nr-proxy.internal/' })).toBe('https://nr-proxy.internal/graphql');
    expect(newRelicGraphqlUrl({ apiUrl: 'https://x.example/graphql' }, {})).toBe('https://x.example/graphql');
    expect([agentAppName('api;rollup'), agentAppName(' api , x'), agentAppName(''), agentAppName(undefined)]).toEqual(['api', 'api', undefined, undefined]);
  });
});
