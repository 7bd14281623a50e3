import { basename, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { hasEnvRef } from '../../core/config/env';
import { optionProperties } from '../../core/config/schema';
import { ConfigError } from '../../core/errors';
import { readTextFile } from '../../core/files';
import type { GateCommon, GateDefinition, SourceCatalog } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import { DEFAULT_HISTORY_FILE, HISTORY, historyKey, type HistoryOptions, type HistoryStore } from '../../core/history';
import type { SourceUse } from '../../core/source';
import { DEFAULT_FINGERPRINT_DEPTH, DEFAULT_PROBE_KEY } from './defaults';
import { CANARY_STORE, CONFIG_STORE, EFFECTIVE_CONFIG, type CanaryStore, type ConfigStore, type EffectiveConfig, type StoreOptions } from './ports';

export interface CanaryConfig {
  /** The test tenant the probe may write; no other tenant is ever written. */
  tenant: string;
  /** Reserved top-level key the nonce is written under. */
  key: string;
  /** App endpoint serving the canary's effective config; polled until the nonce shows. */
  effectiveConfigUrl?: string;
  headers?: Record<string, string>;
  propagationLimitSeconds: number;
  pollIntervalMs: number;
}

/** `gates.config` in readiness.yaml. */
export interface ConfigGateConfig extends GateCommon {
  source: string;
  stableDays: number;
  /** JSON Schema every tenant config must satisfy. */
  schemaFile?: string;
  fingerprintDepth?: number;
  /** Where fingerprints and the probe journal go. Default: file `.saas-readiness/history.jsonl`. */
  history?: { file?: string; table?: string; region?: string };
  canary?: CanaryConfig;
  /** The source's own settings (table, column and attribute names). */
  [setting: string]: unknown;
}

/** Time kept back from the gate deadline so an aborted probe can still restore the canary. */
export const RESTORE_RESERVE_MS = 5000;

const schema = (catalog: SourceCatalog): JsonSchema => ({
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'Name of a postgres or dynamodb source under sources.' },
    stableDays: { type: 'integer', minimum: 1, maximum: 365, default: 30, description: 'Days the config schema must have been unchanged.' },
    schemaFile: { type: 'string', minLength: 1, description: 'JSON Schema file every tenant config must satisfy (path relative to the working directory).' },
    fingerprintDepth: {
      type: 'integer',
      minimum: 1,
      maximum: 32,
      default: DEFAULT_FINGERPRINT_DEPTH,
      description: 'Deepest JSON level included in the schema fingerprint.',
    },
    history: {
      type: 'object',
      additionalProperties: false,
      description: 'History of schema fingerprints and the probe journal: a local file (default) or the DynamoDB history table.',
      properties: {
        file: { type: 'string', minLength: 1, description: `Default ${DEFAULT_HISTORY_FILE}.` },
        table: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,255}$', description: 'DynamoDB table with string keys pk, sk (the one the CDK app deploys).' },
        region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
      },
      not: { required: ['file', 'table'] },
    },
    canary: {
      type: 'object',
      additionalProperties: false,
      required: ['tenant'],
      description: "Active probe (opt-in): writes a nonce into this test tenant's config, reads it back, waits for the app to see it, restores.",
      properties: {
        tenant: { type: 'string', minLength: 1, description: 'A test tenant; the only tenant the probe writes.' },
        key: {
          type: 'string',
          pattern: '^[A-Za-z_][A-Za-z0-9_]{2,63}$',
          default: DEFAULT_PROBE_KEY,
          description: 'Reserved top-level config key for the nonce.',
        },
        effectiveConfigUrl: { type: 'string', pattern: '^https?://', description: "App endpoint returning the canary's effective config." },
        headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Headers for that endpoint; use ${env:…} or ${secret:…}.' },
        propagationLimitSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: 10 },
        pollIntervalMs: { type: 'integer', minimum: 50, maximum: 10000, default: 250 },
      },
    },
    ...optionProperties(catalog, CONFIG_STORE.id),
  },
});

/** A tenant-config JSON Schema is a regular file of at most this size. */
const MAX_SCHEMA_FILE_BYTES = 4 * 2 ** 20;

/** Compiles the tenant-config JSON Schema with the draft it declares. */
function compileConfigSchema(file: string): ValidateFunction {
  let doc: { $schema?: string };
  try {
    doc = JSON.parse(readTextFile(resolve(file), MAX_SCHEMA_FILE_BYTES)) as { $schema?: string };
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const opts = { allErrors: false, strict: false } as const;
  // ajv's compiler loads only for a gate that names a tenant-config schema.
  // Literal paths, so that a function's bundle carries them.
  type AjvClass = { default: typeof import('ajv').default };
  const Ajv = (
    /2020-12/.test(doc.$schema ?? '')
      ? (require('ajv/dist/2020') as AjvClass)
      : /2019-09/.test(doc.$schema ?? '')
        ? (require('ajv/dist/2019') as AjvClass)
        : (require('ajv') as AjvClass)
  ).default;
  const ajv = new Ajv(opts);
  return ajv.compile(doc);
}

const storeUse = (c: ConfigGateConfig): SourceUse<ConfigStore, StoreOptions> => ({
  port: CONFIG_STORE,
  source: c.source,
  field: 'source',
  options: c,
  optionsAt: '',
});
const canaryUse = (c: ConfigGateConfig, canary: CanaryConfig): SourceUse<CanaryStore, { mapping: StoreOptions; tenant: string }> => ({
  port: CANARY_STORE,
  source: c.source,
  field: 'source',
  setting: 'canary',
  options: { mapping: c, tenant: canary.tenant },
});
/** Fingerprints and the probe journal: the DynamoDB history table, or a local file. */
const historyUse = (c: ConfigGateConfig, suite: string): SourceUse<HistoryStore, HistoryOptions> => ({
  port: HISTORY,
  source: c.history?.table
    ? { type: 'dynamodb', table: c.history.table, ...(c.history.region ? { region: c.history.region } : {}) }
    : { type: 'file', path: c.history?.file ?? DEFAULT_HISTORY_FILE },
  field: c.history?.table ? 'history.table' : 'history.file',
  options: { partitions: [historyKey.schema(suite, c.source), historyKey.probe(suite, c.source)] },
});
const effectiveConfigUse = (canary: CanaryConfig & { effectiveConfigUrl: string }): SourceUse<EffectiveConfig, { headers?: Record<string, string> }> => ({
  port: EFFECTIVE_CONFIG,
  source: { type: 'http', url: canary.effectiveConfigUrl },
  field: 'canary.effectiveConfigUrl',
  options: { headers: canary.headers },
});
const withUrl = (c: CanaryConfig | undefined): (CanaryConfig & { effectiveConfigUrl: string }) | undefined =>
  c?.effectiveConfigUrl ? (c as CanaryConfig & { effectiveConfigUrl: string }) : undefined;

export const gate: GateDefinition<ConfigGateConfig> = {
  id: 'config',
  title: 'Config database stable',
  module: __filename,
  configSchema: schema,
  criteria: [
    {
      id: 'configs',
      title: 'Every tenant config parses (and validates)',
      remediation: 'Fix the tenant configs listed, or point the gate at the right table and column.',
    },
    {
      id: 'round-trip',
      title: 'A config change reaches the app without a deploy',
      remediation: 'Make the app read tenant config from the database at run time (with a short cache).',
    },
    {
      id: 'schema-stable',
      title: 'Config schema unchanged for stableDays',
      remediation: 'Keep the config schema stable, or wait until it has been for stableDays.',
    },
    { id: 'audit-trail', title: 'Config changes audited', remediation: 'Record every config change in an audit table.' },
  ],
  keyMeasurement: { measurement: 'schemaStableDays', metric: 'ConfigStableDays', unit: 'Count', label: 'Config schema stable (days)' },
  deployment: {
    scheduleHours: 1,
    why: 'a config schema change should be seen within the hour',
    history(config, table) {
      if (config.history?.table) return { config };
      const warning = config.history?.file
        ? "gates.config.history.file is replaced by the stack's history table: a Lambda function has no lasting disk"
        : undefined;
      return { config: { ...config, history: { table } }, ...(warning ? { warning } : {}) };
    },
  },
  probes: ['canary'],

  /**
   * Zero-config needs an explicit canary: without one the gate cannot PASS, and a run would only
   * start a history file in the working directory as a side effect.
   */
  fromEnvironment(env) {
    const hint =
      'not configured: set DATABASE_URL and SAAS_READINESS_CONFIG_CANARY=<a test tenant the probe may write> (or configure gates.config in readiness.yaml)';
    if (!env.DATABASE_URL || !env.SAAS_READINESS_CONFIG_CANARY) return { skip: hint };
    const url = env.SAAS_READINESS_CONFIG_URL;
    return {
      gate: { source: 'appdb', canary: { tenant: env.SAAS_READINESS_CONFIG_CANARY, ...(url ? { effectiveConfigUrl: url } : {}) } } as ConfigGateConfig,
      sources: { appdb: { type: 'postgres', url: env.DATABASE_URL } },
    };
  },

  uses: (c, { suite }) => [
    storeUse(c),
    historyUse(c, suite),
    ...(c.canary ? [canaryUse(c, c.canary)] : []),
    ...(withUrl(c.canary) ? [effectiveConfigUse(withUrl(c.canary)!)] : []),
  ],

  validate(config, at) {
    // Unresolved `${env:…}` (the CDK app validates without resolving) is checked where the gate runs.
    if (config.schemaFile && !hasEnvRef(config.schemaFile)) {
      try {
        compileConfigSchema(config.schemaFile);
      } catch (err) {
        throw new ConfigError(`not a usable JSON Schema: ${(err as Error).message}`, at('schemaFile'));
      }
    }
    const c = config.canary;
    if (c?.headers && !c.effectiveConfigUrl) throw new ConfigError('headers need effectiveConfigUrl', at('canary.headers'));
    if (c && c.pollIntervalMs !== undefined && c.pollIntervalMs > (c.propagationLimitSeconds ?? 10) * 1000) {
      throw new ConfigError('must not exceed propagationLimitSeconds', at('canary.pollIntervalMs'));
    }
  },

  async run(config, ctx) {
    const store = await ctx.open(storeUse(config));
    const canary = config.canary ? await ctx.open(canaryUse(config, config.canary)) : undefined;
    const url = withUrl(config.canary);
    let validateConfig: ((doc: Record<string, unknown>) => string | undefined) | undefined;
    if (config.schemaFile) {
      const validate = compileConfigSchema(config.schemaFile);
      validateConfig = (doc) =>
        validate(doc) ? undefined : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`).join('; ');
    }
    const history = await ctx.open(historyUse(config, ctx.suite));
    const c = config.canary;
    // The probe stops early enough to restore before the runner's deadline.
    const probeStop = new AbortController();
    const timer = setTimeout(
      () =>
        probeStop.abort(
          new Error(`probe stopped ${RESTORE_RESERVE_MS / 1000} s before the gate deadline to restore the canary (raise gates.config.timeoutSeconds)`),
        ),
      Math.max(0, ctx.deadline - Date.now() - RESTORE_RESERVE_MS),
    );
    timer.unref();
    try {
      const { checkConfig } = require('./check') as typeof import('./check');
      return await checkConfig({
        store,
        history,
        historyKey: historyKey.schema(ctx.suite, config.source),
        stableDays: config.stableDays,
        reservedKey: c?.key ?? DEFAULT_PROBE_KEY,
        buildArtifact: ctx.artifacts !== false,
        validateConfig,
        schemaName: config.schemaFile && basename(config.schemaFile),
        fingerprintDepth: config.fingerprintDepth,
        roundTrip:
          c && canary
            ? {
                canary,
                journal: new (require('./probe-journal') as typeof import('./probe-journal')).HistoryProbeJournal(
                  history,
                  historyKey.probe(ctx.suite, config.source),
                ),
                tenant: c.tenant,
                effectiveConfig: url ? await ctx.open(effectiveConfigUse(url)) : undefined,
                propagationLimitMs: c.propagationLimitSeconds * 1000,
                pollIntervalMs: c.pollIntervalMs,
                interrupts: ctx.interrupts,
              }
            : undefined,
        probesAllowed: ctx.probes,
        signal: ctx.signal,
        probeSignal: AbortSignal.any([ctx.signal, probeStop.signal]),
        now: ctx.now,
        progress: ctx.progress,
      });
    } finally {
      clearTimeout(timer);
      history.close?.();
      await Promise.all([store.close(), canary?.close()]);
    }
  },
};
