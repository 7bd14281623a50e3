import { describeError, SourceError } from '../../core/errors';
import { registerSecret } from '../../core/redact';
import type { SecretResolver } from '../../core/secrets';
import { apiErrorMessage, DEADLINE_MARGIN_MS, delay, RATE_LIMIT_MAX_WAIT_MS, rateLimitWaitMs, readText } from '../http/json-request';
import { moneyFromNumber, parseMoney, type Money } from '../../checks/cost/money';
import type { ActualBill, BillSource } from '../../checks/cost/ports';
import { exclusiveEnd, parseDay, type CostWindow } from '../../checks/cost/window';
export { openAiSourceSchema, type OpenAiSourceConfig } from './schema';
import type { OpenAiSourceConfig } from './schema';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** A decimal as the live API has sent `amount.value` in a string: "12.50", "-0.0042", "1e-7". */
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** HTTP 429 from the costs API: retried by OpenAiCostsBill.get within its bounds. */
class RateLimited extends Error {
  constructor(
    readonly headers: Headers,
    readonly why: string,
  ) {
    super(`OpenAI rate-limited the costs API (${why})`);
  }
}

interface CostsPage {
  /** `amount.value` is a number in the spec and has come as a decimal string from the live API. */
  data?: { start_time?: number; results?: { amount?: { value?: number | string; currency?: string }; project_id?: string | null }[] }[];
  has_more?: boolean;
  next_page?: string | null;
}

/**
 * The actual OpenAI bill: daily cost buckets grouped by project over the window (end_time
 * exclusive), every page followed. Project IDs are the allocation keys; org-level costs without a
 * project go under the empty key. A rate-limited page is asked again after the wait OpenAI names
 * (Retry-After), up to `maxAttempts`, each wait bounded and never past `deadline` (epoch ms).
 */
export class OpenAiCostsBill implements BillSource {
  readonly provider = 'openai' as const;

  constructor(
    private readonly src: OpenAiSourceConfig,
    private readonly secrets: SecretResolver,
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {}

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const key = await this.secrets.resolve(this.src.adminKey);
    registerSecret(key);
    const base = (this.src.baseUrl ?? (process.env.OPENAI_BASE_URL || DEFAULT_BASE_URL)).replace(/\/+$/, '');
    const start = parseDay(window.from)!.getTime() / 1000;
    const end = parseDay(exclusiveEnd(window))!.getTime() / 1000;
    const groups = new Map<string, Money>();
    const currencies = new Set<string>();
    const seen = new Set<string>();
    let page: string | undefined;
    let requests = 0;
    do {
      const url = new URL(`${base}/organization/costs`);
      url.search = new URLSearchParams({
        start_time: String(start),
        end_time: String(end),
        bucket_width: '1d',
        group_by: 'project_id',
        limit: String(this.src.pageSize ?? 180),
        ...(page ? { page } : {}),
      }).toString();
      const body = await this.get(url, key, signal);
      requests++;
      checkPage(body);
      for (const bucket of body.data!) {
        for (const r of bucket.results ?? []) {
          const value = r.amount?.value;
          if (value === undefined) throw new SourceError('malformed', 'OpenAI costs API returned a result without amount.value');
          currencies.add((r.amount!.currency ?? '(none)').toUpperCase());
          const project = r.project_id ?? '';
          groups.set(project, (groups.get(project) ?? 0n) + (typeof value === 'number' ? moneyFromNumber(value) : parseMoney(value)));
        }
      }
      page = body.has_more && body.next_page ? body.next_page : undefined;
      if (body.has_more && !body.next_page) throw new SourceError('malformed', 'OpenAI costs API said has_more without a next_page');
      if (page && seen.has(page)) throw new SourceError('malformed', 'OpenAI costs API repeated a next_page cursor; stopped paging');
      if (page) seen.add(page);
    } while (page);
    if ([...currencies].some((c) => c !== 'USD')) {
      throw new SourceError(
        'malformed',
        `OpenAI costs are in ${[...currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`,
      );
    }
    return {
      source: `OpenAI organization costs by project (${base}, ${requests} page(s))`,
      groups,
      estimated: [],
      notes: [],
    };
  }

  private async get(url: URL, key: string, signal: AbortSignal): Promise<CostsPage> {
    const attempts = this.src.maxAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.request(url, key, signal);
      } catch (err) {
        if (!(err instanceof RateLimited)) throw err;
        const waitMs = rateLimitWaitMs(err.headers, attempt - 1);
        const bound = Math.min(RATE_LIMIT_MAX_WAIT_MS, this.deadline - Date.now() - DEADLINE_MARGIN_MS);
        if (attempt >= attempts || waitMs > bound) {
          const after =
            attempt >= attempts
              ? `still limited after ${attempt} attempt(s)`
              : `it asks to wait ${Math.ceil(waitMs / 1000)} s, beyond the ${Math.max(0, Math.floor(bound / 1000))} s this check may wait`;
          throw new SourceError('throttled', `${err.message}; ${after}`, {
            remediation: 'Run the check again later or less often, or raise maxAttempts (or timeoutSeconds) for the openai source.',
          });
        }
        await delay(waitMs, signal);
      }
    }
  }

  private async request(url: URL, key: string, signal: AbortSignal): Promise<CostsPage> {
    const timeout = (this.src.requestTimeoutSeconds ?? 30) * 1000;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { Authorization: `Bearer ${key}`, Accept: 'application/json' },
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeout)]),
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      if ((err as Error).name === 'TimeoutError') {
        throw new SourceError('unreachable', `OpenAI costs API at ${url.origin} did not answer within ${timeout / 1000} s (requestTimeoutSeconds)`);
      }
      throw new SourceError('unreachable', `OpenAI costs API at ${url.origin}: ${describeError((err as { cause?: unknown }).cause ?? err)}`);
    }
    let text: string;
    try {
      text = await readText(res);
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      if (err instanceof SourceError && err.kind === 'too-large') {
        throw new SourceError('too-large', `OpenAI costs API at ${url.origin} answered HTTP ${res.status} with a page ${err.message}; stopped reading`, {
          remediation: 'Lower pageSize on the openai source: fewer daily buckets per page.',
        });
      }
      const cause = (err as { cause?: unknown }).cause;
      const why =
        (err as Error).name === 'TimeoutError' ? `not complete within ${timeout / 1000} s (requestTimeoutSeconds)` : `cut off: ${describeError(cause ?? err)}`;
      throw new SourceError('unreachable', `OpenAI costs API at ${url.origin} answered HTTP ${res.status} but the body was ${why}`);
    }
    if (!res.ok) {
      const detail = apiErrorMessage(text);
      const why = `HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
      if (res.status === 401 || res.status === 403) {
        throw new SourceError('credentials', `OpenAI rejected the admin key (${why})`, {
          remediation:
            'Use an organization admin key (Settings → Organization → Admin keys) with read access to usage; a project key cannot read organization costs.',
        });
      }
      if (res.status === 429) throw new RateLimited(res.headers, why);
      throw new SourceError(res.status === 404 ? 'not-found' : res.status >= 500 ? 'unreachable' : 'malformed', `OpenAI costs API answered ${why}`, {
        status: res.status,
      });
    }
    try {
      return JSON.parse(text) as CostsPage;
    } catch {
      throw new SourceError('malformed', `OpenAI costs API answered HTTP ${res.status} with a body that is not JSON`);
    }
  }
}

/** The fields read from a costs page, checked: a wrong type must not read as an empty bill. */
function checkPage(page: CostsPage): void {
  const bad = (what: string) => new SourceError('malformed', `malformed response from the OpenAI costs API: ${what}`);
  if (typeof page !== 'object' || page === null || Array.isArray(page)) throw bad('the body is not a JSON object');
  if (!Array.isArray(page.data)) throw bad(page.data === undefined ? 'data is missing' : 'data is not a list');
  if (page.has_more !== undefined && typeof page.has_more !== 'boolean') throw bad('has_more is not a boolean');
  if (page.next_page !== undefined && page.next_page !== null && typeof page.next_page !== 'string') throw bad('next_page is not a string');
  for (const [i, bucket] of page.data.entries()) {
    if (typeof bucket !== 'object' || bucket === null) throw bad(`data[${i}] is not an object`);
    if (bucket.results === undefined) continue;
    if (!Array.isArray(bucket.results)) throw bad(`data[${i}].results is not a list`);
    for (const [j, r] of bucket.results.entries()) {
      const at = `data[${i}].results[${j}]`;
      if (typeof r !== 'object' || r === null) throw bad(`${at} is not an object`);
      const value = r.amount?.value as unknown;
      const number = typeof value === 'number' ? Number.isFinite(value) : typeof value === 'string' && DECIMAL_TEXT.test(value);
      if (value !== undefined && !number) throw bad(`${at}.amount.value is not a number (${JSON.stringify(value)?.slice(0, 40)})`);
      if (r.amount?.currency !== undefined && typeof r.amount.currency !== 'string') throw bad(`${at}.amount.currency is not a string`);
      if (r.project_id !== undefined && r.project_id !== null && typeof r.project_id !== 'string') throw bad(`${at}.project_id is not a string`);
    }
  }
}
