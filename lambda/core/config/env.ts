import { ConfigError } from '../errors';
import { excerpt, registerSecret, SECRET_FIELD } from '../redact';
import { SSM_PARAMETER } from '../references';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** True when a string refers to an environment variable (`${env:NAME}`). */
export function hasEnvRef(value: string): boolean {
  return new RegExp(ENV_REF.source).test(value);
}

/**
 * Replaces `${env:NAME}` (or `${env:NAME:-default}`) in every string of a validated config.
 * A missing variable without a default is a ConfigError naming the field. Values placed into
 * secret-looking fields or request headers are registered for redaction. Returns a new object; the input is unchanged.
 */
export function resolveEnvRefs<T>(value: T, env: NodeJS.ProcessEnv, where: (path: (string | number)[]) => string): T {
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      const key = String(path[path.length - 1] ?? '');
      return node.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
        const v = env[name];
        if (v === undefined || v === '') {
          if (fallback !== undefined) return fallback;
          throw new ConfigError(`environment variable ${name} is not set`, where(path));
        }
        // Header values authenticate (X-Auth, X-Tenant-Token…) whatever their names say.
        if (SECRET_FIELD.test(key) || path.includes('headers')) registerSecret(v);
        return v;
      });
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return node;
  };
  return walk(value, []) as T;
}

/** `${kind:` — something meant as a reference, whose kind and shape are then checked. */
const REFERENCE_START = /\$\{\s*([A-Za-z]+)\s*:/g;
const ENV_BODY = /^[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?$/;
const USAGE = 'references are ${env:NAME} (letters, digits and _), ${env:NAME:-default}, ${secret:ARN} or ${secret:ARN#key}, and ${ssm:/parameter/name}';

/**
 * Refuses, naming file, line and field, every `${kind:…}` that the engine would not resolve — an
 * unknown kind, a bad variable name (`${env:BAD NAME}`), an unterminated reference, a malformed
 * parameter name — so `validate` catches what would otherwise fail only at run time.
 */
export function checkReferenceSyntax(doc: unknown, where: (path: (string | number)[]) => string): void {
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (typeof node === 'string') {
      for (const m of node.matchAll(REFERENCE_START)) {
        const close = node.indexOf('}', m.index);
        const written = close === -1 ? node.slice(m.index) : node.slice(m.index, close + 1);
        const shown = excerpt(written, 60);
        const kind = m[1];
        if (close === -1) throw new ConfigError(`'${shown}' is not closed with '}'; ${USAGE}`, where(path));
        const body = node.slice(m.index + m[0].length, close);
        const ok =
          m[0] === `\${${kind}:` &&
          (kind === 'env' ? ENV_BODY.test(body) : kind === 'secret' ? /^[^\s#]+(#[^\s]+)?$/.test(body) : kind === 'ssm' ? SSM_PARAMETER.test(body) : false);
        if (!ok) throw new ConfigError(`'${shown}' is not a valid reference; ${USAGE}`, where(path));
      }
      return;
    }
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, i]));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(doc, []);
}
