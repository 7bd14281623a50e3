import { ConfigError } from '../errors';
import type { Registry } from '../registry';
import type { PortOpener, SourceDefinition, SourceUse } from '../source';
import type { ReadinessConfig, SourceConfig } from './types';

/** The source a gate's use names, with its definition and the opener of the port it asks for. */
export interface ResolvedUse {
  /** The name under `sources:`, or undefined for a source written inline. */
  name?: string;
  config: SourceConfig;
  definition: SourceDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds gates and sources of every config type; each is type-checked where it is declared
  opener: PortOpener<any, any, any>;
}

/**
 * Looks up the source a use names and how it opens the port, or throws a ConfigError naming the
 * field: the one check behind every gate's `source` keys, when a config is loaded and when a gate
 * opens a port at run time.
 */
export function resolveUse(registry: Registry, config: Pick<ReadinessConfig, 'sources'>, use: SourceUse, at: (field: string) => string): ResolvedUse {
  const name = typeof use.source === 'string' ? use.source : undefined;
  const source = name === undefined ? (use.source as SourceConfig) : config.sources[name];
  if (!source) {
    const known = Object.keys(config.sources);
    throw new ConfigError(`source '${name}' is not defined under sources (defined: ${known.join(', ') || 'none'})`, at(use.field));
  }
  const definition = registry.source(source.type);
  if (!definition) throw new ConfigError(`no source of type '${source.type}' is registered`, at(use.field));
  const able = registry
    .openers(use.port.id)
    .map((o) => o.source.type)
    .filter((t) => !use.types || use.types.includes(t));
  const opener = able.includes(source.type) ? definition.opens.find((o) => o.port.id === use.port.id) : undefined;
  if (!opener) {
    if (use.setting) throw new ConfigError(`only applies to ${able.join(' or ')} sources; '${name ?? source.type}' is ${source.type}`, at(use.setting));
    throw new ConfigError(`source '${name ?? source.type}' is ${source.type}; this field needs ${able.join(' or ')}`, at(use.field));
  }
  return { name, config: source, definition, opener };
}

/** The property names of an options schema. */
function keysOf(schema: unknown): string[] {
  return Object.keys(((schema ?? {}) as { properties?: object }).properties ?? {});
}

/**
 * Refuses a setting that another source type reads from the same place but this one does not
 * (`configAttribute` on a postgres source): it would be silently ignored.
 */
export function refuseForeignOptions(registry: Registry, use: SourceUse, resolved: ResolvedUse, at: (field: string) => string): void {
  if (use.optionsAt === undefined || !use.options || typeof use.options !== 'object') return;
  const own = new Set(keysOf(resolved.opener.optionsSchema));
  const others = registry.openers(use.port.id).filter((o) => o.source.type !== resolved.definition.type);
  for (const key of Object.keys(use.options)) {
    if (own.has(key) || (use.options as Record<string, unknown>)[key] === undefined) continue;
    const owners = others.filter((o) => keysOf(o.opener.optionsSchema).includes(key)).map((o) => o.source.type);
    if (owners.length) {
      throw new ConfigError(
        `only applies to ${owners.join(' or ')} sources; '${resolved.name ?? resolved.definition.type}' is ${resolved.definition.type}`,
        at(use.optionsAt ? `${use.optionsAt}.${key}` : key),
      );
    }
  }
}
