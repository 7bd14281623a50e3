/**
 * Gate 1 at scale: 10,000 and 100,000 tenants in the PostgreSQL server and in PGlite (each in its
 * own process), and in DynamoDB (dynalite). The gate runs in a fresh process of the built package;
 * its wall time and peak RSS stand next to one hand-written SQL statement computing the same facts
 * (or a bare Scan for DynamoDB) on the same data in the same run.
 */
import { Client } from 'pg';
import { BatchWriteItemCommand, CreateTableCommand, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../test/standins/dynalite';
import { ensureBuilt, measureNode, medianMs, serverDatabase, startPgliteProcess, type ProcessMeasurement } from './measure';

export interface TenantsBenchRow {
  store: string;
  tenants: number;
  gate: ProcessMeasurement & { status: string /** The gate's own duration inside the process (no start-up). */; gateMs: number };
  baselineMs: number;
  baseline: string;
}

const SEED = (n: number) => `
DROP TABLE IF EXISTS tenant_configs, tenants;
CREATE TABLE tenants (tenant_id text PRIMARY KEY, name text, tier text, status text, monthly_token_quota bigint, rate_limit_rpm int);
INSERT INTO tenants SELECT 'tenant-' || lpad(g::text, 7, '0'), 'Tenant ' || g, (ARRAY['free','pro','enterprise'])[1 + g % 3],
  CASE WHEN g % 20 = 0 THEN 'suspended' ELSE 'active' END, 100000 * (1 + g % 3), 20 * (1 + g % 3) FROM generate_series(1, ${n}) g;
CREATE TABLE tenant_configs (tenant_id text PRIMARY KEY, config jsonb NOT NULL);
INSERT INTO tenant_configs SELECT tenant_id, jsonb_build_object('tier', tier, 'topK', 8) FROM tenants;
ANALYZE tenants; ANALYZE tenant_configs;`;

/** The same facts as gate 1, as one statement a DBA would write. */
const HAND_WRITTEN = `
SELECT count(*) AS total,
       count(*) FILTER (WHERE t.status = 'active') AS active,
       count(*) FILTER (WHERE t.status = 'active' AND c.tenant_id IS NULL) AS no_config,
       count(*) FILTER (WHERE t.status = 'active' AND NOT (COALESCE(t.monthly_token_quota > 0, false) AND COALESCE(t.rate_limit_rpm > 0, false))) AS no_quota,
       (SELECT count(*) FROM (SELECT lower(btrim(tenant_id)) FROM tenants WHERE status = 'active' GROUP BY 1 HAVING count(*) > 1) d) AS duplicates
  FROM tenants t LEFT JOIN tenant_configs c USING (tenant_id)`;

const GATE_SCRIPT = (source: string) => `
const { runGates, BUILT_IN } = require('./dist/lib/index.js');
const config = { version: 1, suite: 'bench', sources: { db: ${source} }, gates: { tenants: { source: 'db', timeoutSeconds: 900 } } };
runGates({ registry: BUILT_IN, loaded: { config: require('./dist/lambda/core/config/load.js').prepareGates(BUILT_IN, config), skipped: {} }, secrets: { resolve: async (v) => v, json: async () => ({}) } })
  .then((r) => process.stdout.write(JSON.stringify({ status: r.results[0].status, summary: r.results[0].summary, gateMs: r.results[0].durationMs })));`;

async function gateIn(source: object, env: NodeJS.ProcessEnv = {}): Promise<TenantsBenchRow['gate']> {
  const m = await measureNode(GATE_SCRIPT(JSON.stringify(source)), env);
  const r = JSON.parse(m.output) as { status: string; summary: string; gateMs: number };
  if (r.status !== 'PASS') throw new Error(`gate 1 did not PASS on the benchmark data: ${r.summary}`);
  return { ...m, status: r.status, gateMs: r.gateMs };
}

async function postgresRows(store: string, url: string, sizes: number[]): Promise<TenantsBenchRow[]> {
  const rows: TenantsBenchRow[] = [];
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const n of sizes) {
      process.stderr.write(`bench: gate 1 on ${store}, seeding ${n} tenants…\n`);
      await client.query(SEED(n));
      const baselineMs = await medianMs(3, () => client.query(HAND_WRITTEN));
      const gate = await gateIn({ type: 'postgres', url });
      rows.push({ store, tenants: n, gate, baselineMs, baseline: 'one hand-written SQL statement (median of 3)' });
    }
  } finally {
    await client.end();
  }
  return rows;
}

async function dynamoRows(sizes: number[]): Promise<TenantsBenchRow[]> {
  const ddb = await startDynalite();
  const rows: TenantsBenchRow[] = [];
  try {
    for (const n of sizes) {
      const table = `TenantDetails${n}`;
      process.stderr.write(`bench: gate 1 on dynalite, loading ${n} items…\n`);
      await ddb.client.send(
        new CreateTableCommand({
          TableName: table,
          KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const put = (i: number) => ({
        PutRequest: {
          Item: {
            tenantId: { S: `tenant-${String(i).padStart(7, '0')}` },
            tenantName: { S: `Tenant ${i}` },
            tier: { S: 'pro' },
            sbtaws_active: { BOOL: i % 20 !== 0 },
            tenantConfig: { S: JSON.stringify({ quotas: { monthlyTokenQuota: 100000, rateLimitPerMinute: 60 } }) },
          },
        },
      });
      const batches: Promise<unknown>[] = [];
      for (let i = 0; i < n; i += 25) {
        batches.push(
          ddb.client.send(new BatchWriteItemCommand({ RequestItems: { [table]: Array.from({ length: Math.min(25, n - i) }, (_, k) => put(i + k)) } })),
        );
        if (batches.length >= 16) await Promise.all(batches.splice(0));
      }
      await Promise.all(batches);
      const baselineMs = await medianMs(1, async () => {
        let start: Record<string, AttributeValue> | undefined;
        do start = (await ddb.client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }))).LastEvaluatedKey;
        while (start);
      });
      const gate = await gateIn({ type: 'dynamodb', table }, ddb.env);
      rows.push({ store: 'DynamoDB (dynalite)', tenants: n, gate, baselineMs, baseline: 'bare sequential Scan of every page' });
    }
  } finally {
    await ddb.stop();
  }
  return rows;
}

export async function benchTenants(opts: { sizes?: number[]; dynamoSizes?: number[] } = {}): Promise<TenantsBenchRow[]> {
  const sizes = opts.sizes ?? [10_000, 100_000];
  const rows: TenantsBenchRow[] = [];
  const server = await serverDatabase();
  if (server) {
    try {
      rows.push(...(await postgresRows('PostgreSQL 15 server', server.url, sizes)));
    } finally {
      await server.drop();
    }
  } else {
    process.stderr.write('bench: PostgreSQL server not reachable on 127.0.0.1:5432; PGlite only\n');
  }
  const pglite = await startPgliteProcess();
  try {
    rows.push(...(await postgresRows('PGlite (own process)', pglite.url, sizes)));
  } finally {
    pglite.child.kill('SIGTERM');
  }
  rows.push(...(await dynamoRows(opts.dynamoSizes ?? [10_000])));
  return rows;
}

if (require.main === module) {
  ensureBuilt();
  benchTenants().then((rows) => {
    for (const r of rows) {
      console.log(
        `${r.store.padEnd(24)} ${String(r.tenants).padStart(7)} tenants  gate ${r.gate.wallMs.toFixed(0)} ms, peak RSS ${r.gate.peakRssMb.toFixed(0)} MB  |  ${r.baseline}: ${r.baselineMs.toFixed(0)} ms`,
      );
    }
  });
}
