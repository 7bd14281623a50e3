/**
 * Peak memory of gates 3 and 4 in a fresh process of the built package, at production-like sizes,
 * next to an empty Node process (gates 1 and 2 are measured the same way in their own benches).
 * The databases and stand-ins run in other processes, so the figure is the gate's alone; each must
 * stay under 256 MB so a 256 MB Lambda suffices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { healthyDatadog, startDatadog } from '../test/standins/datadog';
import { tenantIds } from '../test/standins/local-server';
import { measureNode, serverDatabase } from './measure';

export interface MemoryRow {
  gate: string;
  size: string;
  status: string;
  /** Why the status is what it is: memory is the measure here, not the verdict. */
  note: string;
  wallMs: number;
  peakRssMb: number;
  emptyNodeRssMb: number;
}

const RUN = (config: object) => `
const { runGates, BUILT_IN } = require('./dist/lib/index.js');
const config = ${JSON.stringify(config)};
runGates({ registry: BUILT_IN, loaded: { config: require('./dist/lambda/core/config/load.js').prepareGates(BUILT_IN, config), skipped: {} }, secrets: { resolve: async (v) => v, json: async () => ({}) }, probes: false })
  .then((r) => process.stdout.write(r.results[0].status));`;

export async function benchMemory(): Promise<MemoryRow[]> {
  const empty = await measureNode('');
  const rows: MemoryRow[] = [];

  const db = await serverDatabase();
  if (!db) throw new Error('needs the PostgreSQL server on 127.0.0.1:5432');
  const dir = mkdtempSync(join(tmpdir(), 'sr-bench-mem-'));
  try {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    for (const n of [10_000, 100_000]) {
      process.stderr.write(`bench: gate 3 memory with ${n} tenant configs…\n`);
      await client.query(`DROP TABLE IF EXISTS tenant_configs;
        CREATE TABLE tenant_configs (tenant_id text PRIMARY KEY, config jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
        INSERT INTO tenant_configs (tenant_id, config)
          SELECT 'tenant-' || lpad(g::text, 7, '0'),
                 jsonb_build_object('model', 'gpt-4o', 'retrieval', jsonb_build_object('topK', 8, 'shard', 'shard-' || (g % 4)),
                                    'features', jsonb_build_object('citations', true, 'sso', g % 3 = 0), 'quotas', jsonb_build_object('monthly_token_quota', 100000, 'rate_limit_rpm', 60))
            FROM generate_series(1, ${n}) g;`);
      const m = await measureNode(
        RUN({
          version: 1,
          suite: 'bench',
          sources: { db: { type: 'postgres', url: db.url } },
          gates: { config: { source: 'db', timeoutSeconds: 600, history: { file: join(dir, `history-${n}.jsonl`) } } },
        }),
      );
      rows.push({
        gate: 'config',
        size: `${n.toLocaleString('en')} tenant configs`,
        status: m.output,
        note: 'FAIL expected: a fresh database has no 30 days of schema history',
        wallMs: Math.round(m.wallMs),
        peakRssMb: Math.round(m.peakRssMb),
        emptyNodeRssMb: Math.round(empty.peakRssMb),
      });
    }
    await client.end();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }

  const state = healthyDatadog();
  state.services[0].spanAttributes = { tenant_id: tenantIds(10_000) };
  const dd = await startDatadog(state);
  try {
    process.stderr.write('bench: gate 4 memory with 10,000 tenants in the breakdown…\n');
    const m = await measureNode(
      RUN({
        version: 1,
        suite: 'bench',
        sources: { dd: { type: 'datadog', apiKey: state.apiKey, appKey: state.appKey, apiUrl: dd.url } },
        gates: { monitoring: { datadog: { source: 'dd', env: 'prod' } } },
      }),
    );
    rows.push({
      gate: 'monitoring',
      size: '10,000 tenants in the throughput breakdown (Datadog)',
      status: m.output,
      note: 'healthy stand-in',
      wallMs: Math.round(m.wallMs),
      peakRssMb: Math.round(m.peakRssMb),
      emptyNodeRssMb: Math.round(empty.peakRssMb),
    });
  } finally {
    await dd.close();
  }
  return rows;
}

if (require.main === module) {
  void benchMemory().then((rows) => console.table(rows));
}
