import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../core/errors';
import type { GateId } from '../core/gate';
import type { Registry } from '../core/registry';
import { escapeControl, redact } from '../core/redact';
import type { SecretResolver } from '../core/secrets';
import { ACK_HELP, ACK_OPTIONS, FORMATS, toolVersion, type Format } from './options';

// Commands load what they use when they run: `--version` and `--help` load no gate, source, SDK
// client, YAML parser, validator or renderer; `validate` loads no SDK client; `run` loads the
// adapters and clients of the gates it runs (each source imports its adapter when a port opens).
const DEFAULT_CONFIG_FILE = 'readiness.yaml';
const config = (): typeof import('../core/config/load') => require('../core/config/load');
const runner = (): typeof import('../core/runner') => require('../core/runner');

export { toolVersion } from './options';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Colour and live progress only on a terminal. */
  isTTY?: boolean;
  secrets?: SecretResolver;
  /** The gates and sources to offer. Default: the built-in ones. */
  registry?: Registry;
}

/** Exit codes; an interrupted run exits 128 + the signal number (130 SIGINT, 143 SIGTERM). */
export const EXIT = { READY: 0, NOT_READY: 1, USAGE: 2, NOT_DELIVERED: 3 } as const;

const gateOptionsOf = (registry: Registry) => registry.gates.flatMap((g) => g.cliOptions ?? []);

const help = (registry: Registry) => `saas-readiness — production-readiness gates for multi-tenant SaaS on AWS

Usage:
  saas-readiness run [options]        evaluate the gates and print the verdict
  saas-readiness validate [--config FILE]
                                      check the config only (no connections)
  saas-readiness init [--config FILE] [--force]
                                      write a commented starter readiness.yaml
  saas-readiness diff [--config FILE] [--history LOCATION] [--check ID] [--format text|json]
                                      what changed between the two newest recorded runs
  saas-readiness sarif [--app COMMAND] [--out FILE]
                                      run the CDK app (default: cdk.json's app) and print the
                                      readiness rule pack's findings as SARIF 2.1.0
  saas-readiness schema               print the JSON Schema of readiness.yaml
${ACK_HELP}
  saas-readiness --version | --help

Options for run:
  --config FILE      config file (default ./${DEFAULT_CONFIG_FILE}; without one, the zero-config
                     default reads DATABASE_URL and the other documented env vars)
  --check ID         run only this gate (repeatable or comma-separated): ${registry.gateIds.join(', ')}
  --format FORMAT    ${FORMATS.join(' | ')} (default text)
  --out DIR          also write report.json, report.md, junit.xml, report.html and gate artifacts to DIR
  --history LOCATION compare with the previous run and record this one: a file (e.g.
                     .saas-readiness/history.jsonl) or dynamodb:TABLE (the deployed history table);
                     diff reads it (default .saas-readiness/history.jsonl)
  --security-hub     publish one finding per gate and per failing criterion to AWS Security Hub
                     (account and region of the AWS SDK environment)
  --allow-skip       learning mode: skipped gates do not make the suite NOT READY
  --no-probes        never run active probes (quota, config round trip)
  --quiet            no progress on stderr
  --history-table NAME
                     also show the suite's acknowledgements from the deployed history table
                     (default: SAAS_READINESS_HISTORY_TABLE)
${gateOptionsOf(registry)
  .map((o) => `  --${o.name}${o.type === 'string' ? ' VALUE' : ''}`.padEnd(21) + o.description)
  .join('\n')}
Exit codes: 0 READY, 1 NOT READY, 2 configuration or usage error, 3 the verdict was reached but
Security Hub did not accept it.
`;

const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  check: { type: 'string', multiple: true },
  format: { type: 'string', short: 'f' },
  out: { type: 'string', short: 'o' },
  history: { type: 'string' },
  app: { type: 'string' },
  'security-hub': { type: 'boolean' },
  'allow-skip': { type: 'boolean' },
  'no-probes': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
  ...ACK_OPTIONS,
} satisfies ParseArgsConfig['options'];

/** The options `run` accepts: the common ones and each registered gate's own. */
const optionsOf = (registry: Registry): ParseArgsConfig['options'] => ({
  ...COMMON_OPTIONS,
  ...Object.fromEntries(gateOptionsOf(registry).map((o) => [o.name, { type: o.type }])),
});

/**
 * The CLI. Returns the exit code; never throws. Every byte it prints passes through here: redacted
 * on stdout (reports escape control characters themselves, keeping their own colours), redacted
 * and with control characters escaped on stderr. Only the published JSON Schema, a constant of the
 * code, is printed as it is: its examples (`postgres://user:password@host`) are shaped like secrets.
 */
export async function main(argv: string[], raw: CliIo): Promise<number> {
  const io: CliIo = { ...raw, stdout: (t) => raw.stdout(redact(t)), stderr: (t) => raw.stderr(escapeControl(redact(t))) };
  try {
    return await dispatch(argv, io, raw.stdout);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`saas-readiness: ${oneLine(err.shownIn(raw.cwd))}\n`);
      return EXIT.USAGE;
    }
    io.stderr(`saas-readiness: unexpected error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT.USAGE;
  }
}

/** A message as one line of bounded length, redacted before it is shortened. */
function oneLine(message: string): string {
  const line = redact(message).replace(/\s*\n\s*/g, ' ');
  return line.length > 1000 ? `${line.slice(0, 1000)}…` : line;
}

async function dispatch(argv: string[], io: CliIo, constantOut: (text: string) => void): Promise<number> {
  // `--version` answers before the registry loads (gate options are not needed to see it).
  const early = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true, strict: false }).values;
  if (early.version === true) {
    io.stdout(`${toolVersion()}\n`);
    return EXIT.READY;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: optionsOf(registryOf(io)), allowPositionals: true, strict: true });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message.replace(/\. To specify.*$/s, '')} (see --help)`);
  }
  const { values, positionals } = parsed as { values: Values; positionals: string[] };
  if (values.version) {
    io.stdout(`${toolVersion()}\n`);
    return EXIT.READY;
  }
  const [command = values.help ? 'help' : 'run', ...rest] = positionals;
  if (values.help || command === 'help') {
    io.stdout(help(registryOf(io)));
    return EXIT.READY;
  }
  if (rest.length) throw new ConfigError(`unexpected argument '${rest[0]}' (see --help)`);
  switch (command) {
    case 'run':
      return run(values, io);
    case 'validate':
      return validateCommand(values, io);
    case 'init':
      return init(values, io);
    case 'diff':
      return diffCommand(values, io);
    case 'sarif':
      return (require('./sarif') as typeof import('./sarif')).sarifCommand({
        app: values.app as string | undefined,
        out: values.out as string | undefined,
        cwd: io.cwd,
        env: io.env,
        stdout: io.stdout,
        stderr: io.stderr,
      });
    case 'schema':
      constantOut(
        `${JSON.stringify((require('../core/config/schema') as typeof import('../core/config/schema')).buildConfigSchema(registryOf(io)), null, 2)}\n`,
      );
      return EXIT.READY;
    case 'ack':
      return (require('./ack') as typeof import('./ack')).ackCommand(values, io, registryOf(io));
    default:
      throw new ConfigError(`unknown command '${command}' (commands: run, validate, init, diff, sarif, schema, ack; see --help)`);
  }
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const registryOf = (io: CliIo): Registry => io.registry ?? (require('../registry') as typeof import('../registry')).BUILT_IN;

function checksOf(values: Values, registry: Registry): GateId[] | undefined {
  const raw = values.check as string[] | undefined;
  if (!raw) return undefined;
  const ids = raw
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  for (const id of ids) {
    if (!registry.isGateId(id)) throw new ConfigError(`--check: unknown gate '${id}' (gates: ${registry.gateIds.join(', ')})`);
  }
  return ids as GateId[];
}

async function run(values: Values, io: CliIo): Promise<number> {
  const registry = registryOf(io);
  const format = (values.format as string | undefined) ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new ConfigError(`--format must be one of ${FORMATS.join(', ')} (got '${format}')`);
  const only = checksOf(values, registry);
  const optionValues = Object.fromEntries(gateOptionsOf(registry).map((o) => [o.name, values[o.name] as string | boolean | undefined]));
  for (const gate of registry.gates) gate.checkOptions?.(optionValues);
  const { runGates, selectedGates } = runner();
  const loaded = config().resolveConfig(registry, values.config as string | undefined, io.cwd, { env: io.env });
  const outDir = values.out ? resolve(io.cwd, values.out as string) : undefined;
  const output = require('./output') as typeof import('./output');
  if (outDir) output.prepareOutDir(outDir);
  const selected = selectedGates({ registry, loaded, only });
  if (only && selected.length < only.length) {
    const missing = only.filter((id) => !selected.some((g) => g.id === id));
    throw new ConfigError(`--check: gate ${missing.join(', ')} is not enabled in ${loaded.file ?? 'the zero-config default'}`);
  }
  const history =
    values.history !== undefined
      ? (require('./history-location') as typeof import('./history-location')).historyStoreAt(values.history as string, io.cwd)
      : undefined;
  const quiet = Boolean(values.quiet);
  const allowSkip = Boolean(values['allow-skip']);
  if (!quiet) {
    io.stderr(
      `saas-readiness: running ${selected.map((g) => g.id).join(', ') || 'no gates'}${allowSkip ? ' (learning mode: skipped gates allowed)' : ''}${values['no-probes'] ? ' (probes off)' : ''}\n`,
    );
  }
  const { signalExitCode, watchInterrupts } = require('./interrupts') as typeof import('./interrupts');
  const interrupts = watchInterrupts();
  let report;
  try {
    report = await runGates({
      registry,
      loaded,
      only,
      secrets: io.secrets ?? new (require('../core/secrets') as typeof import('../core/secrets')).RuntimeSecretResolver(),
      allowSkip,
      probes: !values['no-probes'],
      // Artifacts (gate 3's tenant_configs.yaml for every tenant) are built only when --out writes them.
      artifacts: outDir !== undefined,
      gateOptions: optionValues,
      signal: interrupts.signal,
      tool: { name: 'saas-readiness', version: toolVersion() },
      onProgress: quiet ? undefined : (gate, event, detail) => io.stderr(`  ${event === 'end' ? '■' : event === 'start' ? '▶' : '…'} ${gate}: ${detail}\n`),
    });
  } finally {
    interrupts.stop();
  }
  const signal = interrupts.received();
  if (signal) {
    // An interrupted run has no verdict: no report on stdout, nothing written to --out.
    const probes = report.results.flatMap((r) => r.criteria.filter((c) => /restor/i.test(c.summary)).map((c) => `${r.gate}: ${c.summary}`));
    io.stderr(`saas-readiness: interrupted by ${signal}; gates stopped, no report written${probes.length ? `; ${probes.join('; ')}` : ''}\n`);
    return signalExitCode(signal);
  }
  const ack = require('./ack') as typeof import('./ack');
  const historyTable = ack.historyTableOf(values, io.env);
  if (historyTable) report.acknowledgements = await ack.reportAcknowledgements(report, historyTable);
  const warn = (line: string) => io.stderr(`${line}\n`);
  const { compareWithHistory, gateLocator, recordInHistory } = require('./deliver') as typeof import('./deliver');
  const timelines = history ? await compareWithHistory(report, history, new Date(), warn) : undefined;
  const html = timelines ? { timelines } : {};
  io.stdout(output.render(report, format as Format, { color: Boolean(io.isTTY) && !io.env.NO_COLOR, locate: gateLocator(loaded, io.cwd, io.env), html }));
  if (format === 'github' && io.env.GITHUB_STEP_SUMMARY) {
    const [{ fitStepSummary }, { renderMarkdown }] = [
      require('../core/report/github') as typeof import('../core/report/github'),
      require('../core/report/markdown') as typeof import('../core/report/markdown'),
    ];
    appendFileSync(io.env.GITHUB_STEP_SUMMARY, fitStepSummary(redact(renderMarkdown(report))));
  }
  if (outDir) {
    const files = output.writeReports(report, outDir, html);
    if (!quiet) io.stderr(`saas-readiness: wrote ${files.join(', ')}\n`);
  }
  if (history) await recordInHistory(report, history, warn);
  if (values['security-hub']) {
    try {
      const sent = await (require('./security-hub') as typeof import('./security-hub')).publishRunToSecurityHub(report);
      if (!quiet)
        io.stderr(
          `saas-readiness: Security Hub ${sent.account}/${sent.region}: ${sent.imported} finding(s) imported (${sent.archived} archived) in ${sent.requests} request(s)\n`,
        );
    } catch (err) {
      io.stderr(
        `saas-readiness: publishing to Security Hub failed: ${redact((require('../core/errors') as typeof import('../core/errors')).describeError(err))}\n`,
      );
      return EXIT.NOT_DELIVERED;
    }
  }
  return report.verdict === 'READY' ? EXIT.READY : EXIT.NOT_READY;
}

/** Exit 1 when something newly fails or a tenant left the tolerance, else 0. */
async function diffCommand(values: Values, io: CliIo): Promise<number> {
  const registry = registryOf(io);
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new ConfigError(`diff --format must be text or json (got '${format}')`);
  const loaded = config().resolveConfig(registry, values.config as string | undefined, io.cwd, { env: io.env });
  const only = checksOf(values, registry);
  const gates = runner()
    .selectedGates({ registry, loaded, only })
    .map((g) => g.id);
  const { diffRuns, renderDiffText } = require('./diff') as typeof import('./diff');
  const { historyStoreAt } = require('./history-location') as typeof import('./history-location');
  const { isRegression } = require('../core/changes') as typeof import('../core/changes');
  const diff = await diffRuns(historyStoreAt(values.history as string | undefined, io.cwd), loaded.config.suite, gates, new Date());
  io.stdout(redact(format === 'json' ? `${JSON.stringify({ suite: loaded.config.suite, ...diff }, null, 2)}\n` : renderDiffText(diff, loaded.config.suite)));
  return diff.changes.some(isRegression) ? EXIT.NOT_READY : EXIT.READY;
}

function validateCommand(values: Values, io: CliIo): number {
  const registry = registryOf(io);
  const loaded = config().resolveConfig(registry, values.config as string | undefined, io.cwd, { env: io.env });
  const gates = runner().selectedGates({ registry, loaded });
  const where = loaded.file ?? 'zero-config default (no readiness.yaml; built from environment variables)';
  const lines = gates.map((g) => {
    const own = loaded.config.gates[g.id];
    return own ? `  ${g.id}: configured${'source' in own ? ` (source ${String(own.source)})` : ''}` : `  ${g.id}: will SKIP — ${loaded.skipped[g.id]}`;
  });
  io.stdout(`${where}: valid\n  suite: ${loaded.config.suite}\n${lines.join('\n')}\n`);
  return EXIT.READY;
}

function init(values: Values, io: CliIo): number {
  const target = resolve(io.cwd, (values.config as string | undefined) ?? DEFAULT_CONFIG_FILE);
  if (existsSync(target) && !values.force) throw new ConfigError(`${target} already exists (use --force to overwrite)`);
  writeFileSync(target, (require('./starter') as typeof import('./starter')).STARTER_CONFIG, { flag: values.force ? 'w' : 'wx' });
  io.stdout(
    `wrote ${target}\nnext: edit it, set DATABASE_URL (and every other \${env:NAME} it uses), then run \`saas-readiness validate\` and \`saas-readiness run\`\n`,
  );
  return EXIT.READY;
}
