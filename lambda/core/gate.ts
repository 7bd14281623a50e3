import type { JsonSchema } from './config/json-schema';
import type { ReadinessConfig, SourceConfig } from './config/types';
import type { MetricUnitName } from './metrics';
import type { Interrupts } from './interrupts';
import type { GateOutcome } from './result';
import type { SecretResolver } from './secrets';
import type { SourceUse } from './source';

/** A gate id: `--check`, JUnit test cases, metric dimensions, history keys and alarm names use it. */
export type GateId = string;

/** Gate ids: lower-case words, as they appear in metric dimensions and alarm names. */
export const GATE_ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

/** Keys every gate accepts besides its own. */
export interface GateCommon {
  /** `false` leaves the gate out of the run. Default true. */
  enabled?: boolean;
  /** Deadline for the whole gate; past it the gate is ERROR. Default 60. */
  timeoutSeconds?: number;
}

/** Everything a gate gets at run time. Gates never read env vars, files, argv or other gates' config. */
export interface GateContext {
  suite: string;
  /** Opens a port on the source a use names; throws a ConfigError naming the field when it cannot. */
  open<T, O>(use: SourceUse<T, O>): Promise<T>;
  /** The type and title of the source a use names, and whether it is configured (an empty key is not). */
  describe(source: string | SourceConfig): { type: string; title: string; configured: boolean };
  secrets: SecretResolver;
  /** Aborted when the gate's deadline passes; long work should stop promptly. */
  signal: AbortSignal;
  /** Absolute deadline (epoch ms) of this gate. */
  deadline: number;
  /** False with `--no-probes`: active probes must not run. */
  probes: boolean;
  /**
   * False when nothing will write the gate's artifacts (the CLI without --out): a gate whose
   * artifact is large and not needed for its verdict builds none. Deployed runs always store them.
   */
  artifacts?: boolean;
  /** Progress lines for long work (shown on stderr by the CLI). */
  progress(message: string): void;
  now(): Date;
  /** SIGINT/SIGTERM, deferred while a probe holds something it must put back. */
  interrupts: Interrupts;
  /** Gate-specific command-line options, already parsed (e.g. `--from`). */
  options: Record<string, string | boolean | undefined>;
  /** True when the config was built from env vars (no readiness.yaml): fix lines name env vars, not config keys. */
  zeroConfig?: boolean;
}

/** A command-line option a gate adds to `saas-readiness run`. */
export interface GateCliOption {
  name: string;
  type: 'string' | 'boolean';
  description: string;
}

/** A criterion a gate can report. Reported ids may be qualified (`datadog.signals` for `signals`). */
export interface CriterionInfo {
  readonly id: string;
  readonly title: string;
  /** What to do when it is not met, in general terms (the result names the specifics). */
  readonly remediation: string;
}

/** The measurement a deployed gate emits as its own metric, graphed on the dashboard. */
export interface KeyMeasurement {
  /** The name of the measurement in the gate's result, e.g. `activeTenants`. */
  readonly measurement: string;
  /** The CloudWatch metric name, e.g. `ActiveTenants`. */
  readonly metric: string;
  readonly unit: MetricUnitName;
  /** Label on the dashboard. */
  readonly label: string;
  /** Draw the gate's threshold as horizontal lines at ± its value (cost variance). */
  readonly symmetric?: boolean;
}

/** How the deployed stack runs a gate by default. */
export interface GateDeployment<C> {
  /** Hours between scheduled runs. */
  readonly scheduleHours: number;
  /** Why this schedule (shown in docs/deploy.md). */
  readonly why: string;
  /** The threshold drawn with the key measurement on the dashboard. */
  threshold?(config: C): number | undefined;
  /**
   * A gate that keeps history of its own (gate 3's schema fingerprints and probe journal): its
   * config as deployed, pointed at the stack's history table, and a warning for what that replaces.
   */
  history?(config: C, table: string): { config: C; warning?: string };
}

/** What gates may know about the registered sources: the option schemas of the sources that open a port. */
export interface SourceCatalog {
  /** Per source type that opens the port, the schema of its options (`{}` when it takes none). */
  optionSchemas(portId: string): Record<string, JsonSchema>;
}

/**
 * A readiness gate, declared in its own folder (`lambda/checks/<id>/gate.ts`) and registered in
 * `lambda/gates.ts`: everything else — schema, CLI, runner, reports, deployment plan, metrics,
 * dashboard and rule-pack gate names — derives from this.
 */
// biome-ignore lint/suspicious/noExplicitAny: a registry holds gates and sources of every config type; each is type-checked where it is declared
export interface GateDefinition<C extends GateCommon = any> {
  readonly id: GateId;
  readonly title: string;
  /** The module that exports this definition as `gate` (`__filename`): a deployed function's bundle imports it from there. */
  readonly module: string;
  /**
   * JSON Schema of `gates.<id>` (without the common keys, which are added for every gate). Its
   * `default`s are applied once when the config is loaded. A function of the source catalog when
   * it includes the options of the sources the gate opens.
   */
  readonly configSchema: JsonSchema | ((catalog: SourceCatalog) => JsonSchema);
  readonly criteria: readonly CriterionInfo[];
  readonly keyMeasurement: KeyMeasurement;
  readonly deployment: GateDeployment<C>;
  /** Keys of its config that set up active probes: scheduled runs leave them out, the opt-in probe schedule runs them. */
  readonly probes?: readonly string[];
  readonly cliOptions?: readonly GateCliOption[];
  /** Checks this gate's command-line options before anything runs; throws a ConfigError (exit 2). */
  checkOptions?(options: Record<string, string | boolean | undefined>): void;
  /**
   * Zero-config default when no readiness.yaml exists: a config from env vars, or a SKIP hint.
   * `envVars` names the variable each value came from (config path → name, e.g.
   * `sources.datadog.site` → `DATADOG_SITE`), so that a value the schema refuses is named as set.
   */
  fromEnvironment(env: NodeJS.ProcessEnv): { gate: C; sources?: Record<string, SourceConfig>; envVars?: Record<string, string> } | { skip: string };
  /** The ports the gate opens for this config: the loader checks them, the stack grants and bundles them. */
  uses(config: C, scope: { suite: string }): SourceUse[];
  /** Checks on its own validated config that a schema cannot express. */
  validate?(config: C, at: (field: string) => string): void;
  /**
   * Values the gate shares with another gate, resolved when the config is loaded (before it is
   * sliced for a deployed function), so that the CLI and the deployed function see the same.
   */
  resolve?(config: C, all: ReadinessConfig): C;
  run(config: C, ctx: GateContext): Promise<GateOutcome>;
}
