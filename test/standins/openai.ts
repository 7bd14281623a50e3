import type { ServerResponse } from 'node:http';
import { listenLocal } from './aws-wire';

/**
 * A local OpenAI organization costs API (`GET /v1/organization/costs`) as
 * docs/contracts/openai-costs.md describes it (rule ids in the comments): admin-key auth, the
 * spec's parameter constraints refused with OpenAI's error object, daily buckets in
 * [start_time, end_time), `limit` buckets a page, `page`/`next_page`/`has_more`, 429 with Retry-After.
 */
export interface OpenAiCost {
  day: string;
  /** null: costs outside any project. */
  project: string | null;
  lineItem?: string;
  /** Dollars. */
  value: number;
  /** Lower-case ISO-4217. Default usd. */
  currency?: string;
}

export interface OpenAiCostsOptions {
  /** The organization's admin keys. */
  adminKeys: string[];
  /** Keys that are valid but project-scoped: they cannot read organization costs (OA-14). */
  projectKeys?: string[];
  costs: OpenAiCost[];
  /** How `amount.value` is sent: a JSON number (the spec) or a string (as the live API has sent it, OA-12). */
  amountAs?: 'number' | 'string';
  /** The first `times` requests (every one when omitted) answer HTTP 429, with Retry-After when given (OA-16). */
  rateLimited?: { times?: number; retryAfter?: string };
}

export interface OpenAiStandIn {
  /** The base URL to configure: `http://127.0.0.1:PORT/v1`. */
  baseUrl: string;
  requests: URL[];
  stop(): Promise<void>;
}

const DAY = 86_400;

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  param: string | null,
  code: string | null,
  headers: Record<string, string> = {},
): void {
  // OA-13: {error: {message, type, param, code}}, all four present.
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param, code } }));
}

/** Sums `values` exactly at 10 decimals, as a provider's ledger would, then gives the shortest decimal text. */
function sum(values: number[]): string {
  let total = 0n;
  for (const v of values) {
    const [int, frac = ''] = Math.abs(v).toFixed(10).split('.');
    const units = BigInt(int) * 10n ** 10n + BigInt(frac);
    total += v < 0 ? -units : units;
  }
  const neg = total < 0n;
  const a = neg ? -total : total;
  const text = `${a / 10n ** 10n}.${(a % 10n ** 10n).toString().padStart(10, '0')}`.replace(/\.?0+$/, '');
  return `${neg ? '-' : ''}${text}`;
}

export async function startOpenAiCosts(opts: OpenAiCostsOptions): Promise<OpenAiStandIn> {
  const requests: URL[] = [];
  const server = await listenLocal((req, _raw, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    requests.push(url);
    if (url.pathname !== '/v1/organization/costs' || req.method !== 'GET') {
      return sendError(res, 404, `Invalid URL (${req.method} ${url.pathname})`, 'invalid_request_error', null, null);
    }
    // OA-2, OA-14
    const auth = req.headers.authorization;
    if (!auth) {
      return sendError(
        res,
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        'invalid_request_error',
        null,
        null,
      );
    }
    const key = auth.replace(/^Bearer /, '');
    if (opts.projectKeys?.includes(key)) {
      // HTTP 401 as reported for project keys; the message wording is not documented.
      return sendError(
        res,
        401,
        'You have insufficient permissions for this operation. Missing scopes: api.usage.read. Organization admin keys are required for this endpoint.',
        'invalid_request_error',
        null,
        null,
      );
    }
    if (!auth.startsWith('Bearer ') || !opts.adminKeys.includes(key)) {
      const shown = key.length > 8 ? `${key.slice(0, 3)}*****${key.slice(-4)}` : key;
      return sendError(
        res,
        401,
        `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_request_error',
        null,
        'invalid_api_key',
      );
    }
    // OA-16
    const limited = opts.rateLimited;
    if (limited && requests.length <= (limited.times ?? Infinity)) {
      return sendError(
        res,
        429,
        'Rate limit reached for requests',
        'requests',
        null,
        'rate_limit_exceeded',
        limited.retryAfter !== undefined ? { 'retry-after': limited.retryAfter } : {},
      );
    }
    // OA-3..OA-8: the spec's parameter schemas.
    const q = url.searchParams;
    const integer = (name: string) => {
      const text = q.get(name);
      return text !== null && /^-?\d+$/.test(text) ? Number(text) : undefined;
    };
    const bad = (param: string, message: string) => sendError(res, 400, message, 'invalid_request_error', param, null);
    if (q.get('start_time') === null) return bad('start_time', "Missing required parameter: 'start_time'.");
    const start = integer('start_time');
    if (start === undefined) return bad('start_time', `Invalid value for 'start_time': expected an integer.`);
    const end = q.get('end_time') === null ? Math.floor(Date.now() / 1000) : integer('end_time');
    if (end === undefined) return bad('end_time', `Invalid value for 'end_time': expected an integer.`);
    const width = q.get('bucket_width') ?? '1d';
    if (width !== '1d') return bad('bucket_width', `Invalid value for 'bucket_width': '${width}'. Supported values are: '1d'.`);
    const groupBy = q.getAll('group_by');
    for (const g of groupBy) if (!['project_id', 'line_item', 'api_key_id'].includes(g)) return bad('group_by', `Invalid value for 'group_by': '${g}'.`);
    const limit = q.get('limit') === null ? 7 : integer('limit');
    if (limit === undefined || limit < 1 || limit > 180) return bad('limit', `Invalid value for 'limit': must be between 1 and 180.`);
    let from = start;
    const page = q.get('page');
    if (page !== null) {
      const cursor = /^page_(\d+)$/.exec(page);
      if (!cursor) return bad('page', 'Invalid page cursor.');
      from = Number(cursor[1]);
    }
    // OA-9..OA-11: daily buckets from start_time, `limit` a page.
    const byProject = groupBy.includes('project_id');
    const byLineItem = groupBy.includes('line_item');
    const data = [];
    let t = from;
    for (; t < end && data.length < limit; t += DAY) {
      const dayText = new Date(t * 1000).toISOString().slice(0, 10);
      const groups = new Map<string, OpenAiCost[]>();
      for (const c of opts.costs.filter((x) => x.day === dayText)) {
        const id = JSON.stringify([byProject ? c.project : null, byLineItem ? (c.lineItem ?? null) : null, c.currency ?? 'usd']);
        groups.set(id, [...(groups.get(id) ?? []), c]);
      }
      data.push({
        object: 'bucket',
        start_time: t,
        end_time: t + DAY,
        results: [...groups].map(([id, cs]) => {
          const [project, lineItem, currency] = JSON.parse(id) as [string | null, string | null, string];
          const total = sum(cs.map((c) => c.value));
          return {
            object: 'organization.costs.result',
            amount: { value: opts.amountAs === 'string' ? total : Number(total), currency },
            line_item: lineItem,
            project_id: project,
            api_key_id: null,
            quantity: null,
            quantity_unit: null,
          };
        }),
      });
    }
    const more = t < end;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'page', data, has_more: more, next_page: more ? `page_${t}` : null }));
  });
  return { baseUrl: `${server.endpoint}/v1`, requests, stop: server.stop };
}
