/**
 * Gate 2 at scale: 1,000,000 ledger rows for 1,000 tenants in the PostgreSQL server (a database of
 * its own, dropped afterwards; PGlite in its own process when no server is reachable), against a
 * local Cost Explorer holding the matching bill. The gate and the bare GROUP BY each run in fresh
 * processes of their own, in alternating rounds, and are compared like for like:
 * - cold: the gate's first run in a fresh process (the CLI, a cold Lambda) against connecting and
 *   running the query in a fresh process;
 * - warm: the gate run again in that process (a long-lived runner, a warm Lambda) against the query
 *   run again on its warm connection;
 * and, strictest, the cold gate against the warm query. Peak RSS is the gate process alone.
 *
 * Run on its own: npx tsx bench/cost.ts
 */
import { Client } from 'pg';
import { startCostExplorer, type CeLineItem } from '../test/standins/costexplorer';
import { ensureBuilt, fmt, measureNode, serverDatabase, startPgliteProcess } from './measure';

const ROWS = 1_000_000;
const TENANTS = 1_000;
/** Groups per Cost Explorer page in the local endpoint; AWS does not document its page size. */
const CE_PAGE_SIZE = 500;

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const TO = day(-2);
const FROM = day(-31);

const SEED = `
DROP TABLE IF EXISTS tenant_costs;
CREATE TABLE tenant_costs (tenant_id text NOT NULL, usage_date date NOT NULL, provider text NOT NULL, cost_usd numeric(18,6) NOT NULL);
INSERT INTO tenant_costs
SELECT 'tenant-' || lpad((g % ${TENANTS})::text, 4, '0'),
       DATE '${TO}' - (g % 30),
       CASE WHEN g % 3 = 0 THEN 'openai' ELSE 'aws' END,
       ((g::bigint * 7919) % 100000) / 10000.0
  FROM generate_series(1, ${ROWS}) g;
INSERT INTO tenant_costs VALUES ('tenant-0000', CURRENT_DATE, 'aws', 0.01);
ANALYZE tenant_costs;`;

/** The bare aggregation a DBA would write for the same window. */
const BARE_GROUP_BY = `SELECT tenant_id, provider, sum(cost_usd) FROM tenant_costs WHERE usage_date BETWEEN $1 AND $2 GROUP BY 1, 2`;

/** Rounds of (bare process, gate process), alternating so that drift on the machine hits both alike. */
const ROUNDS = 5;

/** Connect + the query in a fresh process (fresh), then the query twice more on that connection (warm: the faster). */
const BARE_SCRIPT = (url: string) => `
const { Client } = require('pg');
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
(async () => {
  const t = process.hrtime.bigint();
  const c = new Client({ connectionString: ${JSON.stringify(url)} });
  await c.connect();
  await c.query(${JSON.stringify(BARE_GROUP_BY)}, ['${FROM}', '${TO}']);
  const freshMs = ms(t);
  const warm = [];
  for (let i = 0; i < 2; i++) { const w = process.hrtime.bigint(); await c.query(${JSON.stringify(BARE_GROUP_BY)}, ['${FROM}', '${TO}']); warm.push(ms(w)); }
  await c.end();
  process.stdout.write(JSON.stringify({ freshMs, warmMs: Math.min(...warm) }));
})();`;

/** The gate twice in one fresh process: the first run is cold, the second warm. */
const GATE_SCRIPT = (url: string) => `
const { runGates, BUILT_IN } = require('./dist/lib/index.js');
const config = { version: 1, suite: 'bench', sources: { db: { type: 'postgres', url: ${JSON.stringify(url)} }, ce: { type: 'costexplorer' } },
  gates: { cost: { ledger: { source: 'db' }, aws: { source: 'ce' }, timeoutSeconds: 900 } } };
const once = () => runGates({ registry: BUILT_IN, loaded: { config: require('./dist/lambda/core/config/load.js').prepareGates(BUILT_IN, config), skipped: {} }, secrets: { resolve: async (v) => v, json: async () => ({}) }, gateOptions: { from: '${FROM}', to: '${TO}' } })
  .then((r) => { const g = r.results[0]; const m = (n) => (g.measurements.find((x) => x.name === n) || {}).value;
    return { status: g.status, summary: g.summary, gateMs: g.durationMs, requests: m('costExplorerRequests'), costUsd: m('costExplorerCostUsd') }; });
(async () => { const cold = await once(); const warm = await once(); process.stdout.write(JSON.stringify({ cold, warm })); })();`;

interface GateRun {
  status: string;
  summary: string;
  gateMs: number;
  requests: number;
  costUsd: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** A database of our own: on the server when reachable (dropped afterwards), else PGlite in its own process. */
async function database(): Promise<{ store: string; url: string; drop(): Promise<void> }> {
  const server = await serverDatabase();
  if (server) return server;
  const pg = await startPgliteProcess();
  return { store: 'PGlite (own process)', url: pg.url, drop: async () => void pg.child.kill('SIGTERM') };
}

export async function benchCost(): Promise<Record<string, unknown>> {
  ensureBuilt();
  const db = await database();
  const client = new Client({ connectionString: db.url });
  await client.connect();
  let ce: Awaited<ReturnType<typeof startCostExplorer>> | undefined;
  try {
    process.stderr.write(`bench: gate 2 on ${db.store}, seeding ${ROWS.toLocaleString('en')} ledger rows for ${TENANTS} tenants…\n`);
    await client.query(SEED);
    await client.query('VACUUM ANALYZE tenant_costs');
    await client.query(BARE_GROUP_BY, [FROM, TO]);
    // The bill: each tenant's tracked AWS spend, split over the first and last day of the window
    // (so a window across two months gives Cost Explorer two periods of 1,000 groups).
    const sums = await client.query<{ tenant_id: string; total: string }>(
      `SELECT tenant_id, sum(cost_usd)::text AS total FROM tenant_costs WHERE provider = 'aws' AND usage_date BETWEEN $1 AND $2 GROUP BY 1`,
      [FROM, TO],
    );
    const items: CeLineItem[] = sums.rows.flatMap((r) => {
      const [int, frac = ''] = r.total.split('.');
      const micros = BigInt(int) * 1_000_000n + BigInt(`${frac}000000`.slice(0, 6));
      const half = micros / 2n;
      const asUsd = (m: bigint) => `${m / 1_000_000n}.${(m % 1_000_000n).toString().padStart(6, '0')}`;
      return [
        { day: FROM, tag: r.tenant_id, amount: asUsd(half) },
        { day: TO, tag: r.tenant_id, amount: asUsd(micros - half) },
      ];
    });
    ce = await startCostExplorer({ items, pageSize: CE_PAGE_SIZE });
    const env = {
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALBENCH',
      AWS_SECRET_ACCESS_KEY: 'local-bench-secret',
      AWS_REGION: 'us-east-1',
    };
    const bare: { freshMs: number; warmMs: number }[] = [];
    const gate: (GateRun & { warm: GateRun; wallMs: number; peakRssMb: number })[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      process.stderr.write(`bench: gate 2 round ${i + 1}/${ROUNDS}\n`);
      bare.push(JSON.parse((await measureNode(BARE_SCRIPT(db.url))).output));
      const m = await measureNode(GATE_SCRIPT(db.url), env);
      const r = JSON.parse(m.output) as { cold: GateRun; warm: GateRun };
      for (const run of [r.cold, r.warm]) if (run.status !== 'PASS') throw new Error(`gate 2 did not PASS on the benchmark data: ${run.summary}`);
      gate.push({ ...r.cold, warm: r.warm, wallMs: m.wallMs, peakRssMb: m.peakRssMb });
    }
    const cold = median(gate.map((g) => g.gateMs));
    const warm = median(gate.map((g) => g.warm.gateMs));
    const bareFresh = median(bare.map((b) => b.freshMs));
    const bareWarm = median(bare.map((b) => b.warmMs));
    const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
    const result = {
      store: db.store,
      ledgerRows: ROWS,
      tenants: TENANTS,
      window: `${FROM}..${TO}`,
      rounds: ROUNDS,
      gateColdMs: Math.round(cold),
      gateWarmMs: Math.round(warm),
      processWallMs: Math.round(median(gate.map((g) => g.wallMs))),
      peakRssMb: Math.round(Math.max(...gate.map((g) => g.peakRssMb))),
      bareGroupByFreshProcessMs: Math.round(bareFresh),
      bareGroupByWarmMs: Math.round(bareWarm),
      ratioCold: ratio(cold, bareFresh),
      ratioWarm: ratio(warm, bareWarm),
      ratioColdGateToWarmQuery: ratio(cold, bareWarm),
      target: '<= 2x the bare GROUP BY',
      costExplorerRequests: gate[0].requests,
      costExplorerCostUsd: gate[0].costUsd,
      costExplorerPageSize: CE_PAGE_SIZE,
      baselines:
        "medians of the rounds. ratioCold: the gate's first run in a fresh process / connect + query in a fresh process; ratioWarm: the gate run again in that process / the query again on a warm connection; ratioColdGateToWarmQuery: the cold gate / the warm query",
      note: "gate = GROUP BY in the database + Cost Explorer paging (SDK, signing, 4 pages) + reconciliation + tenant_costs.csv/json; on 2 cores the database's parallel workers share the CPU with the gate process, so the SDK's cold start adds to the wall time",
    };
    process.stderr.write(
      `bench: gate 2 reconciled ${ROWS.toLocaleString('en')} rows in ${fmt.ms(cold)} cold / ${fmt.ms(warm)} warm; bare GROUP BY ${fmt.ms(bareFresh)} fresh / ${fmt.ms(bareWarm)} warm: ${fmt.ratio(cold, bareFresh)} cold, ${fmt.ratio(warm, bareWarm)} warm, ${fmt.ratio(cold, bareWarm)} cold gate to warm query; peak RSS ${fmt.mb(result.peakRssMb)}, ${result.costExplorerRequests} Cost Explorer requests ($${result.costExplorerCostUsd})\n`,
    );
    return result;
  } finally {
    await ce?.stop();
    await client.end();
    await db.drop();
  }
}

if (require.main === module) {
  benchCost().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
