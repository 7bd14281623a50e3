import { healthyDatadog, startDatadog, type DatadogOrg } from './datadog';
import type { LocalServer } from './local-server';
import { alertHandles, datadogApiUrl, DATADOG_SITES, ruleRecipientsFor } from '../../lambda/sources/datadog/monitoring';

/** One test per rule of docs/contracts/datadog.md, named by its id: the stand-in answers as the rule says. */
describe('Datadog stand-in follows docs/contracts/datadog.md', () => {
  let org: DatadogOrg;
  let server: LocalServer;
  beforeAll(async () => {
    org = healthyDatadog();
    server = await startDatadog(org);
  });
  afterAll(() => server.close());
  beforeEach(() => Object.assign(org, healthyDatadog()));

  const keys = () => ({ 'DD-API-KEY': org.apiKey, 'DD-APPLICATION-KEY': org.appKey });
  const get = async (path: string, params: Record<string, string> = {}, headers: Record<string, string> = keys()) => {
    const url = new URL(server.url + path);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const post = async (path: string, body: unknown, headers: Record<string, string> = keys()) => {
    const res = await fetch(server.url + path, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const now = () => Math.floor(Date.now() / 1000);
  const aggregate = (query: string, facet?: string, limit?: number) => ({
    data: {
      type: 'aggregate_request',
      attributes: {
        compute: [{ aggregation: 'count', type: 'total' }],
        filter: { from: String(Date.now() - 3_600_000), to: String(Date.now()), query },
        ...(facet ? { group_by: [{ facet, ...(limit ? { limit } : {}) }] } : {}),
      },
    },
  });

  test('D1 sites: api.<site> for each documented site', () => {
    expect(DATADOG_SITES).toEqual([
      'datadoghq.com',
      'us3.datadoghq.com',
      'us5.datadoghq.com',
      'datadoghq.eu',
      'ap1.datadoghq.com',
      'ap2.datadoghq.com',
      'uk1.datadoghq.com',
      'ddog-gov.com',
      'us2.ddog-gov.com',
    ]);
    for (const site of DATADOG_SITES) expect(datadogApiUrl({ site }, {})).toBe(`https://api.${site}`);
  });

  test('D2 keys in headers: a key in the query string is not accepted', async () => {
    const r = await get('/api/v1/monitor', { api_key: org.apiKey, application_key: org.appKey }, {});
    expect(r.status).toBe(403);
  });

  test('D3 which key where: validate needs the API key only, reads need both', async () => {
    expect((await get('/api/v1/validate', {}, { 'DD-API-KEY': org.apiKey })).status).toBe(200);
    for (const path of ['/api/v1/metrics', '/api/v1/query', '/api/v1/monitor', '/api/v2/monitor/notification_rule']) {
      expect((await get(path, { from: String(now() - 60), to: String(now()), query: 'avg:x{*}' }, { 'DD-API-KEY': org.apiKey })).status).toBe(403);
    }
    expect((await post('/api/v2/spans/analytics/aggregate', aggregate('*'), { 'DD-API-KEY': org.apiKey })).status).toBe(403);
  });

  test('D4 validate: {"valid": true}, or 403 for an invalid API key', async () => {
    expect(await get('/api/v1/validate', {}, { 'DD-API-KEY': org.apiKey })).toMatchObject({ status: 200, body: { valid: true } });
    expect((await get('/api/v1/validate', {}, { 'DD-API-KEY': 'revoked' })).status).toBe(403);
  });

  test('D5 error shape: {"errors": [strings]} on 400 and 403', async () => {
    const bad = await get('/api/v1/query', { query: 'avg:x{*}' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.any(String)]);
    expect((await get('/api/v1/monitor', {}, {})).body).toEqual({ errors: ['Forbidden'] });
  });

  test('D6 auth failures: a wrong application key is 403 on every read', async () => {
    expect((await get('/api/v1/monitor', {}, { 'DD-API-KEY': org.apiKey, 'DD-APPLICATION-KEY': 'wrong' })).status).toBe(403);
  });

  test('D7 rate limits: 429 with the X-RateLimit-* headers, reset in seconds', async () => {
    org.rateLimited = 1;
    const r = await get('/api/v1/validate', {}, { 'DD-API-KEY': org.apiKey });
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ errors: ['Rate limit exceeded'] });
    for (const h of ['limit', 'period', 'remaining', 'reset', 'name']) expect(r.headers.get(`x-ratelimit-${h}`)).toBeTruthy();
    expect(Number(r.headers.get('x-ratelimit-reset'))).toBe(1);
  });

  test('M1 active metrics: names reporting since from, filtered by tag_filter; from required', async () => {
    const r = await get('/api/v1/metrics', { from: String(now() - 3600), tag_filter: 'env:prod AND service:api' });
    expect(r.body).toEqual({ from: expect.any(String), metrics: ['trace.express.request', 'trace.express.request.duration', 'trace.express.request.hits'] });
    expect((await get('/api/v1/metrics', { tag_filter: 'env:prod' })).status).toBe(400);
  });

  test('M2 query parameters: from, to (seconds) and query are required', async () => {
    expect((await get('/api/v1/query', { from: String(now() - 60), query: 'avg:x{*}' })).status).toBe(400);
    expect((await get('/api/v1/query', { from: String(now() - 60), to: String(now()), query: 'sum:trace.express.request.hits{*}.as_count()' })).status).toBe(
      200,
    );
  });

  test('M3 query answer: status ok, series with scope, tag_set and [ms, value] points', async () => {
    const to = now();
    const r = await get('/api/v1/query', { from: String(to - 900), to: String(to), query: 'sum:trace.express.request.hits{env:prod}.as_count()' });
    expect(r.body).toMatchObject({ status: 'ok', res_type: 'time_series', from_date: (to - 900) * 1000, to_date: to * 1000 });
    const [s] = r.body.series;
    expect(s).toMatchObject({ metric: 'trace.express.request.hits', query_index: 0, scope: 'env:prod' });
    for (const [t, v] of s.pointlist) {
      expect(t).toBeGreaterThanOrEqual((to - 900) * 1000);
      expect(t).toBeLessThan(to * 1000);
      expect(typeof v).toBe('number');
    }
    const broken = await get('/api/v1/query', { from: String(to - 900), to: String(to), query: 'this is not a query' });
    expect(broken.body).toMatchObject({ status: 'error', error: expect.stringContaining('parsing') });
  });

  test('M4 several queries in one request: series carry their query_index', async () => {
    const to = now();
    const r = await get('/api/v1/query', {
      from: String(to - 900),
      to: String(to),
      query: 'sum:trace.express.request.hits{env:prod}.as_count(),avg:trace.express.request{env:prod}',
    });
    expect(r.body.series.map((s: any) => [s.query_index, s.metric])).toEqual([
      [0, 'trace.express.request.hits'],
      [1, 'trace.express.request'],
    ]);
  });

  test('M5 no data is no series: an unknown metric answers status ok with series []', async () => {
    const r = await get('/api/v1/query', { from: String(now() - 900), to: String(now()), query: 'sum:trace.http.request.hits{env:prod}.as_count()' });
    expect(r.body).toMatchObject({ status: 'ok', series: [] });
  });

  test('T1 metric names: trace.<operation name>.*, so trace.http.request.* is empty for an Express service', async () => {
    const r = await get('/api/v1/metrics', { from: String(now() - 3600), tag_filter: 'env:prod' });
    expect(r.body.metrics).toContain('trace.express.request.hits');
    expect(r.body.metrics).not.toContain('trace.http.request.hits');
  });

  test('T2 suffixes: hits (count), errors (count), trace.<span> (latency distribution)', async () => {
    const to = now();
    const r = await get('/api/v1/query', { from: String(to - 300), to: String(to), query: 'avg:trace.express.request{env:prod}' });
    expect(r.body.series[0].pointlist[0][1]).toBeCloseTo(0.12);
  });

  test('T3 trace-metric tags: grouping trace.* by a span attribute shows no tenants, only N/A', async () => {
    const to = now();
    const r = await get('/api/v1/query', {
      from: String(to - 3600),
      to: String(to),
      query: 'sum:trace.express.request.hits{env:prod} by {tenant_id}.as_count()',
    });
    expect(r.body.series).toHaveLength(1);
    expect(r.body.series[0]).toMatchObject({ scope: 'tenant_id:N/A', tag_set: [] });
    const byService = await get('/api/v1/query', { from: String(to - 3600), to: String(to), query: 'sum:trace.express.request.hits{*} by {env}.as_count()' });
    expect(byService.body.series.map((s: any) => s.tag_set)).toEqual([['env:prod'], ['env:staging']]);
  });

  test('T4 errors are a sparse count: no error points while hits flow on an error-free service', async () => {
    const to = now();
    const q = (m: string) => get('/api/v1/query', { from: String(to - 900), to: String(to), query: `sum:trace.express.request.${m}{env:prod}.as_count()` });
    expect((await q('errors')).body.series).toEqual([]);
    expect((await q('hits')).body.series).toHaveLength(1);
    org.services[0].errorsPerMinute = 2;
    expect((await q('errors')).body.series).toHaveLength(1);
  });

  test('T5 env is the primary tag: env:prod and env:staging are separate', async () => {
    const to = now();
    const r = await get('/api/v1/query', {
      from: String(to - 900),
      to: String(to),
      query: 'sum:trace.express.request.errors{env:prod}.as_count(),sum:trace.express.request.errors{env:staging}.as_count()',
    });
    expect(r.body.series.map((s: any) => s.query_index)).toEqual([1]);
  });

  test('T6 custom span tags are @ attributes: the spans API groups by @tenant_id', async () => {
    const r = await post('/api/v2/spans/analytics/aggregate', aggregate('env:prod service:api', '@tenant_id', 1000));
    expect(r.body.data).toHaveLength(12);
    expect(r.body.data[0].attributes.by).toEqual({ '@tenant_id': expect.stringMatching(/^tenant-\d\d$/) });
    const unprefixed = await post('/api/v2/spans/analytics/aggregate', aggregate('env:prod', 'tenant_id', 1000));
    expect(unprefixed.body.data).toEqual([]);
  });

  test('T7 spans aggregate: request type, bucket shape, compute.c0, group_by limit defaults to 10', async () => {
    expect((await post('/api/v2/spans/analytics/aggregate', { data: { type: 'search_request', attributes: {} } })).status).toBe(400);
    const r = await post('/api/v2/spans/analytics/aggregate', aggregate('env:prod', '@tenant_id'));
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(10);
    expect(r.body.data[0]).toMatchObject({
      type: 'bucket',
      id: expect.any(String),
      attributes: { by: { '@tenant_id': expect.any(String) }, compute: { c0: expect.any(Number) } },
    });
  });

  test('T8 indexed spans only: a span-based metric tagged by tenant is the 100 % alternative', async () => {
    org.customMetrics = [
      { name: 'api.requests.by_tenant', series: ['tenant-01', 'tenant-02'].map((t) => ({ tags: ['env:prod', `tenant_id:${t}`], perMinute: 30 })) },
    ];
    const to = now();
    const r = await get('/api/v1/query', { from: String(to - 3600), to: String(to), query: 'sum:api.requests.by_tenant{env:prod} by {tenant_id}.as_count()' });
    expect(r.body.series.map((s: any) => s.tag_set)).toEqual([['tenant_id:tenant-01'], ['tenant_id:tenant-02']]);
  });

  test('T9 partial answers: meta.status says done or timeout', async () => {
    const r = await post('/api/v2/spans/analytics/aggregate', aggregate('env:prod', '@tenant_id', 100));
    expect(r.body.meta).toMatchObject({ status: 'done', request_id: expect.any(String) });
  });

  test('N1 monitors list: a JSON list of monitors with id, query, message, tags, state', async () => {
    const r = await get('/api/v1/monitor');
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body[0]).toMatchObject({
      id: 101,
      type: 'query alert',
      query: expect.any(String),
      message: expect.any(String),
      tags: expect.any(Array),
      overall_state: 'OK',
    });
  });

  test('N2 paging: unpaged without page; page_size defaults to 100, at most 1000', async () => {
    org.monitors = Array.from({ length: 250 }, (_, i) => ({ id: i + 1, type: 'query alert', query: 'avg(last_5m):avg:x{*} > 1' }));
    expect((await get('/api/v1/monitor')).body).toHaveLength(250);
    expect((await get('/api/v1/monitor', { page: '2' })).body).toHaveLength(50);
    expect((await get('/api/v1/monitor', { page: '0', page_size: '1000' })).body).toHaveLength(250);
    expect((await get('/api/v1/monitor', { page: '0', page_size: '1001' })).status).toBe(400);
  });

  test('N3 filters: monitor_tags keeps monitors carrying every listed tag', async () => {
    expect((await get('/api/v1/monitor', { monitor_tags: 'service:api,env:staging' })).body.map((m: any) => m.id)).toEqual([201, 202]);
  });

  test('N4 downtimes: matching_downtimes only with with_downtimes=true', async () => {
    (org.monitors[0] as any).matching_downtimes = [{ id: 55, scope: ['env:prod'], start: 1, end: null }];
    expect((await get('/api/v1/monitor', { with_downtimes: 'true' })).body[0].matching_downtimes).toEqual([
      { id: 55, scope: ['env:prod'], start: 1, end: null },
    ]);
    expect((await get('/api/v1/monitor')).body[0]).not.toHaveProperty('matching_downtimes');
  });

  test('N5 drafts: draft_status is published or draft', async () => {
    (org.monitors[1] as any).draft_status = 'draft';
    expect((await get('/api/v1/monitor')).body.map((m: any) => m.draft_status)).toEqual(['published', 'draft', undefined, undefined]);
  });

  test('N6 @-notifications: handles and e-mail handles, not bare e-mail addresses', () => {
    expect(alertHandles('Down! @slack-sre @pagerduty-API, mail @a.b@example.com; foo@bar.com (@opsgenie-db)')).toEqual([
      '@slack-sre',
      '@pagerduty-API',
      '@a.b@example.com',
      '@opsgenie-db',
    ]);
  });

  test('N7 conditional blocks: handles reachable on alert count, recovery-only and negated ones do not', () => {
    expect(alertHandles('{{#is_alert}}@pagerduty-sre{{/is_alert}}')).toEqual(['@pagerduty-sre']);
    expect(alertHandles('{{#is_alert}}page @pagerduty-sre{{else}}@slack-quiet{{/is_alert}}')).toEqual(['@pagerduty-sre']);
    expect(alertHandles('{{#is_recovery}}@slack-ok{{/is_recovery}} {{#is_warning}}@slack-warn{{/is_warning}} {{^is_alert}}@slack-x{{/is_alert}}')).toEqual([]);
    expect(alertHandles('{{#is_match "env.name" "prod"}}@pagerduty-prod{{/is_match}}')).toEqual(['@pagerduty-prod']);
    expect(alertHandles('{{^is_renotify}}@team-api{{/is_renotify}}{{#is_renotify}}@pagerduty-escalate{{/is_renotify}}')).toEqual(['@team-api']);
    expect(alertHandles('{{#is_no_data}}{{#is_alert}}@never{{/is_alert}}{{/is_no_data}}')).toEqual([]);
  });

  test('N8 notification rules: data[] of monitor-notification-rule, paged by page and per_page', async () => {
    org.notificationRules = Array.from({ length: 3 }, (_, i) => ({
      type: 'monitor-notification-rule',
      id: `r${i}`,
      attributes: { name: `rule ${i}`, filter: { tags: ['team:api'] }, recipients: ['slack-x'] },
    }));
    expect((await get('/api/v2/monitor/notification_rule', { page: '0', per_page: '2' })).body.data.map((r: any) => r.id)).toEqual(['r0', 'r1']);
    expect((await get('/api/v2/monitor/notification_rule', { page: '1', per_page: '2' })).body.data.map((r: any) => r.id)).toEqual(['r2']);
    expect((await get('/api/v2/monitor/notification_rule')).body.data[0].attributes.recipients).toEqual(['slack-x']);
  });

  test('N9 rule routing: tags AND-ed over monitor and group tags; scopes; conditional recipients on alert', () => {
    const monitor = { tags: ['team:api', 'env:prod'], query: 'avg(last_5m):avg:trace.express.request{service:api} by {region} > 1' };
    const rule = (attributes: Record<string, unknown>) => ({ type: 'monitor-notification-rule', id: 'r', attributes: { name: 'r', ...attributes } });
    expect(ruleRecipientsFor(monitor, [rule({ filter: { tags: ['team:api', 'env:prod'] }, recipients: ['slack-a'] })])).toEqual(['@slack-a']);
    expect(ruleRecipientsFor(monitor, [rule({ filter: { tags: ['team:api', 'env:staging'] }, recipients: ['slack-a'] })])).toEqual([]);
    expect(ruleRecipientsFor(monitor, [rule({ filter: { tags: ['region:eu'] }, recipients: ['slack-eu'] })])).toEqual(['@slack-eu']);
    expect(ruleRecipientsFor(monitor, [rule({ filter: { scope: 'team:api AND NOT env:staging' }, recipients: ['slack-s'] })])).toEqual(['@slack-s']);
    expect(ruleRecipientsFor(monitor, [rule({ filter: { scope: 'team:web OR (env:prod AND team:api)' }, recipients: ['slack-o'] })])).toEqual(['@slack-o']);
    const conditional = rule({
      filter: { tags: ['team:api'] },
      conditional_recipients: {
        conditions: [
          { scope: 'transition_type:is_alert', recipients: ['pagerduty-api'] },
          { scope: 'transition_type:is_recovery', recipients: ['slack-ok'] },
        ],
        fallback_recipients: ['slack-fallback'],
      },
    });
    expect(ruleRecipientsFor(monitor, [conditional])).toEqual(['@pagerduty-api']);
  });
});
