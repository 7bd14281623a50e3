import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../../core/errors';
import { sourceOf } from '../../core/config/sources';
import type { GateCommon, GateDefinition } from '../../core/gate';
import type { JsonSchema } from '../../core/config/json-schema';
import { connectPostgres, describeTarget, clientConfig, type PostgresSourceConfig } from '../../sources/postgres/connection';
import { PostgresTenantStore, type PostgresTenantMapping } from '../../sources/postgres/tenant-store';
import { PostgresIsolationProbe, type IsolationProbeConfig } from '../../sources/postgres/isolation-probe';
import { DynamoDbTenantStore, requireCustomLayoutNames, type DynamoDbSourceConfig, type DynamoDbTenantMapping } from '../../sources/dynamodb/tenant-store';
import { HttpQuotaProbe, type QuotaProbeConfig } from '../../sources/http/quota-probe';
import { checkTenants } from './check';
import type { TenantStore } from './ports';

/** `gates.tenants` in readiness.yaml. */
export interface TenantsGateConfig extends GateCommon, PostgresTenantMapping, DynamoDbTenantMapping {
  /** Name of a postgres or dynamodb source. */
  source: string;
  /** Default 10. */
  minTenants?: number;
  quotaProbe?: QuotaProbeConfig;
  isolationProbe?: IsolationProbeConfig;
}

const POSTGRES_KEYS = ['table', 'idColumn', 'statusColumn', 'quotaColumns', 'configTable', 'configTenantColumn', 'configColumn', 'isolationProbe'] as const;
const DYNAMODB_KEYS = ['idAttribute', 'statusAttribute', 'configAttribute', 'quotaPaths', 'scanSegments'] as const;

const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const names = { type: 'array', items: name, minItems: 1, uniqueItems: true };

const schema: JsonSchema = {
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'Name of a postgres or dynamodb source under sources.' },
    minTenants: { type: 'integer', minimum: 1, default: 10, description: 'Active tenants needed.' },
    table: { ...name, description: 'PostgreSQL: tenants table (default tenants).' },
    idColumn: { ...name, description: 'PostgreSQL: ID column (default tenant_id, else id).' },
    statusColumn: { ...name, description: 'PostgreSQL: status column (default status when it exists).' },
    activeValues: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'Status values meaning active (default [active]; DynamoDB [true, active]).' },
    quotaColumns: { ...names, description: 'PostgreSQL: quota columns (default: numeric columns named like quota or rate_limit).' },
    configTable: { ...name, description: 'PostgreSQL: config table (default tenant_configs when it exists).' },
    configTenantColumn: { ...name, description: 'PostgreSQL: tenant column of the config table (default tenant_id).' },
    configColumn: { ...name, description: 'PostgreSQL: config column on the tenants table (default config).' },
    idAttribute: { ...name, description: 'DynamoDB: ID attribute (sbt-aws: tenantId; required with layout custom).' },
    statusAttribute: { ...name, description: 'DynamoDB: status attribute path (sbt-aws: sbtaws_active; an item without it is not active).' },
    configAttribute: { ...name, description: 'DynamoDB: config attribute (sbt-aws: tenantConfig; required with layout custom).' },
    quotaPaths: { ...names, description: 'DynamoDB: quota paths, e.g. tenantConfig.quotas.requestsPerMinute.' },
    scanSegments: { type: 'integer', minimum: 1, maximum: 64, default: 4, description: 'DynamoDB: parallel scan segments.' },
    quotaProbe: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'tenants'],
      description: 'Active probe: requests as each test tenant until HTTP 429, bounded.',
      properties: {
        url: { type: 'string', pattern: '^https?://', description: 'A cheap endpoint; every request may cost money.' },
        method: { enum: ['GET', 'POST', 'HEAD'], default: 'GET' },
        body: { type: 'string' },
        tenants: {
          type: 'array',
          minItems: 1,
          maxItems: 10,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id'],
            properties: {
              id: { type: 'string', minLength: 1, description: 'A test tenant (give it a tiny quota).' },
              headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Credentials as this tenant; use ${env:…} or ${secret:…}.' },
            },
          },
        },
        maxRequests: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
        timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: 20 },
        requestTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 60, default: 5 },
        requireRetryAfter: { type: 'boolean', default: false },
      },
    },
    isolationProbe: {
      type: 'object',
      additionalProperties: false,
      required: ['role', 'tables', 'setting'],
      description: 'PostgreSQL read-only probe: RLS enabled and forced, and tenant A sees no row of tenant B.',
      properties: {
        role: { ...name, description: 'The app role (no SUPERUSER, no BYPASSRLS).' },
        tables: names,
        tenantColumn: { ...name, default: 'tenant_id' },
        setting: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$', description: 'Setting the RLS policies read, e.g. app.current_tenant.' },
        tenant: { type: 'string', minLength: 1, description: 'Tenant whose view is probed (default: the one with most rows).' },
      },
    },
  },
};

export const tenantsGate: GateDefinition<TenantsGateConfig> = {
  id: 'tenants',
  title: 'Multi-tenant operational',
  configSchema: schema,

  fromEnvironment(env) {
    if (!env.DATABASE_URL) return { skip: 'not configured: set DATABASE_URL (or write readiness.yaml with `saas-readiness init`)' };
    return {
      gate: { source: 'appdb' },
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
  },

  async run(config, ctx) {
    const src = ctx.source<PostgresSourceConfig | DynamoDbSourceConfig>(config.source, 'source', ['postgres', 'dynamodb']);
    let store: TenantStore;
    let isolationProbe: PostgresIsolationProbe | undefined;
    if (src.type === 'postgres') {
      const connect = () => connectPostgres(src, ctx.secrets, ctx.signal);
      const target = describeTarget(await clientConfig(src, ctx.secrets));
      store = new PostgresTenantStore(connect, config, target);
      if (config.isolationProbe) isolationProbe = new PostgresIsolationProbe(connect, config.isolationProbe);
    } else {
      const client = new DynamoDBClient(src.region ? { region: src.region } : {});
      store = new DynamoDbTenantStore(client, src.table, config, ctx.progress, src.layout);
    }
    try {
      return await checkTenants({
        store,
        minTenants: config.minTenants ?? 10,
        quotaProbe: config.quotaProbe ? new HttpQuotaProbe(config.quotaProbe, ctx.secrets) : undefined,
        isolationProbe,
        probesAllowed: ctx.probes,
        signal: ctx.signal,
        progress: ctx.progress,
      });
    } finally {
      await store.close();
    }
  },
};
