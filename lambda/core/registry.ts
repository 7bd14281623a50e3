import type { ErrorObject } from 'ajv';
import type { JsonSchema } from './config/json-schema';
import { GATE_ID_PATTERN, type GateDefinition, type SourceCatalog } from './gate';
import type { PortOpener, SourceDefinition } from './source';

/** A compiled validator of the config schema: ajv's, compiled at run time or ahead of time. */
export type ConfigValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * The gates and sources a program knows. Core reads everything about a gate or a source from
 * here and knows none of them by name: the CLI and the CDK app pass the built-in registry
 * (`lambda/registry.ts`), a deployed function passes one with its own gate and sources.
 */
export class Registry implements SourceCatalog {
  readonly gates: readonly GateDefinition[];
  readonly sources: readonly SourceDefinition[];

  /**
   * The config validator compiled ahead of time (ajv standalone) for exactly this registry's schema;
   * without one, the loader compiles the schema with ajv on first use.
   */
  readonly validator?: ConfigValidator;

  constructor(gates: readonly GateDefinition[], sources: readonly SourceDefinition[], options: { validator?: ConfigValidator } = {}) {
    const ids = new Set<string>();
    for (const g of gates) {
      if (!GATE_ID_PATTERN.test(g.id)) throw new Error(`gate id '${g.id}' must match ${GATE_ID_PATTERN}`);
      if (ids.has(g.id)) throw new Error(`gate '${g.id}' is registered twice`);
      ids.add(g.id);
    }
    const types = new Set<string>();
    for (const s of sources) {
      if (types.has(s.type)) throw new Error(`source type '${s.type}' is registered twice`);
      types.add(s.type);
    }
    this.gates = gates;
    this.sources = sources;
    this.validator = options.validator;
  }

  get gateIds(): string[] {
    return this.gates.map((g) => g.id);
  }

  gate(id: string): GateDefinition | undefined {
    return this.gates.find((g) => g.id === id);
  }

  isGateId(id: string): boolean {
    return this.gates.some((g) => g.id === id);
  }

  source(type: string): SourceDefinition | undefined {
    return this.sources.find((s) => s.type === type);
  }

  /** The sources that open a port, each with its opener, in registration order. */
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds gates and sources of every config type; each is type-checked where it is declared
  openers(portId: string): { source: SourceDefinition; opener: PortOpener<any, any, any> }[] {
    return this.sources.flatMap((source) => source.opens.filter((o) => o.port.id === portId).map((opener) => ({ source, opener })));
  }

  optionSchemas(portId: string): Record<string, JsonSchema> {
    return Object.fromEntries(this.openers(portId).map(({ source, opener }) => [source.type, opener.optionsSchema ?? {}]));
  }

  /** The schema of `gates.<id>` for a gate of this registry. */
  gateSchema(gate: GateDefinition): JsonSchema {
    return typeof gate.configSchema === 'function' ? gate.configSchema(this) : gate.configSchema;
  }
}
