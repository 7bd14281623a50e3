import { describeError, SourceError, type SourceErrorKind } from '../../core/errors';
import { excerpt } from '../../core/redact';

/** Bounds on waiting out HTTP 429: at most this many retries, each wait at most `maxWaitMs`. */
export const RATE_LIMIT_RETRIES = 3;
export const RATE_LIMIT_MAX_WAIT_MS = 10_000;
/** Waits never end closer than this to the gate deadline, so the gate still reports its own ERROR. */
export const DEADLINE_MARGIN_MS = 1_000;

export interface JsonRequest {
  /** "Datadog", "New Relic": names the service in messages. */
  service: string;
  /** Names the credential a 401/403 rejects, e.g. "Datadog API key". */
  key: string;
  url: URL;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Gate deadline (epoch ms): rate-limit waits that would pass it are not attempted. */
  deadline: number;
  timeoutMs?: number;
  maxWaitMs?: number;
  /** Told before each wait on a rate limit (shown on stderr by the CLI), so a pause is never silent. */
  progress?: (message: string) => void;
}

/** Answers larger than this are not read: a runaway or hostile endpoint must not exhaust memory. */
export const MAX_ANSWER_BYTES = 64 * 2 ** 20;

/** An answer that declared or streamed more than the limit; reading stopped there. */
function tooLarge(limitBytes: number): SourceError {
  return new SourceError('too-large', `larger than ${limitBytes / 2 ** 20} MiB`);
}

/**
 * The body as UTF-8 text, read up to `maxBytes`: an answer that declares more (Content-Length) is
 * not read at all, one that streams more is cancelled at the limit; both reject with
 * a `too-large` {@link SourceError}. Read errors (a cut-off body, a timeout) reject as `res.text()` would.
 */
export async function readText(res: Response, maxBytes = MAX_ANSWER_BYTES): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '');
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    text += decoder.decode(value, { stream: true });
  }
}

/** The kind of a non-2xx answer other than 401/403/429: the integration could not be evaluated. */
export function kindOfStatus(status: number): SourceErrorKind {
  return status === 404 ? 'not-found' : status >= 500 ? 'unreachable' : 'malformed';
}

/**
 * One JSON request to a monitoring API. 401/403 throw a `credentials` {@link SourceError}; 429 is retried
 * after the reset the API announces (`X-RateLimit-Reset` seconds, else `Retry-After`), at most
 * {@link RATE_LIMIT_RETRIES} times, each wait at most `maxWaitMs` and never past the deadline;
 * everything else that is not 2xx throws a {@link SourceError} of the status's kind. Keys travel in headers only.
 */
export async function requestJson(req: JsonRequest): Promise<unknown> {
  const where = `${req.method ?? 'GET'} ${req.url.host}${req.url.pathname}`;
  const timeoutMs = req.timeoutMs ?? 10_000;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(req.url, {
        method: req.method ?? 'GET',
        headers: { accept: 'application/json', ...req.headers },
        body: req.body,
        redirect: 'error',
        signal: AbortSignal.any([req.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (err) {
      if (req.signal.aborted) throw req.signal.reason ?? err;
      if ((err as Error).name === 'TimeoutError') throw new SourceError('unreachable', `${req.service} did not answer within ${timeoutMs / 1000} s (${where})`);
      throw new SourceError('unreachable', `${req.service} unreachable: ${describeError((err as { cause?: unknown }).cause ?? err)} (${where})`);
    }
    let text: string;
    try {
      text = await readText(res);
    } catch (err) {
      // The status line arrived but the body did not: a dropped connection or a stalled stream.
      if (req.signal.aborted) throw req.signal.reason ?? err;
      if (err instanceof SourceError)
        throw new SourceError(err.kind, `${req.service} answer ${err.message} after HTTP ${res.status}; stopped reading (${where})`, { status: res.status });
      if ((err as Error).name === 'TimeoutError')
        throw new SourceError('unreachable', `${req.service} did not finish its HTTP ${res.status} answer within ${timeoutMs / 1000} s (${where})`);
      throw new SourceError(
        'unreachable',
        `${req.service} answer broken off after HTTP ${res.status}: ${describeError((err as { cause?: unknown }).cause ?? err)} (${where})`,
      );
    }
    if (res.ok) {
      try {
        return JSON.parse(text);
      } catch {
        throw new SourceError('malformed', `${req.service} answered HTTP ${res.status} with a body that is not JSON (${where})`, { status: res.status });
      }
    }
    const detail = apiErrorMessage(text);
    if (res.status === 401 || res.status === 403) {
      throw new SourceError('credentials', `${req.key} rejected: ${req.service} answered HTTP ${res.status}${detail ? ` "${detail}"` : ''} (${where})`, {
        status: res.status,
      });
    }
    if (res.status === 429) {
      const waitMs = rateLimitWaitMs(res.headers, attempt);
      const left = req.deadline - Date.now() - DEADLINE_MARGIN_MS;
      const bound = Math.min(req.maxWaitMs ?? RATE_LIMIT_MAX_WAIT_MS, left);
      if (attempt >= RATE_LIMIT_RETRIES || waitMs > bound) {
        const why =
          attempt >= RATE_LIMIT_RETRIES
            ? `still limited after ${attempt} retries`
            : `the limit resets in ${Math.ceil(waitMs / 1000)} s, beyond the ${Math.max(0, Math.floor(bound / 1000))} s this check may wait`;
        const name = res.headers.get('x-ratelimit-name');
        throw new SourceError('throttled', `${req.service} rate limit hit${name ? ` (${name})` : ''}: ${why} (${where})`);
      }
      req.progress?.(
        `${req.service} rate limit hit${res.headers.get('x-ratelimit-name') ? ` (${res.headers.get('x-ratelimit-name')})` : ''}: waiting ${Math.max(1, Math.ceil(waitMs / 1000))} s before retry ${attempt + 1} of ${RATE_LIMIT_RETRIES} (${where})`,
      );
      await delay(waitMs, req.signal);
      continue;
    }
    throw new SourceError(kindOfStatus(res.status), `${req.service} answered HTTP ${res.status}${detail ? ` "${detail}"` : ''} (${where})`, {
      status: res.status,
    });
  }
}

/** How long the API asks us to wait: Datadog's X-RateLimit-Reset (seconds), else Retry-After, else a short backoff. */
export function rateLimitWaitMs(headers: Headers, attempt: number): number {
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.get('x-ratelimit-reset') && Number.isFinite(reset) && reset >= 0) return reset * 1000;
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - Date.now());
  }
  return 500 * 2 ** attempt;
}

/** The longest API error message quoted in a summary. */
export const MAX_QUOTED_MESSAGE = 200;

/**
 * The one part of a failed answer that is ever quoted: the API's own error message, from a JSON
 * error body (`errors[]` as Datadog sends it, `error.message` as OpenAI does, `message`, `error`),
 * redacted before it is shortened to {@link MAX_QUOTED_MESSAGE} characters, control characters
 * escaped. Any other body — HTML, plain text, a proxy's page — is never quoted: '' is returned.
 */
export function apiErrorMessage(text: string): string {
  let doc: { errors?: unknown; message?: unknown; error?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    return '';
  }
  if (!doc || typeof doc !== 'object') return '';
  const messageOf = (e: unknown) => (typeof e === 'string' ? e : isRecord(e) && typeof e.message === 'string' ? e.message : '');
  const msg = Array.isArray(doc.errors) ? doc.errors.map(messageOf).filter(Boolean).join('; ') : messageOf(doc.message) || messageOf(doc.error);
  return excerpt(msg, MAX_QUOTED_MESSAGE);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A value's JSON type for messages about malformed answers: "a string", "null", "a list"… */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
