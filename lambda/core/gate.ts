import type { GateOutcome } from './result';
import type { JsonSchema } from './config/json-schema';
import type { ReadinessConfig, SourceConfig } from './config/types';
import type { SecretResolver } from './secrets';

/** The four gate ids, fixed by the design: used by `--check`, JUnit, metrics, history and alarms. */
export const GATE_IDS = ['tenants', 'cost', 'config', 'monitoring'] as const;
export type GateId = (typeof GATE_IDS)[number];

/** Keys every gate accepts besides its own. */
export interface GateCommon {
  /** `false` leaves the gate out of the run. Default true. */
  enabled?: boolean;
  /** Deadline for the whole gate; past it the gate is ERROR. Default 60. */
  timeoutSeconds?: number;
}

/** Everything a gate gets at run time. Gates never read env vars, files or argv themselves. */
export interface GateContext {
  suite: string;
  config: ReadinessConfig;
  /** Looks up a named source of the expected type(s); throws a ConfigError naming the field. */
  source<T extends SourceConfig>(name: string, field: string, types: readonly T['type'][]): T;
  secrets: SecretResolver;
  /** Aborted when the gate's deadline passes; long work should stop promptly. */
  signal: AbortSignal;
  /** Absolute deadline (epoch ms) of this gate. */
  deadline: number;
  /** False with `--no-probes`: active probes must not run. */
  probes: boolean;
  /** Progress lines for long work (shown on stderr by the CLI). */
  progress(message: string): void;
  now(): Date;
  /** Gate-specific command-line options, already parsed (e.g. `--from`). */
  options: Record<string, string | boolean | undefined>;
}

/** A command-line option a gate adds to `saas-readiness run`. */
export interface GateCliOption {
  name: string;
  type: 'string' | 'boolean';
  description: string;
}

/**
 * A readiness gate. Adding a gate means writing one of these and registering it in
 * `lambda/checks/index.ts`; the runner, CLI, schema and reports pick it up from there.
 */
export interface GateDefinition<C extends GateCommon = GateCommon> {
  id: GateId;
  title: string;
  /** JSON Schema of `gates.<id>` (without the common keys, which are added for every gate). */
  configSchema: JsonSchema;
  /** JSON Schemas of the source types this gate introduces, keyed by `type`. */
  sourceSchemas?: Record<string, JsonSchema>;
  /** Zero-config default when no readiness.yaml exists: a config from env vars, or a SKIP hint. */
  fromEnvironment(env: NodeJS.ProcessEnv): { gate: C; sources?: Record<string, SourceConfig> } | { skip: string };
  /** Extra checks on the validated config that a schema cannot express (e.g. source types). */
  validate?(config: C, all: ReadinessConfig, at: (field: string) => string): void;
  cliOptions?: GateCliOption[];
  /** Checks this gate's command-line options before anything runs; throws a ConfigError (exit 2). */
  checkOptions?(options: Record<string, string | boolean | undefined>): void;
  run(config: C, ctx: GateContext): Promise<GateOutcome>;
}
