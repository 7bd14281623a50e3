/**
 * Gate 3 costs, each next to a same-run baseline on the same database:
 * - the canary round trip (journal, conditional write, read back, conditional restore, journal)
 *   against one bare `SELECT 1` round trip;
 * - the gate without the probe (read every config, fingerprint, history, migrations, audit) over
 *   10,000 tenants against a bare `SELECT tenant_id, config::text` of the same rows.
 * PGlite always; the local PostgreSQL server too when it is reachable. Run alone with
 * `npx tsx bench/config.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { demoSchemaSql } from '../demo/dataset';
import { demoConfigSql } from '../demo/dataset-configs';
import { startEmbeddedPostgres } from '../demo/embedded-postgres';
import { runRoundTrip } from '../lambda/checks/config/round-trip';
import { BUILT_IN } from '../lambda/registry';
import { runGates } from '../lambda/core/runner';
import { connectPostgres } from '../lambda/sources/postgres/connection';
import { PostgresCanaryStore } from '../lambda/sources/postgres/config-store';
import { FileHistoryStore } from '../lambda/sources/file/history';
import { HistoryProbeJournal } from '../lambda/checks/config/probe-journal';
import { serverDatabase } from './measure';

const RUNS = 15;
const TENANTS = 10_000;
const plainSecrets = { resolve: async (v: string) => v, json: async () => ({}) };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)].toFixed(2));
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

/** Adds synthetic tenants with configs shaped like the demo's, for the fingerprint measurement. */
const SCALE_SQL = `
INSERT INTO tenants (tenant_id, name, tier, status, monthly_token_quota, rate_limit_rpm)
  SELECT 'bench-' || lpad(g::text, 6, '0'), 'Bench ' || g, 'pro', 'active', 2000000, 120 FROM generate_series(1, ${TENANTS}) g;
ALTER TABLE tenant_configs DISABLE TRIGGER tenant_config_audit;
INSERT INTO tenant_configs (tenant_id, config)
  SELECT 'bench-' || lpad(g::text, 6, '0'),
         jsonb_build_object('model', 'gpt-4o', 'retrieval', jsonb_build_object('topK', 8, 'shard', 'shard-' || (g % 4)), 'features', jsonb_build_object('citations', true, 'sso', g % 2 = 0))
    FROM generate_series(1, ${TENANTS}) g;
ALTER TABLE tenant_configs ENABLE TRIGGER tenant_config_audit;
`;

async function benchOne(label: string, url: string, exec: (sql: string) => Promise<unknown>): Promise<Record<string, unknown>> {
  await exec(demoSchemaSql());
  await exec(demoConfigSql());
  const dir = mkdtempSync(join(tmpdir(), 'sr-bench-config-'));
  const client = new Client({ connectionString: url });
  await client.connect();
  const canary = new PostgresCanaryStore((signal) => connectPostgres({ type: 'postgres', url }, plainSecrets, signal), {}, label);
  try {
    const journal = new HistoryProbeJournal(new FileHistoryStore(join(dir, 'history.jsonl')), 'bench#probe#appdb');
    const roundTrip = await timed(RUNS, async () => {
      const r = await runRoundTrip({
        canary,
        journal,
        tenant: 'test-canary',
        key: '_saasReadinessProbe',
        propagationLimitMs: 1000,
        pollIntervalMs: 100,
        signal: new AbortController().signal,
        now: () => new Date(),
      });
      if (!r.readBack?.ok || r.restore?.how !== 'exact') throw new Error(`round trip failed: ${JSON.stringify(r)}`);
    });
    const selectOne = await timed(RUNS, () => client.query('SELECT 1'));

    await exec(SCALE_SQL);
    const loaded = {
      config: {
        version: 1 as const,
        suite: 'bench',
        sources: { appdb: { type: 'postgres', url } },
        gates: { config: { source: 'appdb', history: { file: join(dir, 'history.jsonl') } } },
      },
      skipped: {},
    };
    const gate = await timed(5, async () => {
      const report = await runGates({ registry: BUILT_IN, loaded, only: ['config'], secrets: plainSecrets });
      if (report.results[0].criteria.length === 0) throw new Error(`gate: ${report.results[0].summary}`);
    });
    const bareSelect = await timed(5, () => client.query('SELECT tenant_id, config::text FROM tenant_configs'));
    return {
      store: label,
      roundTripMedianMs: roundTrip,
      selectOneMedianMs: selectOne,
      roundTripOverSelectOne: Number((roundTrip / selectOne).toFixed(1)),
      tenants: TENANTS + 13,
      gateWithoutProbeMedianMs: gate,
      bareSelectConfigsMedianMs: bareSelect,
      gateOverBareSelect: Number((gate / bareSelect).toFixed(1)),
    };
  } finally {
    await canary.close();
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchConfig(): Promise<Record<string, unknown>> {
  const rows: Record<string, unknown>[] = [];
  const pg = await startEmbeddedPostgres();
  try {
    rows.push(await benchOne('pglite', pg.url, (sql) => pg.db.exec(sql)));
  } finally {
    await pg.stop();
  }
  const server = await serverDatabase();
  if (server) {
    try {
      rows.push(await benchOne('postgresql-server', server.url, server.exec));
    } finally {
      await server.drop();
    }
  }
  return {
    runs: RUNS,
    rows,
    note: 'round trip = 2 journal appends (file) + read + conditional write + read back + conditional restore; gate = configs, fingerprint of every document, history append, migrations, audit count',
  };
}

if (require.main === module) {
  benchConfig().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
