import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Money } from '../../lambda/checks/cost/money';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { DataExportBill } from '../../lambda/sources/dataexport/bill';
import { setEnv } from '../standins/dynalite';
import { ExportWriter, filesOf, type ExportLine, type WrittenExport } from '../standins/bill-exports';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { startS3, type S3StandIn } from '../standins/s3';

/**
 * The Data Exports reader over S3, as it runs deployed: manifests and data files fetched with
 * GetObject, HeadObject, ranged GETs and ListObjectsV2 (docs/contracts/s3.md S3-5, S3-7, S3-8)
 * from the S3 stand-in, and from moto as a second opinion; the answer is the one the same tree
 * gives from a local copy.
 */
const WINDOW: CostWindow = { from: '2026-10-25', to: '2026-11-04', label: 'test' };
const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const signal = new AbortController().signal;
const sorted = (m: Map<string, Money>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

function lines(scale: number): ExportLine[] {
  const out: ExportLine[] = [];
  for (const [month, days] of [
    ['2026-10', 31],
    ['2026-11', 30],
  ] as const) {
    for (let d = 1; d <= days; d++) {
      const day = `${month}-${String(d).padStart(2, '0')}`;
      ['acme', 'globex'].forEach((tag, t) => out.push({ day, tag, cost: (scale * (d + t) * 0.0101).toFixed(6) }));
      out.push({ day, cost: '0.02' }, { day, tag: 'acme', cost: '0.5', type: 'Tax' });
    }
  }
  return out;
}

describe('Data Exports reader over S3', () => {
  let dir: string;
  let writer: ExportWriter;
  let current: WrittenExport;
  let superseded: WrittenExport;
  let focusCsv: WrittenExport;
  const local = (w: WrittenExport) =>
    new DataExportBill({ type: 'dataexport', path: w.root, prefix: w.prefix, exportName: w.exportName }, QUERY).fetch(WINDOW, signal);
  const remote = (w: WrittenExport, bucket = 'cur-bucket') =>
    new DataExportBill({ type: 'dataexport', bucket, prefix: w.prefix, exportName: w.exportName }, QUERY).fetch(WINDOW, signal);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dataexport-s3-'));
    writer = await ExportWriter.open();
    // One bucket root holding a create-new CUR 2.0 export (two snapshots) and a FOCUS CSV export.
    superseded = await writer.write(
      join(dir, 'bucket'),
      lines(3),
      { schema: 'cur2', exportName: 'cur2-parquet', delivery: 'create-new', filesPerPeriod: 2 },
      'exec-1-old',
    );
    current = await writer.write(
      join(dir, 'bucket'),
      lines(1),
      { schema: 'cur2', exportName: 'cur2-parquet', delivery: 'create-new', filesPerPeriod: 3 },
      'exec-2-new',
    );
    focusCsv = await writer.write(join(dir, 'bucket'), lines(1), { schema: 'focus', file: 'csv', exportName: 'focus-csv', filesPerPeriod: 2 });
  });
  afterAll(() => {
    writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Keys of the older snapshot get an older LastModified, as they would have been written earlier. */
  const older = (key: string) => key.includes('exec-1-old');

  describe('against the S3 stand-in', () => {
    let s3: S3StandIn;
    let restore: () => void;
    beforeAll(async () => {
      s3 = await startS3({ buckets: [{ name: 'cur-bucket' }, { name: 'sealed', canList: false }] });
      for (const [key, path] of filesOf(join(dir, 'bucket'))) {
        s3.put('cur-bucket', key, readFileSync(path), { lastModified: new Date(older(key) ? '2026-11-04T08:00:00Z' : '2026-11-05T08:00:00Z') });
        if (key.startsWith(`${focusCsv.prefix}/${focusCsv.exportName}/`)) s3.put('sealed', key, readFileSync(path));
      }
      restore = setEnv({ AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: 'AKIDS3', AWS_SECRET_ACCESS_KEY: 's3-secret', AWS_REGION: 'us-east-1' });
    });
    afterAll(async () => {
      restore();
      await s3.stop();
    });

    it('reads the newest create-new snapshot (found by listing, S3-8) with ranged GETs (S3-5), as from a local copy', async () => {
      const got = await remote(current);
      expect(sorted(got.groups)).toEqual(sorted((await local(current)).groups));
      expect(got.source).toContain('snapshot exec-2-new (3 files)');
      expect(s3.requests.some((r) => r.line.startsWith('GET /cur-bucket') && r.line.includes('exec-1-old/') && r.line.includes('/data/'))).toBe(false);
      expect(got.readCost!.summary).toMatch(/S3: \d+ GET\/HEAD and 2 LIST request\(s\)/);
      expect(superseded.exportName).toBe(current.exportName);
    });

    it('an emulator addressed as localhost is read path-style (S3-1)', async () => {
      const back = setEnv({ AWS_ENDPOINT_URL_S3: s3.endpoint.replace('127.0.0.1', 'localhost') });
      try {
        expect(sorted((await remote(focusCsv)).groups)).toEqual(sorted((await local(focusCsv)).groups));
      } finally {
        back();
      }
    });

    it('reads a FOCUS gzip CSV export, streamed', async () => {
      expect(sorted((await remote(focusCsv)).groups)).toEqual(sorted((await local(focusCsv)).groups));
    });

    it('a listed file deleted from the bucket is an ERROR naming it (HeadObject 404, S3-7)', async () => {
      const gone = focusCsv.dataFiles.get('2026-11')![1];
      const kept = s3.objects.get(`cur-bucket/${gone}`)!;
      s3.objects.delete(`cur-bucket/${gone}`);
      try {
        await expect(remote(focusCsv)).rejects.toThrow(`s3://cur-bucket/${gone} (billing period 2026-11, 2026-11-01..2026-11-04)`);
      } finally {
        s3.objects.set(`cur-bucket/${gone}`, kept);
      }
    });

    it('without s3:ListBucket a missing file reads as AccessDenied, and the ERROR says why', async () => {
      s3.objects.delete(`sealed/${focusCsv.dataFiles.get('2026-10')![0]}`);
      await expect(remote(focusCsv, 'sealed')).rejects.toThrow(/AccessDenied.*s3:ListBucket is missing/);
    });
  });

  describeWithMoto('against moto (second opinion)', () => {
    let moto: MotoServer;
    let restore: () => void;
    // biome-ignore lint/suspicious/noDuplicateTestHooks: describeWithMoto is a describe of its own
    beforeAll(async () => {
      moto = await startMoto();
      restore = setEnv({ AWS_ENDPOINT_URL_S3: moto.endpoint, AWS_ACCESS_KEY_ID: 'AKIDMOTO', AWS_SECRET_ACCESS_KEY: 'moto-secret', AWS_REGION: 'us-east-1' });
      const client = new S3Client({ region: 'us-east-1' });
      await client.send(new CreateBucketCommand({ Bucket: 'cur-bucket' }));
      const files = filesOf(join(dir, 'bucket'));
      // moto stamps LastModified at upload: the superseded snapshot goes first, a second earlier.
      for (const [key, path] of files.filter(([k]) => older(k)))
        await client.send(new PutObjectCommand({ Bucket: 'cur-bucket', Key: key, Body: readFileSync(path) }));
      await new Promise((r) => setTimeout(r, 1100));
      for (const [key, path] of files.filter(([k]) => !older(k)))
        await client.send(new PutObjectCommand({ Bucket: 'cur-bucket', Key: key, Body: readFileSync(path) }));
      client.destroy();
    });
    // biome-ignore lint/suspicious/noDuplicateTestHooks: describeWithMoto is a describe of its own
    afterAll(async () => {
      restore?.();
      await moto?.stop();
    });

    it('gives the same bill as the local copy: the newest snapshot of a Parquet export, and a FOCUS CSV export', async () => {
      expect(sorted((await remote(current)).groups)).toEqual(sorted((await local(current)).groups));
      expect(sorted((await remote(focusCsv)).groups)).toEqual(sorted((await local(focusCsv)).groups));
    });
  });
});
