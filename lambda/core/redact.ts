/**
 * Keeps secrets out of every message, report and log line. Values resolved from environment
 * variables or Secrets Manager into secret-bearing fields are registered here, and `redact`
 * replaces them (and any password inside a URL) before text leaves the process.
 */

const secrets = new Set<string>();

/** Registers a secret value so that `redact` hides it. Very short values are not registered. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= 4) secrets.add(value);
}

// Anchored at the start of a scheme (the look-behind) and bounded, so long runs of letters in a
// big report are scanned once instead of once per position.
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s:/@]*):([^\s@/]*)@/gi;

export function redact(text: string): string {
  let out = text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Replaces every string inside a value with its redacted form (for whole results and reports). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}

/**
 * Field names whose values are treated as secrets when resolved from env or Secrets Manager.
 * URLs are not listed: the credentials inside them are redacted by pattern wherever they appear.
 */
export const SECRET_FIELD = /(password|passwd|secret|token|key|credential|authorization|cookie)/i;
