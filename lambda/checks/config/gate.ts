import { basename, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import { hasEnvRef } from '../../core/config/env';
import { ConfigError } from '../../core/errors';
import { readTextFile } from '../../core/files';
import { sourceOf } from '../../core/config/sources';
import type { GateCommon, GateDefinition } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import { historyKey, type HistoryStore } from '../../core/history';
import { registerSecret } from '../../core/redact';
import { DynamoDbHistoryStore } from '../../sources/history/dynamodb';
import { DEFAULT_HISTORY_FILE, FileHistoryStore } from '../../sources/history/file';
import { clientConfig, connectPostgres, describeTarget, type PostgresSourceConfig } from '../../sources/postgres/connection';
import { requireCustomLayoutNames, type DynamoDbSourceConfig } from '../../sources/dynamodb/tenant-store';
import { PostgresCanaryStore, PostgresConfigStore, type PostgresConfigMapping } from '../../sources/configstore/postgres';
import { DynamoDbCanaryStore, DynamoDbConfigStore, type DynamoDbConfigMapping } from '../../sources/configstore/dynamodb';
import { HttpEffectiveConfig } from '../../sources/configstore/effective-config-http';
import { HistoryProbeJournal } from '../../sources/probe-journal/history-journal';
import { processInterrupts } from '../../sources/probe-journal/process-interrupts';
import { checkConfig } from './check';
import { DEFAULT_FINGERPRINT_DEPTH } from './fingerprint';
import type { CanaryStore, ConfigStore } from './ports';
import { DEFAULT_PROBE_KEY } from './round-trip';

export interface CanaryConfig {
  /** The test tenant the probe may write; no other tenant is ever written. */
  tenant: string;
  /** Reserved top-level key the nonce is written under. Default `_saasReadinessProbe`. */
  key?: string;
  /** App endpoint serving the canary's effective config; polled until the nonce shows. */
  effectiveConfigUrl?: string;
  headers?: Record<string, string>;
  /** Default 10. */
  propagationLimitSeconds?: number;
  /** Default 250. */
  pollIntervalMs?: number;
}

/** `gates.config` in readiness.yaml. */
export interface ConfigGateConfig extends GateCommon, PostgresConfigMapping, DynamoDbConfigMapping {
  source: string;
  /** Default 30. */
  stableDays?: number;
  /** JSON Schema every tenant config must satisfy. */
  schemaFile?: string;
  fingerprintDepth?: number;
  /** Where fingerprints and the probe journal go. Default: file `.saas-readiness/history.jsonl`. */
  history?: { file?: string; table?: string; region?: string };
  canary?: CanaryConfig;
}

/** Time kept back from the gate deadline so an aborted probe can still restore the canary. */
export const RESTORE_RESERVE_MS = 5000;

const POSTGRES_KEYS = ['table', 'tenantColumn', 'configColumn', 'updatedAtColumn', 'tenantsTable', 'tierColumn', 'migrations', 'audit'] as const;
const DYNAMODB_KEYS = ['idAttribute', 'configAttribute', 'tierAttribute', 'updatedAtAttribute'] as const;

const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };

const schema: JsonSchema = {
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'Name of a postgres or dynamodb source under sources.' },
    stableDays: { type: 'integer', minimum: 1, maximum: 365, default: 30, description: 'Days the config schema must have been unchanged.' },
    schemaFile: { type: 'string', minLength: 1, description: 'JSON Schema file every tenant config must satisfy (path relative to the working directory).' },
    fingerprintDepth: { type: 'integer', minimum: 1, maximum: 32, default: DEFAULT_FINGERPRINT_DEPTH, description: 'Deepest JSON level included in the schema fingerprint.' },
    table: { ...name, description: 'PostgreSQL: config table (default tenant_configs, else tenants).' },
    tenantColumn: { ...name, description: 'PostgreSQL: tenant column (default tenant_id, else id).' },
    configColumn: { ...name, description: 'PostgreSQL: config column, jsonb/json/text (default config).' },
    updatedAtColumn: { ...name, description: 'PostgreSQL: change stamp column (default updated_at when it exists).' },
    tenantsTable: { ...name, description: 'PostgreSQL: table with the tier (default tenants).' },
    tierColumn: { ...name, description: 'PostgreSQL: tier column (default tier).' },
    migrations: {
      type: 'object',
      additionalProperties: false,
      required: ['table', 'column'],
      description: 'PostgreSQL: a migrations table besides Flyway, Prisma, Knex and Django.',
      properties: { table: name, column: name, nameColumn: name },
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      required: ['table'],
      description: 'PostgreSQL: the audit table of config changes (default: tenant_config_audit and similar names).',
      properties: { table: name, timeColumn: name },
    },
    idAttribute: { ...name, description: 'DynamoDB: partition key with the tenant ID (default tenantId).' },
    configAttribute: { ...name, description: 'DynamoDB: config attribute, JSON string or map (default tenantConfig).' },
    tierAttribute: { ...name, description: 'DynamoDB: tier attribute (default tier).' },
    updatedAtAttribute: { ...name, description: 'DynamoDB: ISO-8601 change stamp; counts changes in the window.' },
    history: {
      type: 'object',
      additionalProperties: false,
      description: 'History of schema fingerprints and the probe journal: a local file (default) or the DynamoDB history table.',
      properties: {
        file: { type: 'string', minLength: 1, default: DEFAULT_HISTORY_FILE },
        table: { type: 'string', pattern: '^[A-Za-z0-9_.-]{3,255}$', description: 'DynamoDB table with string keys pk, sk (the one the CDK app deploys).' },
        region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$' },
      },
      not: { required: ['file', 'table'] },
    },
    canary: {
      type: 'object',
      additionalProperties: false,
      required: ['tenant'],
      description: 'Active probe (opt-in): writes a nonce into this test tenant\'s config, reads it back, waits for the app to see it, restores.',
      properties: {
        tenant: { type: 'string', minLength: 1, description: 'A test tenant; the only tenant the probe writes.' },
        key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]{2,63}$', default: DEFAULT_PROBE_KEY, description: 'Reserved top-level config key for the nonce.' },
        effectiveConfigUrl: { type: 'string', pattern: '^https?://', description: "App endpoint returning the canary's effective config." },
        headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Headers for that endpoint; use ${env:…} or ${secret:…}.' },
        propagationLimitSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: 10 },
        pollIntervalMs: { type: 'integer', minimum: 50, maximum: 10000, default: 250 },
      },
    },
  },
};

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
  const ajv = /2020-12/.test(doc.$schema ?? '') ? new Ajv2020(opts) : /2019-09/.test(doc.$schema ?? '') ? new Ajv2019(opts) : new Ajv(opts);
  return ajv.compile(doc);
}

function historyStore(config: ConfigGateConfig): { history: HistoryStore; close(): void } {
  const h = config.history ?? {};
  if (h.table) {
    const client = new DynamoDBClient(h.region ? { region: h.region } : {});
    return { history: new DynamoDbHistoryStore(client, h.table), close: () => client.destroy() };
  }
  return { history: new FileHistoryStore(resolve(h.file ?? DEFAULT_HISTORY_FILE)), close: () => undefined };
}

export const configGate: GateDefinition<ConfigGateConfig> = {
  id: 'config',
  title: 'Config database stable',
  configSchema: schema,

  /**
   * Zero-config needs an explicit canary: without one the gate cannot PASS, and a run would only
   * start a history file in the working directory as a side effect.
   */
  fromEnvironment(env) {
    const hint = 'not configured: set DATABASE_URL and SAAS_READINESS_CONFIG_CANARY=<a test tenant the probe may write> (or configure gates.config in readiness.yaml)';
    if (!env.DATABASE_URL || !env.SAAS_READINESS_CONFIG_CANARY) return { skip: hint };
    const url = env.SAAS_READINESS_CONFIG_URL;
    return {
      gate: { source: 'appdb', canary: { tenant: env.SAAS_READINESS_CONFIG_CANARY, ...(url ? { effectiveConfigUrl: url } : {}) } },
      sources: { appdb: { type: 'postgres', url: env.DATABASE_URL } as PostgresSourceConfig },
    };
  },

  validate(config, all, at) {
    const src = sourceOf(all, config.source, at('source'), ['postgres', 'dynamodb']);
    const foreign = src.type === 'postgres' ? DYNAMODB_KEYS : POSTGRES_KEYS;
    for (const key of foreign) {
      if (config[key] !== undefined) throw new ConfigError(`only applies to ${src.type === 'postgres' ? 'dynamodb' : 'postgres'} sources; '${config.source}' is ${src.type}`, at(key));
    }
    if (src.type === 'dynamodb') requireCustomLayoutNames(src as DynamoDbSourceConfig, config.source, config, ['idAttribute', 'configAttribute'], at);
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
    const src = ctx.source<PostgresSourceConfig | DynamoDbSourceConfig>(config.source, 'source', ['postgres', 'dynamodb']);
    let store: ConfigStore;
    let canary: CanaryStore | undefined;
    if (src.type === 'postgres') {
      const target = describeTarget(await clientConfig(src, ctx.secrets));
      store = new PostgresConfigStore(() => connectPostgres(src, ctx.secrets, ctx.signal), config, target);
      if (config.canary) canary = new PostgresCanaryStore((signal) => connectPostgres(src, ctx.secrets, signal), config, target);
    } else {
      const client = () => new DynamoDBClient(src.region ? { region: src.region } : {});
      store = new DynamoDbConfigStore(client(), src.table, config);
      if (config.canary) canary = new DynamoDbCanaryStore(client(), src.table, config);
    }
    let validateConfig: ((doc: Record<string, unknown>) => string | undefined) | undefined;
    if (config.schemaFile) {
      const validate = compileConfigSchema(config.schemaFile);
      validateConfig = (doc) => (validate(doc) ? undefined : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`).join('; '));
    }
    const { history, close: closeHistory } = historyStore(config);
    const c = config.canary;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(c?.headers ?? {})) {
      headers[k] = await ctx.secrets.resolve(v);
      registerSecret(headers[k]);
    }
    // The probe stops early enough to restore before the runner's deadline.
    const probeStop = new AbortController();
    const timer = setTimeout(
      () => probeStop.abort(new Error(`probe stopped ${RESTORE_RESERVE_MS / 1000} s before the gate deadline to restore the canary (raise gates.config.timeoutSeconds)`)),
      Math.max(0, ctx.deadline - Date.now() - RESTORE_RESERVE_MS),
    );
    timer.unref();
    try {
      return await checkConfig({
        store,
        history,
        historyKey: historyKey.schema(ctx.suite, config.source),
        stableDays: config.stableDays ?? 30,
        reservedKey: c?.key ?? DEFAULT_PROBE_KEY,
        validateConfig,
        schemaName: config.schemaFile && basename(config.schemaFile),
        fingerprintDepth: config.fingerprintDepth,
        roundTrip:
          c && canary
            ? {
                canary,
                journal: new HistoryProbeJournal(history, historyKey.probe(ctx.suite, config.source)),
                tenant: c.tenant,
                effectiveConfig: c.effectiveConfigUrl ? new HttpEffectiveConfig(await ctx.secrets.resolve(c.effectiveConfigUrl), headers) : undefined,
                propagationLimitMs: (c.propagationLimitSeconds ?? 10) * 1000,
                pollIntervalMs: c.pollIntervalMs ?? 250,
                interrupts: processInterrupts,
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
      closeHistory();
      await Promise.all([store.close(), canary?.close()]);
    }
  },
};
