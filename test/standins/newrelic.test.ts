import { healthyNewRelic, startNewRelic, transactions, type NewRelicState } from './newrelic';
import type { LocalServer } from './local-server';

/** The New Relic stand-in against docs/contracts/newrelic.md: one test per rule, named after it. */
describe('New Relic stand-in follows docs/contracts/newrelic.md', () => {
  let state: NewRelicState;
  let server: LocalServer;
  beforeAll(async () => {
    state = healthyNewRelic();
    server = await startNewRelic(state);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(state, healthyNewRelic()));

  async function post(query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = { 'API-Key': state.apiKey }) {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  }
  const nrql = async (query: string, timeout?: number) => {
    const r = await post(
      `query($id: Int!, $q: Nrql!) { actor { account(id: $id) { nrql(query: $q${timeout ? `, timeout: ${timeout}` : ''}) { results otherResult } } } }`,
      {
        id: state.accountId,
        q: query,
      },
    );
    return r;
  };
  const window = () => `SINCE ${Date.now() - 15 * 60_000} UNTIL ${Date.now()}`;

  test('NR-01 POST /graphql with the API-Key header answers data', async () => {
    const r = await post('{ actor { user { email } } }');
    expect(r).toMatchObject({ status: 200, body: { data: { actor: { user: { email: 'sre@example.com' } } } } });
    expect((await fetch(`${server.url}/graphql`)).status).toBe(404);
  });

  test('NR-02 a missing or wrong key is HTTP 401 with BAD_API_KEY', async () => {
    for (const headers of [{}, { 'API-Key': 'NRAK-WRONG' }, { 'X-License-Key': state.apiKey }] as Record<string, string>[]) {
      const r = await post('{ actor { user { email } } }', {}, headers);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ errors: [{ extensions: { error_code: 'BAD_API_KEY' }, message: 'Bad API Key or no API Key provided' }] });
    }
  });

  test('NR-03 invalid documents are GraphQL errors with HTTP 200 and no data; field errors null the field', async () => {
    let r = await post('{ actor { user { email } colour } }');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ errors: [{ message: 'Cannot query field "colour" on type "Actor".', locations: [{ line: 1, column: 26 }] }] });
    r = await post('query($id: Int!, $unused: String) { actor { account(id: $id) { name } } }', { id: state.accountId });
    expect(r.body.errors.map((e: any) => e.message)).toEqual(['Variable "$unused" is never used.']);
    r = await post('query($id: String) { actor { account(id: $id, region: "EU") { name } } }', { id: '1' });
    expect(r.body.errors.map((e: any) => e.message).sort()).toEqual([
      'Unknown argument "region" on field "Actor.account".',
      'Variable "$id" of type "String" used in position expecting type "Int!".',
    ]);
    r = await post('query($id: Int!) { actor { account(id: $id) { name } } }', { id: '1234567' });
    expect(r.body.errors[0].message).toBe('Variable "$id" got invalid value "1234567"; Int cannot represent non-integer value: "1234567"');
    r = await post('{ actor { account { name } user } }');
    expect(r.body.errors.map((e: any) => e.message)).toEqual([
      'Field "account" argument "id" of type "Int!" is required, but it was not provided.',
      'Field "user" of type "User" must have a selection of subfields. Did you mean "user { ... }"?',
    ]);
    r = await nrql('SELECT count(*) FROM Transaction SINCE yesterday-ish');
    expect(r.body.data).toEqual({ actor: { account: { nrql: null } } });
    expect(r.body.errors[0]).toMatchObject({ message: expect.stringMatching(/^NRQL Syntax Error/), path: ['actor', 'account', 'nrql'] });
  });

  test('NR-04 a deprecated field still answers, with a deprecation notice in errors', async () => {
    state.deprecated = ['User.name'];
    const r = await post('{ actor { user { email name } } }');
    expect(r.body.data.actor.user.email).toBe('sre@example.com');
    expect(r.body.errors[0].message).toMatch(/^This field is deprecated!/);
  });

  test('NR-05 throttling is HTTP 200 TOO_MANY_REQUESTS; repeated NRQL over the per-minute limit is HTTP 429', async () => {
    state.throttled = 1;
    let r = await post('{ actor { user { email } } }');
    expect(r).toMatchObject({ status: 200, body: { errors: [{ extensions: { errorClass: 'TOO_MANY_REQUESTS' } }] } });
    expect((await post('{ actor { user { email } } }')).status).toBe(200);
    state.rateLimited = 1;
    r = await post('{ actor { user { email } } }');
    expect(r.status).toBe(429);
    state.repeatLimitPerMinute = 2;
    const q = `SELECT count(*) FROM Transaction ${window()}`;
    expect((await nrql(q)).status).toBe(200);
    expect((await nrql(q)).status).toBe(200);
    expect((await nrql(q)).status).toBe(429);
  });

  test("NR-06 the key's user and the accounts it may view; another account is refused", async () => {
    const r = await post('{ actor { user { email } accounts { id name } } }');
    expect(r.body.data.actor).toEqual({ user: { email: 'sre@example.com' }, accounts: [{ id: 1234567, name: 'Acme Production' }] });
    const other = await post('{ actor { account(id: 999) { name } } }');
    expect(other.body.data.actor.account).toBeNull();
    expect(other.body.errors[0].path).toEqual(['actor', 'account']);
  });

  test('NR-07 aliased nrql fields; timeout 5–120 s; a query slower than its timeout is TIMEOUT', async () => {
    const w = window();
    const r = await post(
      `query($id: Int!) { actor { account(id: $id) { a: nrql(query: "SELECT count(*) FROM Transaction ${w}", timeout: 30) { results } b: nrql(query: "SELECT count(*) FROM Transaction ${w}") { results } } } }`,
      {
        id: state.accountId,
      },
    );
    expect(r.body.data.actor.account.a.results).toEqual(r.body.data.actor.account.b.results);
    expect((await nrql(`SELECT count(*) FROM Transaction ${w}`, 121)).body.errors[0].message).toMatch(/timeout must be between 5 and 120/);
    state.nrqlSeconds = 40;
    const slow = await nrql(`SELECT count(*) FROM Transaction ${w}`, 30);
    expect(slow.body.errors[0].extensions).toEqual({ errorClass: 'TIMEOUT' });
    state.nrqlSeconds = 0.3;
    const t0 = Date.now();
    expect((await nrql(`SELECT count(*) FROM Transaction ${w}`, 5)).body.errors).toBeUndefined();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
  });

  test('NR-08 SINCE/UNTIL in epoch milliseconds bound the events; no SINCE is the last hour', async () => {
    const now = Date.now();
    const count = async (q: string) => (await nrql(q)).body.data.actor.account.nrql.results[0].count;
    expect(await count(`SELECT count(*) FROM Transaction SINCE ${now - 15 * 60_000} UNTIL ${now}`)).toBe(12 * 30);
    expect(await count(`SELECT count(*) FROM Transaction SINCE ${now - 30 * 60_000} UNTIL ${now}`)).toBe(2 * 12 * 30);
    expect(await count('SELECT count(*) FROM Transaction')).toBe(4 * 12 * 30);
    expect(await count(`SELECT count(*) FROM Transaction SINCE ${now - 3 * 86_400_000} UNTIL ${now - 2 * 86_400_000}`)).toBe(0);
  });

  test('NR-09 row keys: count, <function>.<attribute>, the AS label', async () => {
    const r = await nrql(`SELECT count(*), average(duration), count(duration) AS 'timed' FROM Transaction ${window()}`);
    expect(Object.keys(r.body.data.actor.account.nrql.results[0])).toEqual(['count', 'average.duration', 'timed']);
  });

  test('NR-10 count(error) counts every transaction reporting the flag, errors or not', async () => {
    state.events = transactions({ errorsPerTenant: 0 });
    const row = (
      await nrql(
        `SELECT count(error), filter(count(*), WHERE error IS true) AS 'errors', percentage(count(*), WHERE error IS true) AS 'rate' FROM Transaction ${window()}`,
      )
    ).body.data.actor.account.nrql.results[0];
    expect(row).toEqual({ 'count.error': 360, errors: 0, rate: 0 });
  });

  test('NR-11 FACET: 10 facets by default, LIMIT MAX up to 5,000, the rest in otherResult; both row shapes', async () => {
    state.events = transactions({ tenants: Array.from({ length: 14 }, (_, i) => `t-${i}`) });
    let r = await nrql(`SELECT count(*) FROM Transaction FACET tenant_id ${window()}`);
    expect(r.body.data.actor.account.nrql.results).toHaveLength(10);
    expect(r.body.data.actor.account.nrql.otherResult).toEqual({ count: 4 * 30 });
    r = await nrql(`SELECT count(*) FROM Transaction FACET tenant_id LIMIT MAX ${window()}`);
    expect(r.body.data.actor.account.nrql.results).toHaveLength(14);
    expect(r.body.data.actor.account.nrql.results[0]).toEqual({ facet: expect.any(String), tenant_id: expect.any(String), count: 30 });
    expect((await nrql(`SELECT count(*) FROM Transaction FACET tenant_id LIMIT 5001 ${window()}`)).body.errors[0].message).toMatch(
      /LIMIT 5001 is above the maximum/,
    );
    state.facetRows = 'attribute-only';
    r = await nrql(`SELECT count(*) FROM Transaction FACET \`tenant_id\` LIMIT MAX ${window()}`);
    expect(r.body.data.actor.account.nrql.results[0]).toEqual({ tenant_id: expect.any(String), count: 30 });
  });

  test('NR-12 uniques() lists distinct values', async () => {
    state.events = [...transactions(), ...transactions({ app: 'acme-api-staging', tenants: ['qa'] })];
    const r = await nrql(`SELECT uniques(appName) FROM Transaction ${window()}`);
    expect(r.body.data.actor.account.nrql.results[0]['uniques.appName'].sort()).toEqual(['acme-api', 'acme-api-staging']);
  });

  test('NR-13 appName scopes a query to one app', async () => {
    state.events = [...transactions(), ...transactions({ app: 'acme-api-staging', tenants: ['qa'] })];
    const count = async (where: string) => (await nrql(`SELECT count(*) FROM Transaction ${where} ${window()}`)).body.data.actor.account.nrql.results[0].count;
    expect(await count("WHERE appName = 'acme-api'")).toBe(360);
    expect(await count("WHERE appName = 'acme-api-staging'")).toBe(30);
  });

  test('NR-14 nrqlConditionsSearch pages with nextCursor until null, with terms', async () => {
    state.pageSize = 1;
    const q =
      'query($id: Int!, $cursor: String) { actor { account(id: $id) { alerts { nrqlConditionsSearch(cursor: $cursor) { nextCursor totalCount nrqlConditions { id terms { priority } } } } } } }';
    const first = (await post(q, { id: state.accountId })).body.data.actor.account.alerts.nrqlConditionsSearch;
    expect(first).toMatchObject({ totalCount: 2, nrqlConditions: [{ id: '9001', terms: [{ priority: 'CRITICAL' }] }], nextCursor: expect.any(String) });
    const second = (await post(q, { id: state.accountId, cursor: first.nextCursor })).body.data.actor.account.alerts.nrqlConditionsSearch;
    expect(second).toMatchObject({ nrqlConditions: [{ id: '9002' }], nextCursor: null });
    expect((await post(q, { id: state.accountId, cursor: 'bogus' })).body.errors[0].message).toBe('Invalid cursor');
  });

  test('NR-15 policiesSearch pages like conditions', async () => {
    state.pageSize = 1;
    state.policies.push({ id: '78', name: 'Batch jobs' });
    const q =
      'query($id: Int!, $cursor: String) { actor { account(id: $id) { alerts { policiesSearch(cursor: $cursor) { nextCursor policies { id name } } } } } }';
    const first = (await post(q, { id: state.accountId })).body.data.actor.account.alerts.policiesSearch;
    const second = (await post(q, { id: state.accountId, cursor: first.nextCursor })).body.data.actor.account.alerts.policiesSearch;
    expect([...first.policies, ...second.policies].map((p: any) => p.id)).toEqual(['77', '78']);
    expect(second.nextCursor).toBeNull();
  });

  test('NR-16 mutingRules is a plain list with status and the condition group', async () => {
    state.mutingRules = [
      {
        id: 'm1',
        name: 'deploy window',
        enabled: true,
        status: 'SCHEDULED',
        condition: { operator: 'AND', conditions: [{ attribute: 'policyId', operator: 'EQUALS', values: ['77'] }] },
      },
    ];
    const r = await post(
      'query($id: Int!) { actor { account(id: $id) { alerts { mutingRules { id enabled status condition { operator conditions { attribute operator values } } } } } } }',
      { id: state.accountId },
    );
    expect(r.body.data.actor.account.alerts.mutingRules).toEqual([
      {
        id: 'm1',
        enabled: true,
        status: 'SCHEDULED',
        condition: { operator: 'AND', conditions: [{ attribute: 'policyId', operator: 'EQUALS', values: ['77'] }] },
      },
    ]);
    expect(
      (await post('query($id: Int!) { actor { account(id: $id) { alerts { mutingRules(cursor: "x") { id } } } } }', { id: state.accountId })).body.errors[0]
        .message,
    ).toBe('Unknown argument "cursor" on field "AlertsAccountStitchedFields.mutingRules".');
  });

  test('NR-17 workflows carry their muting handling', async () => {
    const r = await post('query($id: Int!) { actor { account(id: $id) { aiWorkflows { workflows { entities { mutingRulesHandling } } } } } }', {
      id: state.accountId,
    });
    expect(r.body.data.actor.account.aiWorkflows.workflows.entities).toEqual([{ mutingRulesHandling: 'DONT_NOTIFY_FULLY_MUTED_ISSUES' }]);
  });

  test('NR-18 workflows page with a cursor and carry enabled flags, filter and destinations', async () => {
    state.pageSize = 1;
    state.workflows.push({ ...state.workflows[0], id: 'wf-2', name: 'Second' });
    const q =
      'query($id: Int!, $cursor: String) { actor { account(id: $id) { aiWorkflows { workflows(cursor: $cursor) { nextCursor totalCount entities { id workflowEnabled destinationsEnabled issuesFilter { type predicates { attribute operator values } } destinationConfigurations { channelId type notificationTriggers } } } } } } }';
    const first = (await post(q, { id: state.accountId })).body.data.actor.account.aiWorkflows.workflows;
    expect(first).toMatchObject({ totalCount: 2, entities: [{ id: 'wf-1', workflowEnabled: true, destinationsEnabled: true }] });
    const second = (await post(q, { id: state.accountId, cursor: first.nextCursor })).body.data.actor.account.aiWorkflows.workflows;
    expect(second).toMatchObject({ nextCursor: null, entities: [{ id: 'wf-2' }] });
  });

  test('NR-19 issue filters are served as predicates (attribute, operator, values) with a filter type', async () => {
    const r = await post(
      'query($id: Int!) { actor { account(id: $id) { aiWorkflows { workflows { entities { issuesFilter { type predicates { attribute operator values } } } } } } } }',
      { id: state.accountId },
    );
    expect(r.body.data.actor.account.aiWorkflows.workflows.entities[0].issuesFilter).toEqual({
      type: 'FILTER',
      predicates: [
        { attribute: 'labels.policyIds', operator: 'EXACTLY_MATCHES', values: ['77'] },
        { attribute: 'priority', operator: 'EQUAL', values: ['CRITICAL'] },
      ],
    });
  });

  test('NR-20 the healthy setup filters on attributes known from the condition (policy IDs, priority)', () => {
    const attributes = state.workflows.flatMap((w) => w.issuesFilter.predicates.map((p) => p.attribute));
    expect(attributes).toEqual(['labels.policyIds', 'priority']);
    expect(state.conditions.flatMap((c) => c.terms.map((t) => t.priority))).toEqual(['CRITICAL', 'CRITICAL', 'WARNING']);
  });

  test('NR-21 destinations list their notification triggers', async () => {
    const r = await post(
      'query($id: Int!) { actor { account(id: $id) { aiWorkflows { workflows { entities { destinationConfigurations { notificationTriggers } } } } } } }',
      { id: state.accountId },
    );
    expect(r.body.data.actor.account.aiWorkflows.workflows.entities[0].destinationConfigurations[0].notificationTriggers).toContain('ACTIVATED');
  });

  test('NR-22 channels filtered by ids, with active and status', async () => {
    state.channels.push({ id: 'ch-2', name: 'old-slack', type: 'SLACK', active: false, status: 'DEFAULT' });
    const r = await post(
      'query($id: Int!, $filters: AiNotificationsChannelFilter) { actor { account(id: $id) { aiNotifications { channels(filters: $filters) { nextCursor entities { id active status } } } } } }',
      {
        id: state.accountId,
        filters: { ids: ['ch-2'] },
      },
    );
    expect(r.body.data.actor.account.aiNotifications.channels).toEqual({ nextCursor: null, entities: [{ id: 'ch-2', active: false, status: 'DEFAULT' }] });
  });
});
