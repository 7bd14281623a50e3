/** The `postgres` source: a PostgreSQL database, for gate 1's tenants and isolation probe, gate 2's ledger and gate 3's configs. */
import { COST_LEDGER } from '../../checks/cost/ports';
import { CANARY_STORE, CONFIG_STORE } from '../../checks/config/ports';
import { ISOLATION_PROBE, TENANT_STORE } from '../../checks/tenants/ports';
import type { JsonSchema } from '../../core/config/json-schema';
import { readSecretPermission } from '../../core/permissions';
import { opens, type SourceContext, type SourceDefinition } from '../../core/source';
import { postgresSourceSchema, type PostgresSourceConfig } from './schema';

export type { PostgresSourceConfig } from './schema';

const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_$.]{0,127}$' };
const names = { type: 'array', items: name, minItems: 1, uniqueItems: true };
const options = (properties: Record<string, JsonSchema>): JsonSchema => ({ properties });

// The adapters and the pg driver load when a gate opens a port, not when the declaration is read (validate, schema, synth).
const driver = (): typeof import('./connection') => require('./connection');
const target = async (src: PostgresSourceConfig, ctx: SourceContext) => {
  const { clientConfig, describeTarget } = driver();
  return describeTarget(await clientConfig(src, ctx.secrets));
};
const connect = (src: PostgresSourceConfig, ctx: SourceContext) => async () => driver().connectPostgres(src, ctx.secrets, ctx.signal);

export const source: SourceDefinition<PostgresSourceConfig> = {
  type: 'postgres',
  title: 'PostgreSQL',
  module: __filename,
  schema: postgresSourceSchema,
  permissions: (src) => (src.secretArn ? [readSecretPermission(src.secretArn)] : []),
  opens: [
    opens(TENANT_STORE, {
      optionsSchema: options({
        table: { ...name, description: 'PostgreSQL: tenants table (default tenants).' },
        idColumn: { ...name, description: 'PostgreSQL: ID column (default tenant_id, else id).' },
        statusColumn: { ...name, description: 'PostgreSQL: status column (default status when it exists).' },
        quotaColumns: { ...names, description: 'PostgreSQL: quota columns (default: numeric columns named like quota or rate_limit).' },
        configTable: { ...name, description: 'PostgreSQL: config table (default tenant_configs when it exists).' },
        configTenantColumn: { ...name, description: 'PostgreSQL: tenant column of the config table (default tenant_id).' },
        configColumn: { ...name, description: 'PostgreSQL: config column on the tenants table (default config).' },
      }),
      open: async (src, mapping, ctx) =>
        new (require('./tenant-store') as typeof import('./tenant-store')).PostgresTenantStore(connect(src, ctx), mapping, await target(src, ctx)),
    }),
    opens(ISOLATION_PROBE, {
      open: async (src, probe, ctx) =>
        new (require('./isolation-probe') as typeof import('./isolation-probe')).PostgresIsolationProbe(connect(src, ctx), probe),
    }),
    opens(COST_LEDGER, {
      optionsSchema: options({ table: { ...name, default: 'tenant_costs', description: 'PostgreSQL: the ledger table.' } }),
      open: async (src, mapping, ctx) =>
        new (require('./ledger') as typeof import('./ledger')).PostgresCostLedger(connect(src, ctx), mapping, await target(src, ctx)),
    }),
    opens(CONFIG_STORE, {
      optionsSchema: options({
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
      }),
      open: async (src, mapping, ctx) =>
        new (require('./config-store') as typeof import('./config-store')).PostgresConfigStore(connect(src, ctx), mapping, await target(src, ctx)),
    }),
    opens(CANARY_STORE, {
      open: async (src, canary, ctx) => {
        const { connectPostgres } = driver();
        return new (require('./config-store') as typeof import('./config-store')).PostgresCanaryStore(
          (signal) => connectPostgres(src, ctx.secrets, signal),
          canary.mapping,
          await target(src, ctx),
        );
      },
    }),
  ],
};
