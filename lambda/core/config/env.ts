import { ConfigError } from '../errors';
import { registerSecret, SECRET_FIELD } from '../redact';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** True when a string refers to an environment variable (`${env:NAME}`). */
export function hasEnvRef(value: string): boolean {
  return new RegExp(ENV_REF.source).test(value);
}

/**
 * Replaces `${env:NAME}` (or `${env:NAME:-default}`) in every string of a validated config.
 * A missing variable without a default is a ConfigError naming the field. Values placed into
 * secret-looking fields are registered for redaction. Returns a new object; the input is unchanged.
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
        if (SECRET_FIELD.test(key)) registerSecret(v);
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
