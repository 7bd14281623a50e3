import { createServer } from 'node:http';

/** One daily cost result as the OpenAI organization costs API reports it. */
export interface OpenAiCost {
  day: string;
  project: string | null;
  /** Dollars, as the API sends them: a JSON number. */
  value: number;
  currency?: string;
}

/**
 * A local OpenAI organization costs API (GET /v1/organization/costs): daily buckets in
 * [start_time, end_time), `limit` buckets per page, `page` / `next_page` / `has_more`, Bearer auth
 * answered with OpenAI's error shape.
 */
/** `rateLimited`: the first `times` requests (every one when omitted) answer HTTP 429 with this Retry-After. */
export async function startOpenAiCosts(opts: { adminKey: string; costs: OpenAiCost[]; rateLimited?: { times?: number; retryAfter?: string } }) {
  const requests: URL[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    requests.push(url);
    res.setHeader('Content-Type', 'application/json');
    const reply = (status: number, body: unknown) => {
      res.statusCode = status;
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/v1/organization/costs') return reply(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    if (req.headers.authorization !== `Bearer ${opts.adminKey}`) {
      const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      return reply(401, { error: { message: `Incorrect API key provided: ${given}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    }
    const limited = opts.rateLimited;
    if (limited && requests.length <= (limited.times ?? Infinity)) {
      if (limited.retryAfter !== undefined) res.setHeader('Retry-After', limited.retryAfter);
      return reply(429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } });
    }
    const start = Number(url.searchParams.get('start_time'));
    const end = Number(url.searchParams.get('end_time') ?? Date.now() / 1000);
    const limit = Number(url.searchParams.get('limit') ?? 7);
    const from = url.searchParams.get('page') ? Number(Buffer.from(url.searchParams.get('page')!.slice(5), 'base64').toString()) : start;
    const buckets = [];
    let t = from;
    for (; t < end && buckets.length < limit; t += 86_400) {
      const day = new Date(t * 1000).toISOString().slice(0, 10);
      const projects = [...new Set(opts.costs.filter((c) => c.day === day).map((c) => c.project))];
      buckets.push({
        object: 'bucket',
        start_time: t,
        end_time: t + 86_400,
        results: projects.map((p) => ({
          object: 'organization.costs.result',
          amount: { value: opts.costs.filter((c) => c.day === day && c.project === p).reduce((s, c) => s + c.value, 0), currency: opts.costs.find((c) => c.day === day && c.project === p)?.currency ?? 'usd' },
          line_item: null,
          project_id: p,
        })),
      });
    }
    const more = t < end;
    reply(200, { object: 'page', data: buckets, has_more: more, next_page: more ? `page_${Buffer.from(String(t)).toString('base64')}` : null });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    requests,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
