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

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^\s:/@]*):([^\s@/]*)@/gi;

export function redact(text: string): string {
  let out = text.replace(URL_CREDENTIALS, (_m, scheme: string, user: string) => `${scheme}${user}:***@`);
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Field names whose values are treated as secrets when resolved from env or Secrets Manager. */
export const SECRET_FIELD = /(password|secret|token|key|credential|authorization|cookie|url|dsn|connection)/i;
