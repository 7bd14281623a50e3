import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatDecimal } from '../../lambda/checks/cost/money';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { CurBill } from '../../lambda/sources/cur/bill';
import { setEnv } from '../standins/dynalite';
import { curCsv, type CurLine } from './cur';
import { startS3, type S3StandIn } from './s3';

/**
 * The bill export reader against docs/contracts/cur.md (CUR-n) and, for exports on S3, the S3
 * stand-in (S3-n): files written the way AWS delivers them, read through CurBill.
 */
const dir = mkdtempSync(join(tmpdir(), 'cur-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const never = new AbortController().signal;
const MAY: CostWindow = { from: '2024-05-01', to: '2024-05-31', label: 'test' };
const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const lines: CurLine[] = [
  { day: '2024-05-02', tag: 'acme', cost: '10.5' },
  { day: '2024-05-03', tag: 'globex', cost: '20' },
  { day: '2024-05-04', cost: '1.25' },
  { day: '2024-05-05', tag: 'acme', cost: '-3', type: 'Credit' },
  { day: '2024-05-06', tag: 'acme', cost: '0.8', type: 'Tax' },
  { day: '2024-05-07', tag: 'initech', cost: '4', account: '222222222222' },
];
const read = (path: string, query: Partial<AwsBillQuery> = {}, window = MAY) => new CurBill({ type: 'cur', path }, { ...QUERY, ...query }).fetch(window, never);
const amounts = (groups: Map<string, bigint>) => Object.fromEntries([...groups].map(([k, v]) => [k, formatDecimal(v, 2)]));
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: Error & { remediation?: string }) => e,
  );

describe('bill export reader against the CUR contract', () => {
  it('CUR-1: reads legacy category/Column names and CUR 2.0 snake-case names alike', async () => {
    const legacy = await read(file('legacy.csv', curCsv(lines, { format: 'legacy' })));
    const cur2 = await read(file('cur2.csv', curCsv(lines, { format: 'cur2' })));
    expect(amounts(legacy.groups)).toEqual({ acme: '10.50', globex: '20.00', '': '1.25', initech: '4.00' });
    expect(amounts(cur2.groups)).toEqual(amounts(legacy.groups));
  });

  it('CUR-2: a line counts on the day its usage starts (UTC), both window ends inclusive', async () => {
    const out = await read(file('days.csv', curCsv(lines, { format: 'legacy' })), {}, { from: '2024-05-03', to: '2024-05-04', label: 't' });
    expect(amounts(out.groups)).toEqual({ globex: '20.00', '': '1.25' });
  });

  it('CUR-3: excluded line item types (Credit, Refund, Tax) are left out; [] keeps them', async () => {
    const all = await read(file('types.csv', curCsv(lines, { format: 'legacy' })), { excludeRecordTypes: [] });
    expect(amounts(all.groups).acme).toBe('8.30');
  });

  it('CUR-4: the cost column is read as an exact decimal', async () => {
    const out = await read(
      file(
        'decimals.csv',
        curCsv(
          [
            { day: '2024-05-02', tag: 'acme', cost: '0.0000000001' },
            { day: '2024-05-03', tag: 'acme', cost: '0.1' },
          ],
          { format: 'cur2' },
        ),
      ),
    );
    expect(formatDecimal(out.groups.get('acme')!, 10)).toBe('0.1000000001');
  });

  it('CUR-5: a currency other than USD is refused', async () => {
    const path = file('eur.csv', curCsv([{ day: '2024-05-02', tag: 'acme', cost: '1', currency: 'EUR' }], { format: 'legacy' }));
    expect(await failure(read(path))).toMatchObject({ message: expect.stringMatching(/is in EUR; only a bill entirely in USD/) });
  });

  it('CUR-6: linked accounts filter on the usage account', async () => {
    const out = await read(file('accounts.csv', curCsv(lines, { format: 'cur2' })), { linkedAccounts: ['222222222222'] });
    expect(amounts(out.groups)).toEqual({ initech: '4.00' });
  });

  it('CUR-7: CUR 2.0 keys resource_tags as user_<snake_case key>; legacy CUR as resourceTags/user:<key>', async () => {
    const camel = lines.slice(0, 2);
    const cur2 = await read(file('camel-cur2.csv', curCsv(camel, { format: 'cur2', tagKey: 'TenantId' })), { tagKey: 'TenantId' });
    expect(amounts(cur2.groups)).toEqual({ acme: '10.50', globex: '20.00' });
    const legacy = await read(file('camel-legacy.csv', curCsv(camel, { format: 'legacy', tagKey: 'TenantId' })), { tagKey: 'TenantId' });
    expect(amounts(legacy.groups)).toEqual({ acme: '10.50', globex: '20.00' });
  });

  it('CUR-8: the billing period columns say which days the file covers', async () => {
    const out = await read(file('period.csv', curCsv(lines, { format: 'legacy' })));
    expect(out.notes).toEqual([]);
    const without = await read(file('no-period.csv', curCsv(lines, { format: 'legacy', withoutPeriodColumns: true })));
    expect(without.notes).toEqual([
      'the export has no billing period columns (bill/BillingPeriodStartDate or bill_billing_period_start_date): whether it covers the whole window was not checked',
    ]);
  });

  it('CUR-9: AmortizedCost takes savings-plan covered usage at its effective cost', async () => {
    const header = 'lineItem/UsageStartDate,lineItem/LineItemType,lineItem/UnblendedCost,savingsPlan/SavingsPlanEffectiveCost,resourceTags/user:tenant_id';
    const path = file('sp.csv', `${header}\n2024-05-02T00:00:00Z,SavingsPlanCoveredUsage,10,6.5,acme\n2024-05-02T00:00:00Z,SavingsPlanNegation,-10,,acme\n`);
    expect(amounts((await read(path, { metric: 'AmortizedCost' })).groups)).toEqual({ acme: '6.50' });
  });

  it('CUR-10: gzip is read whatever the name; a ZIP archive is named as such', async () => {
    const gz = await read(file('bill.csv', gzipSync(curCsv(lines, { format: 'cur2' }))));
    expect(amounts(gz.groups).globex).toBe('20.00');
    const zip = file('bill.zip', Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60)]));
    expect(await failure(read(zip))).toMatchObject({ message: `${zip} is a ZIP archive; read the CSV inside it, or export the report with GZIP compression` });
  });

  it('CUR-10: a Parquet file is named as such and pointed to the dataexport source, not read as garbled CSV', async () => {
    const parquet = file('bill.parquet', Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(60), Buffer.from('PAR1')]));
    expect((await failure(read(parquet)))?.message).toMatch(/is a Parquet file, not CSV; read the export with a dataexport source/);
  });

  it('CUR-11: a window reaching outside the billing period in the file is an ERROR naming the days not measured', async () => {
    const path = file('may.csv', curCsv(lines, { format: 'legacy', period: { start: '2024-05-01', end: '2024-06-01' } }));
    const err = await failure(read(path, {}, { from: '2024-05-15', to: '2024-06-13', label: 't' }));
    expect(err).toMatchObject({
      message: `${path} covers the billing period 2024-05-01..2024-05-31; 2024-06-01..2024-06-13 of the window 2024-05-15..2024-06-13 is outside it and was not measured`,
      remediation: expect.stringMatching(/previousMonth/),
    });
    expect(await failure(read(file('header-only.csv', 'lineItem/UsageStartDate,lineItem/UnblendedCost,resourceTags/user:tenant_id\n')))).toMatchObject({
      message: expect.stringMatching(/has a header but no line items/),
    });
  });

  it('CUR-12: columns a legacy report lacks (no line item type, no currency) are not required for UnblendedCost', async () => {
    const path = file('minimal.csv', 'lineItem/UsageStartDate,lineItem/UnblendedCost,resourceTags/user:tenant_id\n2024-05-02T00:00:00Z,5,acme\n');
    expect(amounts((await read(path)).groups)).toEqual({ acme: '5.00' });
  });
});

describe('bill export on S3 against the S3 stand-in', () => {
  let s3: S3StandIn;
  let restore: () => void;
  beforeAll(async () => {
    s3 = await startS3({ buckets: [{ name: 'cur-us' }, { name: 'cur-eu', region: 'eu-west-1' }, { name: 'cur-locked', canList: false }] });
    s3.put('cur-us', 'exports/2024-05.csv.gz', gzipSync(curCsv(lines, { format: 'cur2' })), { contentType: 'text/csv', contentEncoding: 'gzip' });
    s3.put('cur-eu', 'exports/2024-05.csv', curCsv(lines, { format: 'legacy' }));
    restore = setEnv({
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDCUR',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_MAX_ATTEMPTS: '1',
    });
  });
  afterAll(async () => {
    restore();
    await s3.stop();
  });

  it('S3-4: a gzip object stored with Content-Encoding: gzip is gunzipped once', async () => {
    expect(amounts((await read('s3://cur-us/exports/2024-05.csv.gz')).groups).globex).toBe('20.00');
  });

  it("S3-3: a bucket in another Region is read after S3's redirect, without configuring its region", async () => {
    expect(amounts((await read('s3://cur-eu/exports/2024-05.csv')).groups).acme).toBe('10.50');
    expect(s3.requests.slice(-2).map((r) => r.region)).toEqual(['us-east-1', 'eu-west-1']);
  });

  it('S3-2: a missing object is named as not found with s3:ListBucket, and explained without it', async () => {
    expect(await failure(read('s3://cur-us/exports/none.csv'))).toMatchObject({
      message: expect.stringMatching(/^cannot read s3:\/\/cur-us\/exports\/none\.csv: NoSuchKey: .* \(no object at that key\)$/),
    });
    expect(await failure(read('s3://cur-locked/exports/none.csv'))).toMatchObject({
      message: expect.stringMatching(
        /^cannot read s3:\/\/cur-locked\/exports\/none\.csv: AccessDenied: Access Denied \(HTTP 403\) \(s3:GetObject is missing, or the object does not exist and s3:ListBucket is missing/,
      ),
    });
  });
});
