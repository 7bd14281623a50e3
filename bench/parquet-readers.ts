/**
 * Which Parquet reader the dataexport source uses, measured (run by hand; the figures are in
 * docs/benchmarks.md under "Parquet reader for the dataexport source (by hand)"). Each reader
 * aggregates cost per tenant tag over the same CUR 2.0 file of 1,000,000 line items (columns:
 * usage start, cost, resource_tags map, line item type, account, currency), in a fresh process,
 * once with DuckDB's row groups (122,880 rows) and once as one row group of 1,048,576 rows:
 * - the reader as shipped: hyparquet, one column at a time, maps decoded from their key/value leaves;
 * - hyparquet's own row assembly (parquetRead with onComplete, the same columns);
 * - parquet-wasm + apache-arrow, record batches of 8,192 rows (WebAssembly);
 * - DuckDB (native), the bare query: the baseline, not a candidate for the function.
 * parquet-wasm and apache-arrow are not dependencies of this package: install them somewhere
 * (`npm i --prefix DIR parquet-wasm apache-arrow`) and set PARQUET_CANDIDATES=DIR/node_modules to
 * include them; without it they are reported as not measured.
 *
 * Run: npm run build && npx tsx bench/parquet-readers.ts
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ensureBuilt, measureNode } from './measure';

const ROWS = 1_000_000;
const COLUMNS = [
  'line_item_usage_start_date',
  'line_item_unblended_cost',
  'resource_tags',
  'line_item_line_item_type',
  'line_item_usage_account_id',
  'line_item_currency_code',
];

const SHIPPED = (file: string) => `
const { LocalStore } = require('./dist/lambda/sources/dataexport/store.js');
const { openParquetTable } = require('./dist/lambda/sources/dataexport/parquet.js');
const { valueAt } = require('./dist/lambda/sources/dataexport/table.js');
(async () => {
  const store = new LocalStore('/'); const key = ${JSON.stringify(file.slice(1))};
  const size = require('fs').statSync(${JSON.stringify(file)}).size;
  const table = await openParquetTable(store, key, size, new AbortController().signal);
  const sums = new Map(); let rows = 0;
  const req = [{ name: 'line_item_usage_start_date' }, { name: 'line_item_unblended_cost' }, { name: 'resource_tags', mapKeys: ['user_tenant_id'] }, { name: 'line_item_line_item_type' }, { name: 'line_item_usage_account_id' }, { name: 'line_item_currency_code' }];
  for await (const b of table.batches(req, new AbortController().signal)) {
    for (let i = 0; i < b.length; i++) { const t = valueAt(b.columns[2], i) || ''; sums.set(t, (sums.get(t) || 0) + valueAt(b.columns[1], i)); rows++; }
  }
  process.stdout.write(JSON.stringify({ rows, groups: sums.size }));
})();`;

const HYPARQUET_ROWS = (file: string) => `
const { parquetRead, parquetMetadataAsync } = require('hyparquet');
(async () => {
  const buf = require('fs').readFileSync(${JSON.stringify(file)});
  const file = { byteLength: buf.length, slice: async (s, e) => buf.buffer.slice(buf.byteOffset + s, buf.byteOffset + (e ?? buf.length)) };
  const metadata = await parquetMetadataAsync(file);
  const sums = new Map(); let rows = 0; let start = 0;
  for (const g of metadata.row_groups) {
    const end = start + Number(g.num_rows);
    await parquetRead({ file, metadata, rowStart: start, rowEnd: end, columns: ${JSON.stringify(COLUMNS)}, onComplete: (data) => {
      for (const r of data) { const t = (r[2] && r[2].user_tenant_id) || ''; sums.set(t, (sums.get(t) || 0) + r[1]); rows++; }
    } });
    start = end;
  }
  process.stdout.write(JSON.stringify({ rows, groups: sums.size }));
})();`;

const PARQUET_WASM = (file: string, modules: string) => `
const { ParquetFile } = require(${JSON.stringify(join(modules, 'parquet-wasm', 'node', 'parquet_wasm.js'))});
const arrow = require(${JSON.stringify(join(modules, 'apache-arrow'))});
(async () => {
  const blob = await require('fs').openAsBlob(${JSON.stringify(file)});
  const pf = await ParquetFile.fromFile(blob);
  const stream = await pf.stream({ batchSize: 8192, columns: ${JSON.stringify(COLUMNS)} });
  const sums = new Map(); let rows = 0;
  for await (const wasmBatch of stream) {
    for (const batch of arrow.tableFromIPC(wasmBatch.intoIPCStream()).batches) {
      const cost = batch.getChild('line_item_unblended_cost').toArray();
      const tags = batch.getChild('resource_tags').data[0];
      const keys = arrow.makeVector(tags.children[0].children[0]); const values = arrow.makeVector(tags.children[0].children[1]);
      for (let i = 0; i < batch.numRows; i++) {
        let t = '';
        for (let j = tags.valueOffsets[i]; j < tags.valueOffsets[i + 1]; j++) if (keys.get(j) === 'user_tenant_id') { t = values.get(j); break; }
        sums.set(t, (sums.get(t) || 0) + cost[i]); rows++;
      }
    }
  }
  process.stdout.write(JSON.stringify({ rows, groups: sums.size }));
})();`;

const DUCKDB = (file: string) => `
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  const r = await con.runAndReadAll(\`SELECT coalesce(resource_tags['user_tenant_id'], '') t, sum(line_item_unblended_cost) FROM read_parquet('${file}') GROUP BY 1\`);
  process.stdout.write(JSON.stringify({ rows: ${ROWS}, groups: r.getRowsJson().length }));
})();`;

async function writeFile(path: string, rowGroupSize: number): Promise<void> {
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const con = await db.connect();
  await con.run(`COPY (SELECT TIMESTAMP '2026-10-01 00:00:00' + INTERVAL (i % 31) DAY AS line_item_usage_start_date,
      ((i * 7919) % 100000) / 1000000.0 :: DOUBLE AS line_item_unblended_cost,
      CASE WHEN i % 50 = 49 THEN MAP {}::MAP(VARCHAR, VARCHAR) ELSE MAP {'user_tenant_id': 'tenant-' || lpad((i % 10000)::VARCHAR, 5, '0'), 'user_environment': 'prod'} END AS resource_tags,
      'Usage' AS line_item_line_item_type, '111111111111' AS line_item_usage_account_id, 'USD' AS line_item_currency_code,
      'AmazonEC2' AS line_item_product_code, 'arn:aws:ec2:us-east-1:111111111111:instance/i-' || i AS line_item_resource_id
    FROM range(${ROWS}) t(i)) TO '${path}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroupSize})`);
  con.closeSync();
  db.closeSync();
}

async function main(): Promise<void> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'parquet-readers-'));
  const modules = process.env.PARQUET_CANDIDATES;
  const rows: Record<string, unknown>[] = [];
  try {
    for (const rowGroupSize of [122_880, 1_048_576]) {
      const file = join(dir, `cur2-${rowGroupSize}.parquet`);
      await writeFile(file, rowGroupSize);
      const readers: [string, string | undefined][] = [
        ['hyparquet, column by column, maps from their leaves (shipped)', SHIPPED(file)],
        ["hyparquet's row assembly (parquetRead onComplete)", HYPARQUET_ROWS(file)],
        ['parquet-wasm + apache-arrow (8,192-row batches)', modules ? PARQUET_WASM(file, modules) : undefined],
        ['DuckDB native (baseline, not for the function)', DUCKDB(file)],
      ];
      for (const [reader, script] of readers) {
        if (!script) {
          rows.push({ reader, rowGroupRows: rowGroupSize, result: 'not measured (set PARQUET_CANDIDATES)' });
          continue;
        }
        try {
          const m = await measureNode(script);
          const out = JSON.parse(m.output) as { rows: number; groups: number };
          rows.push({
            reader,
            rowGroupRows: rowGroupSize,
            fileMiB: Math.round(statSync(file).size / 1_048_576),
            wallMs: Math.round(m.wallMs),
            peakRssMb: Math.round(m.peakRssMb),
            rows: out.rows,
            groups: out.groups,
          });
        } catch (err) {
          rows.push({ reader, rowGroupRows: rowGroupSize, result: `failed: ${(err as Error).message.slice(-200)}` });
        }
        process.stderr.write(`bench: parquet readers: ${JSON.stringify(rows.at(-1))}\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
}

void main();
