/**
 * Keeps secrets out of every message, report and log line. Values resolved from environment
 * variables, Secrets Manager or Parameter Store into secret-bearing fields are registered here,
 * and `redact` replaces them — and anything shaped like a credential, registered or not — before
 * text leaves the process. The CLI passes every byte it prints or writes through `redact`.
 */

const secrets = new Set<string>();
/** Registered secrets, longest first, so a secret that contains another is replaced whole. */
let ordered: string[] = [];

/** Registers a secret value so that `redact` hides it. Very short values are not registered. */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== 'string' || value.length < 4 || secrets.has(value)) return;
  secrets.add(value);
  // The URL-encoded form travels in connection strings and query strings.
  secrets.add(encodeURIComponent(value));
  ordered = [...secrets].sort((a, b) => b.length - a.length);
}

export const REDACTED = '***';

/** `scheme:` (any number of slashes, also none: typos) then `user:` — what follows up to the last `@` is the password. */
const SCHEME_USER = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}:\/{0,3}[^:/@]*:/;
/** `user:` at the start of a token without a scheme (`app:pw@host`, also `app:/pw@host`; not `scheme://user@host`). */
const BARE_USER = /^[^:/@]*:(?!\/\/)/;
/** `?api_key=…`, `&token=…`: query and form parameters whose names say they carry a secret. */
const SECRET_PARAM =
  /([?&;])([A-Za-z0-9_.-]{0,64}?(?:password|passwd|pwd|secret|token|key|signature|sig|credential|auth)[A-Za-z0-9_.-]{0,64})=[^\s&#"'<>?]{0,16384}/gi;
/** `Bearer …` authorization values, and `Basic …` ones (base64: with a digit or symbol, unlike prose). */
const AUTH_SCHEME = /\b(?:Bearer\s{1,16}[A-Za-z0-9._~+/=-]{6,16384}|Basic\s{1,16}(?=[A-Za-z]{0,16384}[0-9+/=])[A-Za-z0-9+/]{6,16384}={0,2})/g;
/**
 * How far before an `@` the user part is looked for. Every regular expression here runs on at most
 * this much (or is bounded itself): a backtracking engine must never walk megabytes of one token.
 */
const USERINFO_WINDOW = 4096;

/**
 * The text with every registered secret, every password in anything URL-shaped (also with a `/`
 * or `@` in the password, without the scheme's slashes, or without a scheme), every secret-named
 * query parameter and every `Bearer` / `Basic` value replaced by `***`. Linear in the text.
 */
export function redact(text: string): string {
  let out = text;
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (out.includes('@')) out = redactUserinfos(out);
  if (out.includes('=')) out = out.replace(SECRET_PARAM, (_m, sep: string, name: string) => `${sep}${name}=${REDACTED}`);
  return out.replace(AUTH_SCHEME, (m: string) => `${m.startsWith('Bearer') ? 'Bearer' : 'Basic'} ${REDACTED}`);
}

/** A character that ends a token a credential can be part of: whitespace, quotes, angle brackets. */
function isDelimiter(code: number): boolean {
  return (
    code <= 0x20 ||
    code === 0x22 ||
    code === 0x27 ||
    code === 0x60 ||
    code === 0x3c ||
    code === 0x3e ||
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x2028 ||
    code === 0x2029
  );
}

/** Applies {@link redactUserinfo} to every token holding an `@`, scanning each character at most twice. */
function redactUserinfos(text: string): string {
  let out = '';
  let last = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', last)) {
    let start = at;
    while (start > last && !isDelimiter(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && !isDelimiter(text.charCodeAt(end))) end++;
    out += text.slice(last, start) + redactUserinfo(text.slice(start, end));
    last = end;
  }
  return out + text.slice(last);
}

/**
 * `scheme://user:password@host` → `scheme://user:***@host`, for one token. Where the token reads
 * two ways (`aa:a:pw@h`: a scheme, or a user), the reading that hides more wins.
 */
function redactUserinfo(token: string): string {
  const at = token.lastIndexOf('@');
  if (at <= 0) return token;
  // The user part is looked for just before the `@` and, in a longer token, at its start (a huge password).
  const from = Math.max(0, at - USERINFO_WINDOW);
  const near = token.slice(from, at);
  const opening = token.slice(0, Math.min(at, USERINFO_WINDOW));
  const readings: [RegExpExecArray | null, number][] = [
    [SCHEME_USER.exec(near), from],
    [SCHEME_USER.exec(opening), 0],
    [BARE_USER.exec(opening), 0],
  ];
  const starts = readings.flatMap(([m, offset]) => (m ? [offset + m.index + m[0].length] : [])).filter((start) => start < at);
  if (!starts.length) return token;
  const passwordStart = Math.min(...starts);
  return `${token.slice(0, passwordStart)}${REDACTED}${token.slice(at)}`;
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
 * At most `max` characters of a value for a message: redacted first, then shortened, so a cut can
 * never leave the head of a secret that redaction would no longer recognise.
 */
export function excerpt(text: string, max: number): string {
  const clean = escapeControl(redact(text)).replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/**
 * Control characters (C0 but newline and tab, DEL, C1) and the Unicode bidirectional overrides shown
 * as `\x1b`-style escapes, so data read from a system (a tenant ID, an API's message) cannot move
 * the cursor, recolour or retitle a terminal, or reorder what a reader sees.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * Field names whose values are treated as secrets when resolved from env, Secrets Manager or
 * Parameter Store. URLs are not listed: the credentials inside them are redacted by shape.
 */
export const SECRET_FIELD = /(password|passwd|secret|token|key|credential|authorization|cookie)/i;
