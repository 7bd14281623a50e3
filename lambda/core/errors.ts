import { sep } from 'node:path';
import { redact } from './redact';

/**
 * A problem with the configuration or the command line: the CLI exits 2 with this message alone,
 * never a stack trace. `where` names the file, field path and line where they are known.
 */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'ConfigError';
  }

  /** The message as shown to a user in `cwd`: the file named as they would type it, relative when inside `cwd`. */
  shownIn(cwd: string): string {
    const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
    return this.message.startsWith(prefix) ? this.message.slice(prefix.length) : this.message;
  }
}

/** Thrown when a gate's deadline passes; the runner turns it into ERROR. */
export class DeadlineError extends Error {
  constructor(
    readonly seconds: number,
    readonly setting: string,
  ) {
    super(`timed out after ${seconds} s (raise ${setting} if the system is just slow)`);
    this.name = 'DeadlineError';
  }
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  errno?: number;
  syscall?: string;
  address?: string;
  hostname?: string;
  port?: number;
  $metadata?: { httpStatusCode?: number };
  errors?: unknown[];
  cause?: unknown;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

/**
 * One line saying why something failed, for an ERROR summary: the network cause with host and
 * port, the AWS error name with its HTTP status, or the message. Secrets are redacted.
 */
export function describeError(err: unknown): string {
  // Summaries are one line, without the SDK's pointer to a hidden field no reader of a report has.
  return causeOf(err)
    .split(SDK_DESERIALIZATION_HINT)
    .join('')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

const SDK_DESERIALIZATION_HINT = /\s*Deserialization error: to see the raw response, inspect the hidden field \{error\}\.\$response on this object\./;

function causeOf(err: unknown): string {
  if (err === null || err === undefined) return 'unknown error';
  if (typeof err !== 'object') return redact(String(err));
  const e = err as ErrorLike;
  // Node's AggregateError (e.g. connecting to both ::1 and 127.0.0.1) carries the real causes inside.
  if (Array.isArray(e.errors) && e.errors.length > 0 && !e.message) {
    return causeOf(e.errors[0]);
  }
  if (e.code && NETWORK_CODES[e.code]) {
    const target = e.address ?? e.hostname;
    const where = target ? ` to ${target}${e.port ? `:${e.port}` : ''}` : '';
    return redact(`${NETWORK_CODES[e.code]}${where} (${e.code})`);
  }
  if ((e.name === 'SyntaxError' || SDK_DESERIALIZATION_HINT.test(e.message ?? '')) && !/malformed/.test(e.message ?? '')) {
    return redact(`malformed response: ${e.message}`);
  }
  if (e.$metadata) {
    const status = e.$metadata.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : '';
    return redact(`${e.name ?? 'AWS error'}: ${e.message ?? ''}${status}`.trim());
  }
  if (e.message) return redact(e.message);
  return redact(String(err));
}

/** The run was interrupted (SIGINT/SIGTERM); the runner reports every gate still running as ERROR with it. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

/** What went wrong at a source, so that a check can judge it without knowing the backend. */
export const SOURCE_ERROR_KINDS = ['unreachable', 'credentials', 'throttled', 'malformed', 'not-found', 'too-large'] as const;
export type SourceErrorKind = (typeof SOURCE_ERROR_KINDS)[number];

/**
 * The one error adapters throw when a source fails in a way they can explain: the message names
 * the cause in the user's terms, `kind` classifies it, `remediation` says how to fix it. A gate
 * that measures the credential itself (gate 4) treats `credentials` as FAIL; every other gate
 * reports it as ERROR.
 */
export class SourceError extends Error {
  readonly remediation?: string;
  /** The HTTP status of the answer, where there was one. */
  readonly status?: number;
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    details: { remediation?: string; status?: number } = {},
  ) {
    super(message);
    this.name = 'SourceError';
    if (details.remediation) this.remediation = details.remediation;
    if (details.status !== undefined) this.status = details.status;
  }
}

/**
 * The source cannot be measured until the user names something only they know (e.g. which of
 * several apps is production). The criterion SKIPs, naming the setting instead of guessing.
 */
export class SettingRequiredError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'SettingRequiredError';
  }
}
