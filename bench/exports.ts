/**
 * Gate 2 reading AWS bill exports at scale, each gate run in a fresh process of its own (compiled
 * package, as users run it) next to the bare engine query on the same files, also in a fresh process:
 * - direct: 1,000,000 CUR 2.0 line items (10,000 tenants, two billing periods, 4 Parquet files
 *   each, laid out as Data Exports delivers them) read by the dataexport source from a local S3
 *   (the contract stand-in: HeadObject, ranged GETs) with DuckDB's row groups (122,880 rows), and
 *   2,097,152 line items in one file per period, each one row group of 1,048,576 rows (pyarrow's
 *   default row group size), the worst case for memory;
 * - Athena: 10,000,000 line items through the athena source against the Athena stand-in, which
 *   runs the query on DuckDB over the same kind of files;
 * - Cost Explorer: what paging 10,000 tenants costs at 20 and at 500 groups a page.
 * Peak RSS is the gate process alone; the stand-ins run in the benchmark's own process.
 *
 * Run on its own: npx tsx bench/exports.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { parseMoney } from '../lambda/checks/cost/money';
import { CostExplorerBill } from '../lambda/sources/costexplorer/bill';
import { startAthena } from '../test/standins/athena';
import { startCostExplorer, type CeLineItem } from '../test/standins/costexplorer';
import { startS3 } from '../test/standins/s3';
import { filesOf } from '../test/standins/bill-exports';
import { ensureBuilt, fmt, measureNode } from './measure';

const TENANTS = 10_000;
const FROM = '2026-10-15';
const TO = '2026-11-14';
const MONTHS = [
  { month: '2026-10', days: 31, next: '2026-11' },
  { month: '2026-11', days: 30, next: '2026-12' },
];
const EXPORT = 'acme-cur2';
const PREFIX = 'exports';
/** The aggregate both engines run: the reconciliation of the athena source, over a view of the files. */
const BARE_QUERY = `SELECT CASE WHEN contains(map_keys(resource_tags), 'user_tenant_id') THEN resource_tags['user_tenant_id'] ELSE '' END AS tenant,
  sum(CAST(line_item_unblended_cost AS DECIMAL(38, 12))) AS cost
  FROM bill WHERE line_item_usage_start_date >= TIMESTAMP '${FROM} 00:00:00' AND line_item_usage_start_date < TIMESTAMP '2026-11-15 00:00:00'
  AND line_item_line_item_type NOT IN ('Credit', 'Refund', 'Tax') GROUP BY 1`;

/**
 * Writes `rows` CUR 2.0 line items per billing period under `root` (a copy of the bucket) with a
 * Data Exports manifest per period; one line in fifty untagged, one in a thousand tax.
 */
async function writeExport(con: DuckDBConnection, root: string, rows: number, files: number, rowGroupSize?: number): Promise<string[]> {
  const dataFiles: string[] = [];
  for (const { month, days, next } of MONTHS) {
    const keys: string[] = [];
    for (let k = 0; k < files; k++) {
      const key = `${PREFIX}/${EXPORT}/data/BILLING_PERIOD=${month}/${EXPORT}-${String(k + 1).padStart(5, '0')}.snappy.parquet`;
      mkdirSync(join(root, PREFIX, EXPORT, 'data', `BILLING_PERIOD=${month}`), { recursive: true });
      await con.run(`COPY (SELECT
          TIMESTAMP '${month}-01 00:00:00' AS bill_billing_period_start_date,
          TIMESTAMP '${month}-01 00:00:00' + INTERVAL 1 MONTH AS bill_billing_period_end_date,
          '111111111111' AS line_item_usage_account_id,
          CASE WHEN i % 1000 = 7 THEN 'Tax' ELSE 'Usage' END AS line_item_line_item_type,
          TIMESTAMP '${month}-01 00:00:00' + INTERVAL (i % ${days}) DAY + INTERVAL (i % 24) HOUR AS line_item_usage_start_date,
          'AmazonEC2' AS line_item_product_code,
          'USD' AS line_item_currency_code,
          ((i * 7919) % 100000) / 1000000.0 :: DOUBLE AS line_item_unblended_cost,
          CASE WHEN i % 50 = 49 THEN MAP {}::MAP(VARCHAR, VARCHAR)
               ELSE MAP {'user_tenant_id': 'tenant-' || lpad(((i // 10) % ${TENANTS})::VARCHAR, 5, '0'), 'user_environment': 'prod'} END AS resource_tags
        FROM range(${rows}) t(i) WHERE i % ${files} = ${k})
        TO '${join(root, ...key.split('/'))}' (FORMAT parquet, COMPRESSION snappy${rowGroupSize ? `, ROW_GROUP_SIZE ${rowGroupSize}` : ''})`);
      keys.push(key);
    }
    const manifest = join(root, PREFIX, EXPORT, 'metadata', `BILLING_PERIOD=${month}`, `${EXPORT}-Manifest.json`);
    mkdirSync(join(manifest, '..'), { recursive: true });
    writeFileSync(
      manifest,
      JSON.stringify({
        executionId: `bench-${month}`,
        billingPeriod: { start: `${month}-01T00:00:00.000Z`, end: `${next}-01T00:00:00.000Z` },
        dataFiles: keys.map((k) => `s3://bench-bucket/${k}`),
      }),
    );
    dataFiles.push(...keys.map((k) => join(root, ...k.split('/'))));
  }
  return dataFiles;
}

/** The ledger that tracked exactly what the bill says per tenant (from the bare query), dated inside the window. */
async function writeLedger(con: DuckDBConnection, files: string[], path: string): Promise<void> {
  await con.run(`CREATE OR REPLACE VIEW bill AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
  const rows = (await con.runAndReadAll(BARE_QUERY)).getRowsJson() as [string, string][];
  writeFileSync(path, `${['tenant_id,usage_date,provider,cost_usd', ...rows.filter(([t]) => t).map(([t, c]) => `${t},${TO},aws,${c}`)].join('\n')}\n`);
}

/** The bare engine query in a fresh process: DuckDB over the same files, its wall time and peak RSS. */
const BARE_SCRIPT = (files: string[]) => `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const t = process.hrtime.bigint();
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  await con.run(\`CREATE VIEW bill AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])\`);
  const rows = (await con.runAndReadAll(${JSON.stringify(BARE_QUERY)})).getRowsJson();
  process.stdout.write(JSON.stringify({ queryMs: Number(process.hrtime.bigint() - t) / 1e6, groups: rows.length }));
})();`;

/** The cost gate in a fresh process (dist/), with the bill from `bill`. */
const GATE_SCRIPT = (ledger: string, bill: unknown) => `
const { runGates, BUILT_IN } = require('./dist/lib/index.js');
const config = { version: 1, suite: 'bench', sources: { ledger: { type: 'csv', path: ${JSON.stringify(ledger)} }, bill: ${JSON.stringify(bill)} },
  gates: { cost: { ledger: { source: 'ledger' }, aws: { source: 'bill' }, maxLagHours: 8784, timeoutSeconds: 900 } } };
runGates({ registry: BUILT_IN, loaded: { config: require('./dist/lambda/core/config/load.js').prepareGates(BUILT_IN, config), skipped: {} }, secrets: { resolve: async (v) => v, json: async () => ({}) }, gateOptions: { from: '${FROM}', to: '${TO}' } })
  .then((r) => { const g = r.results[0]; const m = (n) => (g.measurements.find((x) => x.name === n) || {}).value;
    process.stdout.write(JSON.stringify({ status: g.status, summary: g.summary, gateMs: g.durationMs, readCostUsd: m('billReadCostUsd'), s3Requests: m('s3Requests'), scannedBytes: m('athenaScannedBytes') })); });`;

interface GateRun {
  status: string;
  summary: string;
  gateMs: number;
  readCostUsd?: number;
  s3Requests?: number;
  scannedBytes?: number;
}

const mib = (bytes: number) => Math.round(bytes / 1_048_576);
const sizeOf = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);

async function gateRun(script: string, env: NodeJS.ProcessEnv): Promise<GateRun & { wallMs: number; peakRssMb: number }> {
  const m = await measureNode(script, env);
  const run = JSON.parse(m.output) as GateRun;
  if (run.status !== 'PASS') throw new Error(`gate 2 did not PASS on the benchmark data: ${run.summary}`);
  return { ...run, wallMs: Math.round(m.wallMs), peakRssMb: Math.round(m.peakRssMb) };
}

async function bare(files: string[]): Promise<{ wallMs: number; queryMs: number; peakRssMb: number }> {
  const m = await measureNode(BARE_SCRIPT(files));
  const out = JSON.parse(m.output) as { queryMs: number };
  return { wallMs: Math.round(m.wallMs), queryMs: Math.round(out.queryMs), peakRssMb: Math.round(m.peakRssMb) };
}

/** The dataexport source over the S3 stand-in, for one export tree. */
async function directRow(con: DuckDBConnection, dir: string, label: string, rows: number, files: number, rowGroupSize?: number) {
  const root = join(dir, label);
  process.stderr.write(`bench: exports: writing ${(rows * 2).toLocaleString('en')} line items (${label})…\n`);
  const parquet = await writeExport(con, root, rows, files, rowGroupSize);
  const ledger = join(dir, `${label}-ledger.csv`);
  await writeLedger(con, parquet, ledger);
  const s3 = await startS3({ buckets: [{ name: 'bench-bucket' }] });
  try {
    for (const [key, path] of filesOf(root)) s3.put('bench-bucket', key, readFileSync(path));
    const env = { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1' };
    const gate = await gateRun(GATE_SCRIPT(ledger, { type: 'dataexport', bucket: 'bench-bucket', prefix: PREFIX, exportName: EXPORT }), env);
    const engine = await bare(parquet);
    return {
      path: `dataexport (S3, ${rowGroupSize ? `one row group of ${rows.toLocaleString('en')} rows per file` : "DuckDB's row groups of 122,880 rows"})`,
      lineItems: rows * 2,
      files: parquet.length,
      parquetMiB: mib(sizeOf(parquet)),
      gateWallMs: gate.wallMs,
      gateMs: gate.gateMs,
      gatePeakRssMb: gate.peakRssMb,
      bareQueryWallMs: engine.wallMs,
      bareQueryPeakRssMb: engine.peakRssMb,
      gateOverBare: Number((gate.wallMs / engine.wallMs).toFixed(1)),
      runCost: `${gate.s3Requests} S3 requests, $${gate.readCostUsd}`,
    };
  } finally {
    await s3.stop();
  }
}

async function athenaRow(con: DuckDBConnection, dir: string, rows: number) {
  const root = join(dir, 'athena');
  process.stderr.write(`bench: exports: writing ${(rows * 2).toLocaleString('en')} line items for Athena…\n`);
  const files = await writeExport(con, root, rows, 8);
  const ledger = join(dir, 'athena-ledger.csv');
  await writeLedger(con, files, ledger);
  const athena = await startAthena({
    tables: [{ database: 'cid_data_export', table: 'cur2', files: [join(root, PREFIX, EXPORT, 'data', 'BILLING_PERIOD=*', '*.parquet')] }],
    workGroups: [{ name: 'primary', outputLocation: 's3://bench-athena-results/' }],
  });
  try {
    const env = { AWS_ENDPOINT_URL_ATHENA: athena.endpoint, AWS_ACCESS_KEY_ID: 'AKIDBENCH', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1' };
    const gate = await gateRun(GATE_SCRIPT(ledger, { type: 'athena' }), env);
    const engine = await bare(files);
    return {
      path: 'athena (stand-in: the query on DuckDB)',
      lineItems: rows * 2,
      files: files.length,
      parquetMiB: mib(sizeOf(files)),
      gateWallMs: gate.wallMs,
      gateMs: gate.gateMs,
      gatePeakRssMb: gate.peakRssMb,
      bareQueryWallMs: engine.wallMs,
      bareQueryPeakRssMb: engine.peakRssMb,
      gateOverBare: Number((gate.wallMs / engine.wallMs).toFixed(1)),
      runCost: `${mib(gate.scannedBytes ?? 0)} MiB scanned, $${gate.readCostUsd}`,
    };
  } finally {
    await athena.stop();
  }
}

/** Cost Explorer paging 10,000 tenants over the same two-month window, at two page sizes. */
async function costExplorerRows() {
  const items: CeLineItem[] = [];
  for (let t = 0; t < TENANTS; t++) for (const day of [FROM, TO]) items.push({ day, tag: `tenant-${String(t).padStart(5, '0')}`, amount: '1.25' });
  const out = [];
  for (const pageSize of [20, 500]) {
    const ce = await startCostExplorer({ items, pageSize, today: '2026-11-28' });
    const vars = {
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_REGION: 'us-east-1',
    };
    const before = { ...process.env };
    Object.assign(process.env, vars);
    const bill = new CostExplorerBill({ type: 'costexplorer' }, { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: [] }, parseMoney('1000'));
    try {
      const t = Date.now();
      const got = await bill.fetch({ from: FROM, to: TO, label: 'bench' }, new AbortController().signal);
      out.push({
        path: `costexplorer (${pageSize} groups a page)`,
        tenants: TENANTS,
        requests: got.requests!.count,
        wallMs: Date.now() - t,
        runCostUsd: Number(got.requests!.cost / 10n ** 10n) / 100,
      });
    } finally {
      bill.close();
      process.env = before;
      await ce.stop();
    }
  }
  return out;
}

export async function benchExports(): Promise<Record<string, unknown>> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'bench-exports-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  try {
    const rows = [
      await directRow(con, dir, 'direct', 500_000, 4),
      await directRow(con, dir, 'direct-big-groups', 1_048_576, 1, 1_048_576),
      await athenaRow(con, dir, 5_000_000),
    ];
    const costExplorer = await costExplorerRows();
    for (const r of rows)
      process.stderr.write(
        `bench: exports: ${r.path}: ${r.lineItems.toLocaleString('en')} line items, gate ${fmt.ms(r.gateWallMs)} (peak ${fmt.mb(r.gatePeakRssMb)}) vs bare query ${fmt.ms(r.bareQueryWallMs)}; ${r.runCost}\n`,
      );
    return {
      window: `${FROM}..${TO} (two billing periods)`,
      tenants: TENANTS,
      rows,
      costExplorer,
      baselines:
        'bare query = DuckDB running the reconciliation aggregate over the same Parquet files in a fresh process; gate = the cost gate (compiled) in a fresh process: manifests, every listed file, ledger, reconciliation, artifacts',
      note: 'S3 and Athena are local stand-ins in the benchmark process; against AWS add network time per request. Athena stand-in bytes scanned = compressed column chunks of the columns the query names, in the partitions it names.',
    };
  } finally {
    con.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchExports().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
