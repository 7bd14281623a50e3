import { SourceError } from '../../core/errors';
import { redact } from '../../core/redact';
import { DEADLINE_MARGIN_MS, delay, isRecord, RATE_LIMIT_MAX_WAIT_MS, RATE_LIMIT_RETRIES, rateLimitWaitMs, requestJson, typeName } from '../http/json-request';

interface GraphqlError {
  message?: string;
  path?: (string | number)[];
  extensions?: { errorClass?: string; error_code?: string; code?: string };
}

/** NR-02 and errors that say the key lacks a right: the integration's own key is refused. */
const AUTH_CODES = /^(BAD_API_KEY|UNAUTHORIZED|UNAUTHENTICATED|FORBIDDEN|ACCESS_DENIED)$/i;
/** NR-04: NerdGraph still answers a deprecated field; the notice is not a failure. */
const DEPRECATION = /^This field is deprecated!/;

const errorClass = (e: GraphqlError) => e.extensions?.errorClass ?? e.extensions?.error_code ?? e.extensions?.code ?? '';

/** One NerdGraph endpoint and key (docs/contracts/newrelic.md NR-01 … NR-05). */
export class NerdGraph {
  constructor(private readonly opts: { url: string; apiKey: string; deadline: number; progress?: (message: string) => void }) {}

  /**
   * Sends one document and returns its `data`. A refused key is a `credentials` {@link SourceError};
   * `TOO_MANY_REQUESTS` (HTTP 200, NR-05) is asked again after a bounded backoff, like HTTP 429;
   * any other error fails the request with its message, path and class (partial data is not
   * evidence). `waitMs` is how long to wait for the answer (NRQL asks NerdGraph for longer).
   */
  async query(document: string, variables: Record<string, unknown>, signal: AbortSignal, waitMs?: number): Promise<Record<string, unknown>> {
    const url = new URL(this.opts.url);
    for (let attempt = 0; ; attempt++) {
      const doc = await requestJson({
        service: 'New Relic',
        key: 'New Relic API key',
        url,
        method: 'POST',
        headers: { 'API-Key': this.opts.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ query: document.replace(/\s+/g, ' ').trim(), variables }),
        signal,
        deadline: this.opts.deadline,
        progress: this.opts.progress,
        ...(waitMs ? { timeoutMs: waitMs } : {}),
      });
      if (!isRecord(doc)) throw new SourceError('malformed', `malformed NerdGraph response: the answer is ${typeName(doc)}, not an object`);
      const rawErrors: unknown = doc.errors;
      if (rawErrors !== undefined && rawErrors !== null && (!Array.isArray(rawErrors) || !rawErrors.every((e) => isRecord(e)))) {
        throw new SourceError('malformed', 'malformed NerdGraph response: errors is not a list of objects');
      }
      const errors = (Array.isArray(rawErrors) ? rawErrors : []) as GraphqlError[];
      const auth = errors.find((e) => AUTH_CODES.test(errorClass(e)));
      if (auth) throw new SourceError('credentials', `New Relic API key rejected: NerdGraph: ${redact(auth.message ?? 'unauthorized')}`);
      if (errors.some((e) => errorClass(e) === 'TOO_MANY_REQUESTS')) {
        await this.backOff(attempt, signal, `${url.host}${url.pathname}`);
        continue;
      }
      const failures = errors.filter((e) => !DEPRECATION.test(e.message ?? ''));
      if (failures.length) {
        const first = failures[0];
        const where = first.path?.length ? ` at ${first.path.join('.')}` : '';
        const cls = errorClass(first) ? ` (${errorClass(first)})` : '';
        throw new SourceError(
          'malformed',
          `NerdGraph error${where}: ${redact(
            failures
              .map((e) => e.message ?? 'unknown')
              .join('; ')
              .slice(0, 300),
          )}${cls}`,
        );
      }
      if (!isRecord(doc.data))
        throw new SourceError('malformed', `malformed NerdGraph response: data is ${typeName(doc.data)}, not an object, and there are no errors`);
      return doc.data;
    }
  }

  /** The same bounds as HTTP 429 in requestJson: at most RATE_LIMIT_RETRIES waits, none past the deadline. */
  private async backOff(attempt: number, signal: AbortSignal, where: string): Promise<void> {
    const waitMs = rateLimitWaitMs(new Headers(), attempt);
    const bound = Math.min(RATE_LIMIT_MAX_WAIT_MS, this.opts.deadline - Date.now() - DEADLINE_MARGIN_MS);
    if (attempt >= RATE_LIMIT_RETRIES || waitMs > bound) {
      const why = attempt >= RATE_LIMIT_RETRIES ? `still limited after ${attempt} retries` : 'no time left before the gate deadline to wait';
      throw new SourceError('throttled', `New Relic rate limit hit (TOO_MANY_REQUESTS): ${why} (POST ${where})`);
    }
    this.opts.progress?.(
      `New Relic rate limit hit (TOO_MANY_REQUESTS): waiting ${Math.max(1, Math.ceil(waitMs / 1000))} s before retry ${attempt + 1} of ${RATE_LIMIT_RETRIES} (POST ${where})`,
    );
    await delay(waitMs, signal);
  }
}

export function malformed(operation: string, what: string): SourceError {
  return new SourceError('malformed', `malformed NerdGraph response to the ${operation} query: ${what}`);
}
