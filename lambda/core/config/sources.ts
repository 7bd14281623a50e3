import { ConfigError } from '../errors';
import type { ReadinessConfig, SourceConfig } from './types';

/**
 * Looks up a named source of one of the expected types, or throws a ConfigError naming the field:
 * the one check behind every gate's `source:` keys, at validation and at run time.
 */
export function sourceOf<T extends SourceConfig>(
  config: Pick<ReadinessConfig, 'sources'>,
  name: string,
  field: string,
  types: readonly string[],
): T {
  const source = config.sources[name];
  if (!source) {
    const known = Object.keys(config.sources);
    throw new ConfigError(`source '${name}' is not defined under sources (defined: ${known.join(', ') || 'none'})`, field);
  }
  if (!types.includes(source.type)) {
    throw new ConfigError(`source '${name}' is ${source.type}; this field needs ${types.join(' or ')}`, field);
  }
  return source as T;
}
