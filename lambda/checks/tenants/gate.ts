import { optionProperties } from '../../core/config/schema';
import type { JsonSchema } from '../../core/config/json-schema';
import type { GateCommon, GateDefinition, SourceCatalog } from '../../core/gate';
import type { SourceUse } from '../../core/source';
import {
  ISOLATION_PROBE,
  QUOTA_PROBE,
  TENANT_STORE,
  type IsolationProbe,
  type IsolationProbeConfig,
  type QuotaProbe,
  type QuotaProbeConfig,
  type StoreOptions,
  type TenantStore,
} from './ports';

/** `gates.tenants` in readiness.yaml; the source's own settings (column or attribute names) sit beside these. */
export interface TenantsGateConfig extends GateCommon {
  /** Name of a source that opens a tenant store (postgres, dynamodb). */
  source: string;
  minTenants: number;
  activeValues?: string[];
  quotaProbe?: QuotaProbeConfig;
  isolationProbe?: IsolationProbeConfig;
  [setting: string]: unknown;
}

const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const names = { type: 'array', items: name, minItems: 1, uniqueItems: true };

const schema = (catalog: SourceCatalog): JsonSchema => ({
  required: ['source'],
  properties: {
    source: { type: 'string', description: 'Name of a postgres or dynamodb source under sources.' },
    minTenants: { type: 'integer', minimum: 1, default: 10, description: 'Active tenants needed.' },
    activeValues: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'Status values meaning active (default [active]; DynamoDB [true, active]).',
    },
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
        setting: {
          type: 'string',
          pattern: '^[A-Za-z_][A-Za-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$',
          description: 'Setting the RLS policies read, e.g. app.current_tenant.',
        },
        tenant: { type: 'string', minLength: 1, description: 'Tenant whose view is probed (default: the one with most rows).' },
      },
    },
    ...optionProperties(catalog, TENANT_STORE.id),
  },
});

const storeUse = (c: TenantsGateConfig): SourceUse<TenantStore, StoreOptions> => ({
  port: TENANT_STORE,
  source: c.source,
  field: 'source',
  options: c,
  optionsAt: '',
});
const isolationUse = (c: TenantsGateConfig, probe: IsolationProbeConfig): SourceUse<IsolationProbe, IsolationProbeConfig> => ({
  port: ISOLATION_PROBE,
  source: c.source,
  field: 'source',
  setting: 'isolationProbe',
  options: probe,
});
const quotaUse = (probe: QuotaProbeConfig): SourceUse<QuotaProbe, QuotaProbeConfig> => ({
  port: QUOTA_PROBE,
  source: { type: 'http', url: probe.url },
  field: 'quotaProbe.url',
  options: probe,
});

export const gate: GateDefinition<TenantsGateConfig> = {
  id: 'tenants',
  title: 'Multi-tenant operational',
  module: __filename,
  configSchema: schema,
  criteria: [
    { id: 'store', title: 'Tenant store readable', remediation: 'Check the source settings and that it is reachable from where the check runs.' },
    { id: 'active-tenants', title: 'Enough active tenants', remediation: 'Onboard more tenants, or lower minTenants if the target is different.' },
    { id: 'unique-ids', title: 'Tenant IDs present and unique', remediation: 'Give every tenant a non-empty, unique ID.' },
    { id: 'config-records', title: 'A config record per tenant', remediation: 'Create a config record for every active tenant.' },
    { id: 'quotas', title: 'A positive quota per tenant', remediation: 'Set a positive quota for every active tenant.' },
    { id: 'quota-probe', title: 'Quota enforced (HTTP 429)', remediation: 'Enforce the per-tenant quota at the API (usage plan, rate limiter).' },
    { id: 'isolation', title: 'Row-level security isolates tenants', remediation: 'Enable and force row-level security with a policy on the tenant setting.' },
  ],
  keyMeasurement: { measurement: 'activeTenants', metric: 'ActiveTenants', unit: 'Count', label: 'Active tenants' },
  deployment: { scheduleHours: 1, why: 'tenant registry changes within the day' },
  probes: ['quotaProbe', 'isolationProbe'],

  fromEnvironment(env) {
    if (!env.DATABASE_URL) return { skip: 'not configured: set DATABASE_URL (or write readiness.yaml with `saas-readiness init`)' };
    return {
      gate: { source: 'appdb', minTenants: 10 },
      sources: { appdb: { type: 'postgres', url: env.DATABASE_URL } },
    };
  },

  uses: (c) => [storeUse(c), ...(c.isolationProbe ? [isolationUse(c, c.isolationProbe)] : []), ...(c.quotaProbe ? [quotaUse(c.quotaProbe)] : [])],

  async run(config, ctx) {
    const store = await ctx.open(storeUse(config));
    try {
      // The check's code loads when the gate runs, not when the declaration is read (help, schema, validate, synth).
      const { checkTenants } = require('./check') as typeof import('./check');
      return await checkTenants({
        store,
        minTenants: config.minTenants,
        quotaProbe: config.quotaProbe ? await ctx.open(quotaUse(config.quotaProbe)) : undefined,
        isolationProbe: config.isolationProbe ? await ctx.open(isolationUse(config, config.isolationProbe)) : undefined,
        probesAllowed: ctx.probes,
        signal: ctx.signal,
        progress: ctx.progress,
      });
    } finally {
      await store.close();
    }
  },
};
