import { formatDecimal } from '../../lambda/checks/cost/money';
import type { SecretResolver } from '../../lambda/core/secrets';
import { OpenAiCostsBill } from '../../lambda/sources/openai/costs';
import { startOpenAiCosts, type OpenAiCost, type OpenAiCostsOptions, type OpenAiStandIn } from './openai';

/**
 * The OpenAI costs stand-in against docs/contracts/openai-costs.md, one test per rule: through the
 * adapter's own HTTP path (OpenAiCostsBill) where the adapter sends the request, and with plain
 * fetch for requests the adapter never sends (the refusals).
 */
const ADMIN = 'sk-admin-standin-0123456789abcdef';
const PROJECT = 'sk-proj-standin-0123456789abcdef';
const plain: SecretResolver = { resolve: async (v) => v, json: async () => ({}) };
const never = new AbortController().signal;
const MAY1 = Date.UTC(2024, 4, 1) / 1000;
const costs: OpenAiCost[] = [
  { day: '2024-05-01', project: 'proj_a', value: 1.25, lineItem: 'gpt-4o, input' },
  { day: '2024-05-01', project: 'proj_a', value: 0.75, lineItem: 'gpt-4o, output' },
  { day: '2024-05-02', project: null, value: 0.06 },
  { day: '2024-05-03', project: 'proj_b', value: 2 },
];

let api: OpenAiStandIn;
async function start(opts: Partial<OpenAiCostsOptions> = {}) {
  await api?.stop();
  api = await startOpenAiCosts({ adminKeys: [ADMIN], projectKeys: [PROJECT], costs, ...opts });
}
/** A raw request; the JSON bodies are asserted field by field, so they are typed loosely. */
type JsonResponse = Omit<Response, 'json'> & { json(): Promise<any> };
const get = (query: string, key: string | null = ADMIN): Promise<JsonResponse> =>
  fetch(`${api.baseUrl}/organization/costs?${query}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
const bill = (over: Record<string, unknown> = {}) => new OpenAiCostsBill({ type: 'openai', adminKey: ADMIN, baseUrl: api.baseUrl, ...over }, plain);
const WINDOW = { from: '2024-05-01', to: '2024-05-03', label: 'test' };

beforeAll(() => start());
afterAll(() => api.stop());

describe('OpenAI costs stand-in (docs/contracts/openai-costs.md)', () => {
  it('OA-1: GET {base}/organization/costs; other paths are 404 with the error object', async () => {
    await bill().fetch(WINDOW, never);
    expect(api.requests.at(-1)!.pathname).toBe('/v1/organization/costs');
    const res = await fetch(`${api.baseUrl}/organization/usage/completions`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.status).toBe(404);
  });

  it('OA-2: an admin key as a Bearer token; none at all is 401', async () => {
    const res = await get(`start_time=${MAY1}`, null);
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toMatch(/^You didn't provide an API key/);
  });

  it('OA-3: start_time is required (integer seconds, inclusive)', async () => {
    const res = await get('limit=1');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toEqual({
      message: "Missing required parameter: 'start_time'.",
      type: 'invalid_request_error',
      param: 'start_time',
      code: null,
    });
    const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 86_400}&bucket_width=1d`)).json();
    expect(body.data[0].start_time).toBe(MAY1);
  });

  it('OA-4: end_time is exclusive', async () => {
    const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 2 * 86_400}&limit=31`)).json();
    expect(body.data.map((b: { start_time: number }) => b.start_time)).toEqual([MAY1, MAY1 + 86_400]);
  });

  it('OA-5: bucket_width is only 1d', async () => {
    const res = await get(`start_time=${MAY1}&bucket_width=1h`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'bucket_width' });
  });

  it('OA-6: group_by takes project_id, line_item, api_key_id, repeated', async () => {
    const both = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 86_400}&group_by=project_id&group_by=line_item`)).json();
    expect(both.data[0].results.map((r: { line_item: string }) => r.line_item)).toEqual(['gpt-4o, input', 'gpt-4o, output']);
    expect((await get(`start_time=${MAY1}&group_by=model`)).status).toBe(400);
  });

  it('OA-7: limit is 1–180 buckets a page', async () => {
    expect((await get(`start_time=${MAY1}&limit=0`)).status).toBe(400);
    expect((await get(`start_time=${MAY1}&limit=181`)).status).toBe(400);
    const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 3 * 86_400}&limit=2`)).json();
    expect(body.data).toHaveLength(2);
  });

  it('OA-8: page continues from the previous next_page', async () => {
    await bill({ pageSize: 1 }).fetch(WINDOW, never);
    const pages = api.requests.slice(-3).map((u) => u.searchParams.get('page'));
    expect(pages[0]).toBeNull();
    expect(pages.slice(1)).toEqual([expect.stringMatching(/^page_/), expect.stringMatching(/^page_/)]);
  });

  it('OA-9: the page has object, data, has_more and next_page', async () => {
    const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 3 * 86_400}&limit=2`)).json();
    expect(body).toEqual({ object: 'page', data: expect.any(Array), has_more: true, next_page: expect.any(String) });
  });

  it('OA-10: a bucket has object, start_time, end_time and results', async () => {
    const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 86_400}`)).json();
    expect(body.data[0]).toEqual({ object: 'bucket', start_time: MAY1, end_time: MAY1 + 86_400, results: expect.any(Array) });
  });

  it('OA-11: a result has amount {value, currency "usd"} and project_id null outside any project', async () => {
    const body = await (await get(`start_time=${MAY1 + 86_400}&end_time=${MAY1 + 2 * 86_400}&group_by=project_id`)).json();
    expect(body.data[0].results[0]).toMatchObject({ object: 'organization.costs.result', amount: { value: 0.06, currency: 'usd' }, project_id: null });
  });

  it('OA-12: amount.value may arrive as a JSON string', async () => {
    await start({ amountAs: 'string' });
    try {
      const body = await (await get(`start_time=${MAY1}&end_time=${MAY1 + 86_400}&group_by=project_id`)).json();
      expect(body.data[0].results[0].amount).toEqual({ value: '2', currency: 'usd' });
      const out = await bill().fetch(WINDOW, never);
      expect(formatDecimal(out.groups.get('proj_a')!, 2)).toBe('2.00');
    } finally {
      await start();
    }
  });

  it('OA-13: errors are {error: {message, type, param, code}}', async () => {
    const res = await get(`start_time=${MAY1}`, 'sk-admin-wrong-key-000000000000');
    expect(Object.keys((await res.json()).error).sort()).toEqual(['code', 'message', 'param', 'type']);
  });

  it('OA-14: a wrong key and a project key are both 401', async () => {
    const wrong = await get(`start_time=${MAY1}`, 'sk-admin-wrong-key-000000000000');
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toMatchObject({
      code: 'invalid_api_key',
      message: expect.stringMatching(/^Incorrect API key provided: sk-\*{5}0000\./),
    });
    expect((await get(`start_time=${MAY1}`, PROJECT)).status).toBe(401);
  });

  it('OA-15: a parameter outside the schema is a 400 invalid_request_error naming it', async () => {
    const res = await get('start_time=yesterday');
    expect((await res.json()).error).toMatchObject({ type: 'invalid_request_error', param: 'start_time' });
  });

  it('OA-16: 429 with Retry-After while rate-limited', async () => {
    await start({ rateLimited: { times: 1, retryAfter: '1' } });
    try {
      const res = await get(`start_time=${MAY1}`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await res.json()).error.code).toBe('rate_limit_exceeded');
      expect((await get(`start_time=${MAY1}`)).status).toBe(200);
    } finally {
      await start();
    }
  });
});
