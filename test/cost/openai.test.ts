import { formatDecimal } from '../../lambda/checks/cost/money';
import { redact } from '../../lambda/core/redact';
import { OpenAiCostsBill } from '../../lambda/sources/openai/costs';
import type { SecretResolver } from '../../lambda/core/secrets';
import { setEnv } from '../standins/dynalite';
import { startOpenAiCosts, type OpenAiCost } from '../standins/openai';

const KEY = 'sk-admin-local-test-0123456789abcdef';
const plain: SecretResolver = { resolve: async (v) => v, json: async () => ({}) };
const never = new AbortController().signal;
const WINDOW = { from: '2024-05-01', to: '2024-05-10', label: 'test' };

describe('OpenAiCostsBill against a local organization costs API', () => {
  const costs: OpenAiCost[] = [
    { day: '2024-04-30', project: 'proj_a', value: 1000 }, // before the window
    ...Array.from({ length: 10 }, (_, i): OpenAiCost => ({ day: `2024-05-${String(i + 1).padStart(2, '0')}`, project: 'proj_a', value: 0.1 })),
    { day: '2024-05-03', project: 'proj_b', value: 2.345678 },
    { day: '2024-05-07', project: null, value: 0.06 },
    { day: '2024-05-11', project: 'proj_b', value: 500 }, // the day after --to
  ];

  it('follows every page over the window (end_time exclusive) and groups by project', async () => {
    const api = await startOpenAiCosts({ adminKeys: [KEY], costs });
    try {
      const out = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: api.baseUrl, pageSize: 3 }, plain).fetch(WINDOW, never);
      expect(api.requests).toHaveLength(4); // 10 daily buckets, 3 per page
      const first = api.requests[0].searchParams;
      expect(first.get('start_time')).toBe(String(Date.UTC(2024, 4, 1) / 1000));
      expect(first.get('end_time')).toBe(String(Date.UTC(2024, 4, 11) / 1000));
      expect(first.get('bucket_width')).toBe('1d');
      expect(first.get('group_by')).toBe('project_id');
      expect(api.requests[1].searchParams.get('page')).toMatch(/^page_/);
      expect(Object.fromEntries([...out.groups].map(([k, v]) => [k, formatDecimal(v, 6)]))).toEqual({
        proj_a: '1.000000', // ten times 0.1, exactly
        proj_b: '2.345678',
        '': '0.060000',
      });
    } finally {
      await api.stop();
    }
  });

  it('reads amount.value sent as a decimal string (as the live API has) exactly, like a number', async () => {
    const api = await startOpenAiCosts({ adminKeys: [KEY], costs, amountAs: 'string' });
    try {
      const out = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: api.baseUrl }, plain).fetch(WINDOW, never);
      expect(Object.fromEntries([...out.groups].map(([k, v]) => [k, formatDecimal(v, 6)]))).toEqual({ proj_a: '1.000000', proj_b: '2.345678', '': '0.060000' });
    } finally {
      await api.stop();
    }
  });

  it('takes the base URL from OPENAI_BASE_URL when the source names none, as OpenAI SDKs do', async () => {
    const api = await startOpenAiCosts({ adminKeys: [KEY], costs });
    const restore = setEnv({ OPENAI_BASE_URL: api.baseUrl });
    try {
      const out = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY }, plain).fetch(WINDOW, never);
      expect(out.source).toBe(`OpenAI organization costs by project (${api.baseUrl}, 1 page(s))`);
      expect(api.requests).toHaveLength(1);
    } finally {
      restore();
      await api.stop();
    }
  });

  it('ERRORs on a rejected admin key without ever showing the key', async () => {
    const api = await startOpenAiCosts({ adminKeys: ['sk-admin-the-right-one-xyz'], costs });
    try {
      const err = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: api.baseUrl }, plain).fetch(WINDOW, never).then(
        () => undefined,
        (e) => e,
      );
      expect(err.message).toMatch(/^OpenAI rejected the admin key \(HTTP 401: Incorrect API key provided: sk-\*+cdef\./);
      expect(redact(err.message)).not.toContain(KEY);
      expect(err.message).not.toContain(KEY);
      expect(err.remediation).toMatch(/admin key/);
    } finally {
      await api.stop();
    }
  });

  it('asks a rate-limited page again after the Retry-After wait, and reads the whole bill', async () => {
    const api = await startOpenAiCosts({ adminKeys: [KEY], costs, rateLimited: { times: 2, retryAfter: '0.2' } });
    try {
      const started = Date.now();
      const out = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: api.baseUrl }, plain).fetch(WINDOW, never);
      expect(Date.now() - started).toBeGreaterThanOrEqual(380); // two waits of 0.2 s
      expect(api.requests).toHaveLength(3);
      expect(formatDecimal(out.groups.get('proj_a')!, 6)).toBe('1.000000');
    } finally {
      await api.stop();
    }
  });

  it('ERRORs naming rate limiting once maxAttempts is spent, or when the wait asked for is past what the check may wait', async () => {
    const always = await startOpenAiCosts({ adminKeys: [KEY], costs, rateLimited: { retryAfter: '0' } });
    try {
      const err = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: always.baseUrl, maxAttempts: 3 }, plain).fetch(WINDOW, never).then(
        () => undefined,
        (e) => e,
      );
      expect(err.message).toBe('OpenAI rate-limited the costs API (HTTP 429: Rate limit reached for requests); still limited after 3 attempt(s)');
      expect(err.remediation).toMatch(/maxAttempts/);
      expect(always.requests).toHaveLength(3);
    } finally {
      await always.stop();
    }
    const long = await startOpenAiCosts({ adminKeys: [KEY], costs, rateLimited: { retryAfter: '60' } });
    try {
      const started = Date.now();
      const deadline = Date.now() + 5_000;
      const err = await new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: long.baseUrl }, plain, deadline).fetch(WINDOW, never).then(
        () => undefined,
        (e) => e,
      );
      expect(err.message).toBe(
        'OpenAI rate-limited the costs API (HTTP 429: Rate limit reached for requests); it asks to wait 60 s, beyond the 3 s this check may wait',
      );
      expect(long.requests).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await long.stop();
    }
  });

  it('ERRORs naming an unreachable endpoint', async () => {
    const api = await startOpenAiCosts({ adminKeys: [KEY], costs });
    await api.stop();
    await expect(new OpenAiCostsBill({ type: 'openai', adminKey: KEY, baseUrl: api.baseUrl }, plain).fetch(WINDOW, never)).rejects.toThrow(
      /connection refused to 127.0.0.1/,
    );
  });
});
