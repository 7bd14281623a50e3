import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMoney, type Money } from '../../lambda/checks/cost/money';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { DataExportBill } from '../../lambda/sources/dataexport/bill';
import type { DataExportSourceConfig } from '../../lambda/sources/dataexport/schema';
import { ExportWriter, touchTree, type ExportLine, type ExportTreeOptions } from '../standins/bill-exports';

/**
 * The Data Exports reader against export trees laid out as AWS delivers them
 * (docs/contracts/dataexports.md, cur.md CUR-13..16): one test per rule, named by its id.
 */
const WINDOW: CostWindow = { from: '2026-10-20', to: '2026-11-10', label: 'test' };
const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const signal = new AbortController().signal;

/** Two billing periods of line items: three tenants, untagged spend, tax and a credit every day. */
function bill(): ExportLine[] {
  const lines: ExportLine[] = [];
  for (const month of ['2026-10', '2026-11']) {
    const days = month === '2026-10' ? 31 : 30;
    for (let d = 1; d <= days; d++) {
      const day = `${month}-${String(d).padStart(2, '0')}`;
      ['acme', 'globex', 'initech'].forEach((tag, t) => lines.push({ day, tag, cost: `${(d * (t + 1) * 0.1234567).toFixed(7)}` }));
      lines.push({ day, cost: '0.0500000' }, { day, tag: 'acme', cost: '0.2', type: 'Tax' }, { day, tag: 'acme', cost: '-1', type: 'Credit' });
    }
  }
  return lines;
}

/** What the bill should say over the window, summed here independently of the reader. */
function expected(lines: ExportLine[], window = WINDOW, query = QUERY): Map<string, Money> {
  const out = new Map<string, Money>();
  for (const l of lines) {
    if (l.day < window.from || l.day > window.to || query.excludeRecordTypes.includes(l.type ?? 'Usage')) continue;
    if (query.linkedAccounts && !query.linkedAccounts.includes(l.account ?? '111111111111')) continue;
    out.set(l.tag ?? '', (out.get(l.tag ?? '') ?? 0n) + parseMoney(l.cost));
  }
  return out;
}

const sorted = (m: Map<string, Money>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

describe('Data Exports reader (docs/contracts/dataexports.md)', () => {
  let dir: string;
  let writer: ExportWriter;
  let n = 0;
  const lines = bill();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dataexport-'));
    writer = await ExportWriter.open();
  });
  afterAll(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function tree(opts: ExportTreeOptions, data = lines) {
    const root = join(dir, `t${++n}`);
    const written = await writer.write(root, data, { filesPerPeriod: 3, ...opts });
    const src: DataExportSourceConfig = { type: 'dataexport', path: root, prefix: written.prefix, exportName: written.exportName };
    return { root, written, src };
  }
  const read = (src: DataExportSourceConfig, window = WINDOW, query = QUERY) => new DataExportBill(src, query).fetch(window, signal);

  it("DE-1, DE-2, DE-3: reads every file of every billing period the window touches, through each month's manifest", async () => {
    const { src } = await tree({ schema: 'cur2' });
    const got = await read(src);
    expect(sorted(got.groups)).toEqual(sorted(expected(lines)));
    expect(got.total).toBe([...expected(lines).values()].reduce((a, b) => a + b, 0n));
    expect(got.source).toContain('2026-10 snapshot exec-current (3 files), 2026-11 snapshot exec-current (3 files)');
  });

  it("DE-3: a file beside the listed ones (an earlier refresh's chunk) is not read", async () => {
    const { root, written, src } = await tree({ schema: 'cur2', file: 'csv' });
    const stale = written.dataFiles.get('2026-10')![0].replace('-00001.', '-00009.');
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(root, ...written.dataFiles.get('2026-10')![0].split('/')), join(root, ...stale.split('/')));
    expect(sorted((await read(src)).groups)).toEqual(sorted(expected(lines)));
  });

  it('DE-4, DE-5: with create-new delivery only the newest snapshot is read; a superseded one is never added', async () => {
    const root = join(dir, `t${++n}`);
    const old = lines.map((l) => ({ ...l, cost: (Number(l.cost) * 0.5).toFixed(7) }));
    await writer.write(root, old, { schema: 'cur2', delivery: 'create-new', filesPerPeriod: 2 }, 'exec-2026-11-09-a');
    touchTree(join(root, 'exports'), new Date('2026-11-09T00:00:00Z'));
    const current = await writer.write(root, lines, { schema: 'cur2', delivery: 'create-new', filesPerPeriod: 3 }, 'exec-2026-11-10-b');
    const got = await read({ type: 'dataexport', path: root, prefix: current.prefix, exportName: current.exportName });
    expect(sorted(got.groups)).toEqual(sorted(expected(lines)));
    expect(got.source).toContain('snapshot exec-2026-11-10-b');
  });

  it('DE-6, DE-17: gzip CSV and Parquet of the same bill give the same amounts, to the pico-dollar', async () => {
    const csv = await read((await tree({ schema: 'cur2', file: 'csv' })).src);
    const parquet = await read((await tree({ schema: 'cur2', file: 'parquet' })).src);
    expect(sorted(csv.groups)).toEqual(sorted(parquet.groups));
    expect(csv.source).toContain('gzip CSV');
    expect(parquet.source).toContain('Parquet');
  });

  it('DE-6: a ZIP archive is named as such', async () => {
    const { root, written, src } = await tree({ schema: 'cur2', file: 'csv', filesPerPeriod: 1 });
    writeFileSync(join(root, ...written.dataFiles.get('2026-11')![0].split('/')), Buffer.from('504b0304000000', 'hex'));
    await expect(read(src)).rejects.toThrow(/is a ZIP archive/);
  });

  it('DE-2: a month of the window without a manifest is an ERROR naming its days, never a partial sum', async () => {
    const { src } = await tree(
      { schema: 'cur2' },
      lines.filter((l) => l.day < '2026-11-01'),
    );
    await expect(read(src)).rejects.toThrow(
      /no manifest for BILLING_PERIOD=2026-11 .*: 2026-11-01\.\.2026-11-10 of the window 2026-10-20\.\.2026-11-10 was not measured/,
    );
  });

  it('DE-3: a file the manifest lists but that is absent is an ERROR naming it and its period', async () => {
    const { root, written, src } = await tree({ schema: 'focus' });
    const gone = written.dataFiles.get('2026-10')![1];
    rmSync(join(root, ...gone.split('/')));
    await expect(read(src)).rejects.toThrow(
      new RegExp(
        `1 data file\\(s\\) listed by the export's manifest are absent: .*${gone.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(billing period 2026-10, 2026-10-20\\.\\.2026-10-31\\)`,
      ),
    );
  });

  it('DE-7: data that ends before the window does is an ERROR naming the days not covered', async () => {
    const { src } = await tree(
      { schema: 'cur2' },
      lines.filter((l) => l.day <= '2026-11-07'),
    );
    await expect(read(src)).rejects.toThrow(/does not cover 2026-11-08\.\.2026-11-10 of the window .*2026-11: 2026-11-01\.\.2026-11-07/);
  });

  it('DE-8, DE-11, DE-15: FOCUS is read through BilledCost, ChargeCategory and Tags, with the same totals as CUR 2.0', async () => {
    const focus = await read((await tree({ schema: 'focus' })).src);
    expect(sorted(focus.groups)).toEqual(sorted(expected(lines)));
    expect(focus.notes.join(' ')).toContain('BilledCost as UnblendedCost');
  });

  it('DE-9: FOCUS AmortizedCost reads EffectiveCost; a metric FOCUS does not have is refused', async () => {
    const { src } = await tree({ schema: 'focus', filesPerPeriod: 1 });
    const amortized = await read(src, WINDOW, { ...QUERY, metric: 'AmortizedCost' });
    expect(amortized.notes.join(' ')).toContain('EffectiveCost as AmortizedCost');
    await expect(read(src, WINDOW, { ...QUERY, metric: 'BlendedCost' })).rejects.toThrow(/FOCUS export, which has no BlendedCost/);
  });

  it('DE-14: linked accounts are matched against FOCUS SubAccountId', async () => {
    const other = lines.map((l, i) => (i % 4 === 0 ? { ...l, account: '222222222222' } : l));
    const { src } = await tree({ schema: 'focus', filesPerPeriod: 1 }, other);
    const query = { ...QUERY, linkedAccounts: ['111111111111'] };
    expect(sorted((await read(src, WINDOW, query)).groups)).toEqual(sorted(expected(other, WINDOW, query)));
  });

  it('DE-15: a FOCUS tag key given as user:<key> is found too', async () => {
    const { src } = await tree({ schema: 'focus', tagKey: 'user:tenant_id', filesPerPeriod: 1 });
    expect(sorted((await read(src)).groups)).toEqual(sorted(expected(lines)));
  });

  it('DE-19: Parquet maps are read across several row groups; an empty map is untagged', async () => {
    // DuckDB's smallest row group is 2,048 rows: 6,100 lines a month make three of them.
    const many = lines.flatMap((l, i) => Array.from({ length: 20 }, (_, k) => ({ ...l, tag: (i + k) % 9 === 0 ? undefined : l.tag, cost: `0.00${k}` })));
    const { src } = await tree({ schema: 'cur2', rowGroupSize: 2048, filesPerPeriod: 1 }, many);
    expect(sorted((await read(src)).groups)).toEqual(sorted(expected(many)));
  });

  it('DE-6: Parquet written with DATA_PAGE_V2 pages and delta encodings reads the same', async () => {
    // Distinct amounts and tags, so that the writer picks delta and byte-stream-split encodings over dictionaries.
    const many = lines.flatMap((l, i) =>
      Array.from({ length: 12 }, (_, k) => ({
        ...l,
        tag: (i + k) % 7 === 0 ? undefined : `${l.tag ?? 'x'}-${i % 500}`,
        cost: ((i * 12 + k) * 0.0001731).toFixed(7),
      })),
    );
    const { src } = await tree({ schema: 'cur2', parquetVersion: 'V2', rowGroupSize: 2048, filesPerPeriod: 1 }, many);
    expect(sorted((await read(src)).groups)).toEqual(sorted(expected(many)));
  });

  it('DE-6: Parquet compressed with GZIP or BROTLI reads the same; ZSTD where the runtime can decompress it, else an ERROR naming the codec', async () => {
    for (const codec of ['gzip', 'brotli'] as const) {
      const { src } = await tree({ schema: 'cur2', codec, filesPerPeriod: 1 });
      expect(sorted((await read(src)).groups)).toEqual(sorted(expected(lines)));
    }
    const { src } = await tree({ schema: 'cur2', codec: 'zstd', filesPerPeriod: 1 });
    if ('zstdDecompressSync' in (await import('node:zlib'))) expect(sorted((await read(src)).groups)).toEqual(sorted(expected(lines)));
    else await expect(read(src)).rejects.toThrow(/row group 1 of 1 cannot be read: parquet unsupported compression codec: ZSTD/);
  });

  it("CUR-13..CUR-16: legacy CUR reads the period manifest's latest assembly, never an earlier one beside it", async () => {
    const root = join(dir, `t${++n}`);
    await writer.write(
      root,
      lines.map((l) => ({ ...l, cost: '99' })),
      { schema: 'legacy', filesPerPeriod: 2 },
      'assembly-old',
    );
    const current = await writer.write(root, lines, { schema: 'legacy', filesPerPeriod: 2 }, 'assembly-new');
    const got = await read({ type: 'dataexport', path: root, prefix: current.prefix, exportName: current.exportName, layout: 'legacy' });
    expect(sorted(got.groups)).toEqual(sorted(expected(lines)));
    expect(got.source).toContain('legacy CUR (gzip CSV), 2026-10 snapshot assembly-new (2 files)');
  });

  it('CUR-5 / DE-13: a bill not entirely in USD is an ERROR', async () => {
    const { src } = await tree(
      { schema: 'cur2', filesPerPeriod: 1 },
      lines.map((l, i) => (i === 200 ? { ...l, currency: 'EUR' } : l)),
    );
    await expect(read(src)).rejects.toThrow(/the export is in USD and EUR/);
  });

  it('a manifest that is not JSON, or lists no files, is an ERROR naming it', async () => {
    const { root, written, src } = await tree({ schema: 'cur2', filesPerPeriod: 1 });
    appendFileSync(join(root, ...written.manifests.get('2026-11')!.split('/')), '}}');
    await expect(read(src)).rejects.toThrow(/Manifest\.json is not a JSON manifest/);
  });

  it('reports what the read cost: requests and bytes', async () => {
    const got = await read((await tree({ schema: 'cur2', filesPerPeriod: 1 })).src);
    expect(got.readCost?.summary).toMatch(/MiB read/);
  });
});
