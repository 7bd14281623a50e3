import type { AcknowledgementSection } from './acknowledgements';
import { ConfigError, DeadlineError, describeError } from './errors';
import type { GateContext, GateDefinition, GateId } from './gate';
import type { LoadedConfig, SourceConfig } from './config/types';
import { resolveUse } from './config/sources';
import { processInterrupts, type Interrupts } from './interrupts';
import type { Registry } from './registry';
import type { SourceUse } from './source';
import { errorOutcome, skippedOutcome, type CheckResult, type GateOutcome } from './result';
import { redact, redactDeep } from './redact';
import type { SecretResolver } from './secrets';
import type { RunChanges } from './changes';

export const REPORT_SCHEMA_VERSION = 1;
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** How long an interrupted gate may take to stop (a canary restore needs a few seconds at most). */
export const INTERRUPT_GRACE_MS = 10_000;
/**
 * How long a gate past its deadline may take to hand back what it had measured: its I/O stops on
 * the aborted signal, so the criteria and evidence it already has come back within milliseconds.
 */
export const DEADLINE_GRACE_MS = 1_000;

export type Verdict = 'READY' | 'NOT READY';

export interface RunReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  suite: string;
  configFile?: string;
  verdict: Verdict;
  /** One line explaining the verdict. */
  verdictReason: string;
  allowSkip: boolean;
  probes: boolean;
  startedAt: string;
  durationMs: number;
  results: CheckResult[];
  /** Break-glass acknowledgements of the suite, where a history table was given; they never change the verdict. */
  acknowledgements?: AcknowledgementSection;
  /** What changed since the previous run of each gate; set when the run was compared with a history. */
  changes?: RunChanges;
}

export interface RunOptions {
  /** The gates (and the sources they open) this program knows. */
  registry: Registry;
  loaded: LoadedConfig;
  secrets: SecretResolver;
  /** Run only these gates (`--check`). */
  only?: readonly GateId[];
  /**
   * Aborted on an interrupt (SIGINT/SIGTERM): every gate is stopped with the signal's reason, and
   * is given {@link INTERRUPT_GRACE_MS} to put back what its probe changed before it is reported.
   */
  signal?: AbortSignal;
  allowSkip?: boolean;
  probes?: boolean;
  /** False when nothing will write the gates' artifacts (the CLI without --out): gates may skip building them. Default true. */
  artifacts?: boolean;
  gateOptions?: Record<string, string | boolean | undefined>;
  /** Called when a gate starts, reports progress, and ends. */
  onProgress?: (gate: GateId, event: 'start' | 'progress' | 'end', detail: string) => void;
  /** Watched while a probe holds something it must put back. Default: this process's SIGINT/SIGTERM. */
  interrupts?: Interrupts;
  now?: () => Date;
  tool?: { name: string; version: string };
}

/** The gates a run will evaluate, in registry order: enabled, selected, and configured or skipped. */
export function selectedGates(opts: Pick<RunOptions, 'registry' | 'loaded' | 'only'>): GateDefinition[] {
  const { config, skipped } = opts.loaded;
  return opts.registry.gates.filter((g) => {
    if (opts.only && !opts.only.includes(g.id)) return false;
    const own = config.gates[g.id];
    if (own) return own.enabled !== false;
    return skipped[g.id] !== undefined;
  });
}

/**
 * Runs the selected gates concurrently, each under its own deadline. A gate that throws or
 * overruns becomes ERROR naming the cause; nothing a gate does can crash the run.
 */
export async function runGates(opts: RunOptions): Promise<RunReport> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const gates = selectedGates(opts);
  const results = await Promise.all(gates.map((g) => runOne(g, opts, now)));
  return reportOf(results, { ...opts, suite: opts.loaded.config.suite, configFile: opts.loaded.file }, started, now);
}

/**
 * The report of a run that could not start because its configuration did not load: each gate
 * asked for is ERROR with the cause and how to fix it, so that it is published like any other.
 */
export function configErrorReport(
  opts: Pick<RunOptions, 'registry' | 'only' | 'probes' | 'tool' | 'now'> & { suite: string; cause: string; remediation: string },
): RunReport {
  const now = opts.now ?? (() => new Date());
  const started = now();
  const gates = opts.registry.gates.filter((g) => !opts.only || opts.only.includes(g.id));
  const results = gates.map((g) => resultOf(g, errorOutcome(opts.cause, opts.remediation), started, now));
  return reportOf(results, opts, started, now);
}

function reportOf(
  results: CheckResult[],
  opts: Pick<RunOptions, 'allowSkip' | 'probes' | 'tool'> & { suite: string; configFile?: string },
  started: Date,
  now: () => Date,
): RunReport {
  const allowSkip = opts.allowSkip ?? false;
  const { verdict, reason } = verdictOf(results, allowSkip);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: opts.tool ?? { name: 'saas-readiness', version: '0.0.0' },
    suite: opts.suite,
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
    verdict,
    verdictReason: reason,
    allowSkip,
    probes: opts.probes ?? true,
    startedAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
    results,
  };
}

/** A gate's outcome as reported: identity and timing added, every secret redacted. */
function resultOf(gate: GateDefinition, outcome: GateOutcome, started: Date, now: () => Date): CheckResult {
  return {
    gate: gate.id,
    title: gate.title,
    ...redactDeep(outcome),
    startedAt: started.toISOString(),
    durationMs: now().getTime() - started.getTime(),
  };
}

/** READY only when every gate PASSed (SKIP counts as neutral with allowSkip) and something was measured. */
export function verdictOf(results: readonly CheckResult[], allowSkip: boolean): { verdict: Verdict; reason: string } {
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const [pass, fail, skip, error] = ['PASS', 'FAIL', 'SKIP', 'ERROR'].map(count);
  if (results.length === 0) return { verdict: 'NOT READY', reason: 'no gate was run' };
  const parts = [`${pass} passed`, fail && `${fail} failed`, error && `${error} in error`, skip && `${skip} skipped`].filter(Boolean).join(', ');
  if (fail || error) return { verdict: 'NOT READY', reason: parts };
  if (skip && !allowSkip) return { verdict: 'NOT READY', reason: `${parts} (skipped gates count as not ready; --allow-skip for learning mode)` };
  if (pass === 0) return { verdict: 'NOT READY', reason: `${parts}: nothing was measured` };
  return { verdict: 'READY', reason: skip ? `${parts} (learning mode: skipped gates not counted)` : parts };
}

async function runOne(gate: GateDefinition, opts: RunOptions, now: () => Date): Promise<CheckResult> {
  const { config, skipped } = opts.loaded;
  const started = now();
  const own = config.gates[gate.id];
  const finish = (outcome: GateOutcome): CheckResult => {
    const result = resultOf(gate, outcome, started, now);
    opts.onProgress?.(gate.id, 'end', `${result.status} (${(result.durationMs / 1000).toFixed(1)} s)`);
    return result;
  };
  if (!own) return finish(skippedOutcome(skipped[gate.id] ?? 'not configured'));
  if (opts.signal?.aborted) return finish(errorOutcome(describeError(opts.signal.reason)));

  const seconds = own.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const at = (field: string) => `gates.${gate.id}.${field}`;
  const controller = new AbortController();
  // Wall-clock time, not the injected `now` (the business date a gate judges by): sources compare it with Date.now().
  const deadline = Date.now() + seconds * 1000;
  const progress = (message: string) => opts.onProgress?.(gate.id, 'progress', redact(message));
  // What each source is still doing, so that a timeout can say which one it was waiting on.
  const pending = new Map<number, string>();
  let calls = 0;
  const track = <R>(label: string, result: Promise<R>): Promise<R> => {
    const id = ++calls;
    pending.set(id, label);
    const done = () => pending.delete(id);
    result.then(done, done);
    return result;
  };
  const ctx: GateContext = {
    suite: config.suite,
    async open<T, O>(use: SourceUse<T, O>): Promise<T> {
      const resolved = resolveUse(opts.registry, config, use as SourceUse, at);
      const label = `${use.port.title} (${resolved.name ? `source '${resolved.name}', ` : ''}${resolved.definition.type})`;
      const port = await track(
        label,
        Promise.resolve(
          resolved.opener.open(resolved.config, use.options, { suite: config.suite, secrets: opts.secrets, signal: controller.signal, deadline, progress }),
        ),
      );
      return trackedPort(port as T, (result) => track(label, result));
    },
    describe(source: string | SourceConfig) {
      const found = typeof source === 'string' ? config.sources[source] : source;
      const definition = found && opts.registry.source(found.type);
      return {
        type: found?.type ?? 'unknown',
        title: definition?.title ?? found?.type ?? String(source),
        configured: Boolean(found && (definition?.configured?.(found) ?? true)),
      };
    },
    secrets: opts.secrets,
    signal: controller.signal,
    deadline,
    probes: opts.probes ?? true,
    artifacts: opts.artifacts ?? true,
    progress,
    now,
    interrupts: opts.interrupts ?? processInterrupts,
    options: opts.gateOptions ?? {},
    zeroConfig: opts.loaded.file === undefined,
  };
  opts.onProgress?.(gate.id, 'start', gate.title);
  let timer: NodeJS.Timeout | undefined;
  let grace: NodeJS.Timeout | undefined;
  let waitingOn: string[] = [];
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      waitingOn = [...new Set(pending.values())];
      const err = new DeadlineError(seconds, `gates.${gate.id}.timeoutSeconds`);
      reject(err);
      controller.abort(err);
    }, seconds * 1000);
  });
  // A gate that throws synchronously rejects like one that fails later.
  const running = (async () => gate.run(own, ctx))();
  let onInterrupt: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onInterrupt = () => {
      const reason = opts.signal?.reason;
      controller.abort(reason);
      // The gate stops on its signal; a probe restores first. Report it once it has, or after the grace.
      const stop = () => {
        clearTimeout(grace);
        reject(reason);
      };
      grace = setTimeout(stop, INTERRUPT_GRACE_MS);
      running.then(stop, stop);
    };
    opts.signal?.addEventListener('abort', onInterrupt, { once: true });
  });
  try {
    return finish(await Promise.race([running, overrun, interrupted]));
  } catch (thrown) {
    // Whatever a gate throws while being aborted, the cause is the deadline.
    const err = controller.signal.aborted ? controller.signal.reason : thrown;
    if (err instanceof ConfigError) return finish(errorOutcome(`configuration: ${err.message}`));
    if (err instanceof DeadlineError) return finish(await pastDeadline(err, running, waitingOn));
    return finish(errorOutcome(describeError(err)));
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    if (onInterrupt) opts.signal?.removeEventListener('abort', onInterrupt);
  }
}

/**
 * A gate past its deadline: ERROR naming the deadline and the sources still pending, keeping the
 * criteria and evidence the gate hands back once its signal is aborted (within {@link DEADLINE_GRACE_MS}).
 */
async function pastDeadline(err: DeadlineError, running: Promise<GateOutcome>, waitingOn: string[]): Promise<GateOutcome> {
  const summary = `${err.message}${waitingOn.length ? `; still waiting on ${waitingOn.join(', ')}` : ''}`;
  let timer: NodeJS.Timeout | undefined;
  const partial = await Promise.race([
    running.then(
      (outcome) => outcome,
      () => undefined,
    ),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), DEADLINE_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!partial || (partial.criteria.length === 0 && partial.evidence.length === 0)) return errorOutcome(summary);
  return {
    ...partial,
    status: 'ERROR',
    summary,
    evidence: [...partial.evidence, 'criteria and evidence above are what the gate had measured when its deadline passed'],
  };
}

/**
 * A port whose promise-returning methods are tracked while they run (`track`), so that a timeout
 * can name the source it was waiting on. Methods run on the port itself; other members pass through.
 */
function trackedPort<T>(port: T, track: (result: Promise<unknown>) => Promise<unknown>): T {
  if (!port || typeof port !== 'object') return port;
  return new Proxy(port as object, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function' || key === 'constructor') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? track(result) : result;
      };
    },
  }) as T;
}
