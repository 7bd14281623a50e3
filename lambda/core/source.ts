import type { JsonSchema } from './config/json-schema';
import type { SourceConfig } from './config/types';
import type { Permission } from './permissions';
import type { Port } from './ports';
import type { SecretResolver } from './secrets';

/** What a source gets when a gate opens one of its ports. */
export interface SourceContext {
  readonly suite: string;
  readonly secrets: SecretResolver;
  /** Aborted when the gate's deadline passes (or the run is interrupted). */
  readonly signal: AbortSignal;
  /** Absolute deadline (epoch ms) of the gate. */
  readonly deadline: number;
  progress(message: string): void;
}

/** How one source opens one port, and what that costs in AWS access. */
export interface PortOpener<S extends SourceConfig, T, O> {
  readonly port: Port<T, O>;
  /**
   * JSON Schema (an object schema with `properties`) of the settings this source reads from the
   * gate's config when it opens the port: merged into that gate's schema, and a key of another
   * source type's options is refused for this one ("only applies to dynamodb sources").
   */
  readonly optionsSchema?: JsonSchema;
  open(source: S, options: O, ctx: SourceContext): T | Promise<T>;
  /** Checks what a schema cannot (e.g. a metric a bill export does not carry); throws a ConfigError via `at`. */
  validate?(source: S, options: O, at: (field: string) => string, sourceName: string): void;
  /** The access this use needs, beyond `${secret:…}` / `${ssm:…}` references (granted for every source). */
  permissions?(source: S, options: O): Permission[];
}

/**
 * A source type under `sources:` (or, `inline`, one written inside a gate's own settings): its
 * schema, the ports it opens and the access it needs. One entry file per backend declares it.
 */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds gates and sources of every config type; each is type-checked where it is declared
export interface SourceDefinition<S extends SourceConfig = any> {
  readonly type: string;
  /** e.g. "PostgreSQL", for messages. */
  readonly title: string;
  /** The module that exports this definition as `source` (`__filename`): a deployed function's bundle imports it from there. */
  readonly module: string;
  /** JSON Schema of `sources.<name>` with this type (`type` included). */
  readonly schema: JsonSchema;
  /** Written inside a gate's settings only (a history file, an HTTP probe), never under `sources:`. */
  readonly inline?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds gates and sources of every config type; each is type-checked where it is declared
  readonly opens: readonly PortOpener<S, any, any>[];
  /** False for a declared but empty source (an empty API key): gates leave it out. Default true. */
  configured?(source: S): boolean;
  /** The access the source needs whatever it opens (e.g. its credentials' secret). */
  permissions?(source: S): Permission[];
  /** What deploys but deserves attention (a grant the source cannot derive): printed as synth warnings. */
  deployWarnings?(source: S, name: string): string[];
}

/** Declares how a source opens a port, with the port's types checked. */
export function opens<S extends SourceConfig, T, O>(port: Port<T, O>, opener: Omit<PortOpener<S, T, O>, 'port'>): PortOpener<S, T, O> {
  return { port, ...opener };
}

/** A gate's use of a port: which source, from which field of its config, with which options. */
export interface SourceUse<T = unknown, O = unknown> {
  readonly port: Port<T, O>;
  /** A name under `sources:`, or a source written inline in the gate's own settings. */
  readonly source: string | SourceConfig;
  /** The gate's field that names the source, e.g. `ledger.source`. */
  readonly field: string;
  readonly options: O;
  /** The setting that asks for this port when it is not the source field itself (e.g. `isolationProbe`). */
  readonly setting?: string;
  /** Where the options sit in the gate's config (`''` for the gate itself, `ledger` for gate 2's ledger), for messages. */
  readonly optionsAt?: string;
  /** Only these source types will do (a section keyed by provider, e.g. `gates.monitoring.datadog`). */
  readonly types?: readonly string[];
}
