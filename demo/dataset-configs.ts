/**
 * Gate 3's part of the demo: a Flyway history whose last migration ran 45 days ago, an audit table
 * filled by a trigger on tenant_configs (with a month of earlier changes), a JSON Schema for the
 * configs, and a tiny "app" serving each tenant's effective config from the database with a 1 s
 * cache, so the canary round trip measures a real propagation delay.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Client } from 'pg';
import { demoTempDir } from './temp';

const DAY = 86_400_000;

/** SQL adding the migrations table, the audit table and trigger, and past config changes. */
export function demoConfigSql(now = new Date(), lastMigrationDaysAgo = 45): string {
  const at = (daysAgo: number) => `'${new Date(now.getTime() - daysAgo * DAY).toISOString()}'`;
  const migrations = [
    [1, 'create tenants', 'V1__create_tenants.sql', 200],
    [2, 'tenant configs', 'V2__tenant_configs.sql', 120],
    [3, 'config audit', 'V3__config_audit.sql', 90],
    [4, 'documents rls', 'V4__documents_rls.sql', lastMigrationDaysAgo],
  ] as const;
  const changes = [
    ['initech', 26, '{"model":"gpt-4o-mini"}', '{"model":"gpt-4o"}'],
    ['acme-legal', 19, '{"retrieval":{"topK":12}}', '{"retrieval":{"topK":20}}'],
    ['hooli-docs', 11, '{"features":{"citations":false}}', '{"features":{"citations":true}}'],
    ['wonka-labs', 4, '{"retrieval":{"topK":4}}', '{"retrieval":{"topK":8}}'],
    ['stark-eng', 2, '{"features":{"sso":false}}', '{"features":{"sso":true}}'],
    ['globex-health', 60, '{"model":"gpt-4"}', '{"model":"gpt-4o"}'],
  ];
  return `
DROP TABLE IF EXISTS flyway_schema_history, tenant_config_audit CASCADE;
CREATE TABLE flyway_schema_history (
  installed_rank integer PRIMARY KEY, version text, description text NOT NULL, type text NOT NULL,
  script text NOT NULL, checksum integer, installed_by text NOT NULL,
  installed_on timestamp NOT NULL DEFAULT now(), execution_time integer NOT NULL, success boolean NOT NULL
);
INSERT INTO flyway_schema_history VALUES
  ${migrations.map(([rank, desc, script, days]) => `(${rank}, '${rank}', '${desc}', 'SQL', '${script}', 0, 'flyway', ${at(days)}::timestamptz AT TIME ZONE 'UTC', 42, true)`).join(',\n  ')};
CREATE TABLE tenant_config_audit (
  id bigserial PRIMARY KEY,
  tenant_id text NOT NULL,
  old_config jsonb,
  new_config jsonb,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tenant_config_audit (tenant_id, old_config, new_config, changed_at) VALUES
  ${changes.map(([t, days, o, n]) => `('${t}', '${o}', '${n}', ${at(days as number)})`).join(',\n  ')};
UPDATE tenant_configs SET updated_at = now() - (length(tenant_id) || ' days')::interval;
CREATE OR REPLACE FUNCTION audit_tenant_config() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO tenant_config_audit (tenant_id, old_config, new_config)
  VALUES (NEW.tenant_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.config END, NEW.config);
  RETURN NEW;
END $$;
CREATE TRIGGER tenant_config_audit AFTER INSERT OR UPDATE ON tenant_configs
  FOR EACH ROW EXECUTE FUNCTION audit_tenant_config();
`;
}

/** The JSON Schema the demo's tenant configs follow. */
export const DEMO_CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['model', 'retrieval', 'features'],
  properties: {
    model: { type: 'string' },
    retrieval: { type: 'object', required: ['topK', 'shard'], properties: { topK: { type: 'integer', minimum: 1 }, shard: { type: 'string' } } },
    features: { type: 'object', additionalProperties: { type: 'boolean' } },
  },
};

export interface ConfigDemo {
  /** Env vars demo/readiness.yaml reads for gate 3. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Seeds gate 3's tables into the demo database, starts the effective-config app on 127.0.0.1 and
 * puts history and schema file into a temporary directory (never the user's working directory).
 */
export async function startConfigDemo(exec: (sql: string) => Promise<unknown>, databaseUrl: string): Promise<ConfigDemo> {
  await exec(demoConfigSql());
  const dir = demoTempDir('saas-readiness-demo-');
  const schemaFile = join(dir, 'tenant-config.schema.json');
  writeFileSync(schemaFile, JSON.stringify(DEMO_CONFIG_SCHEMA, null, 2));

  const db = new Client({ connectionString: databaseUrl });
  db.on('error', () => undefined);
  await db.connect();
  const cache = new Map<string, { at: number; body: string }>();
  const server = createServer((req, res) => {
    const m = /^\/tenants\/([^/]+)\/effective-config$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const tenant = decodeURIComponent(m[1]);
    const hit = cache.get(tenant);
    if (hit && Date.now() - hit.at < 1000) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(hit.body);
      return;
    }
    db.query<{ config: string }>('SELECT config::text AS config FROM tenant_configs WHERE tenant_id = $1', [tenant]).then(
      (r) => {
        if (!r.rows[0]) return void res.writeHead(404).end();
        cache.set(tenant, { at: Date.now(), body: r.rows[0].config });
        res.writeHead(200, { 'content-type': 'application/json' }).end(r.rows[0].config);
      },
      () => void res.writeHead(503).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    env: {
      DEMO_HISTORY_FILE: join(dir, 'history.jsonl'),
      DEMO_CONFIG_SCHEMA: schemaFile,
      DEMO_EFFECTIVE_CONFIG_URL: `http://127.0.0.1:${port}/tenants/test-canary/effective-config`,
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await db.end().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
