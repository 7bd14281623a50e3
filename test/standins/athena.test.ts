import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { parseMoney, type Money } from '../../lambda/checks/cost/money';
import type { AwsBillQuery } from '../../lambda/checks/cost/ports';
import type { CostWindow } from '../../lambda/checks/cost/window';
import { AthenaBill, athenaQueryCost } from '../../lambda/sources/athena/bill';
import type { AthenaSourceConfig } from '../../lambda/sources/athena/schema';
import { DataExportBill } from '../../lambda/sources/dataexport/bill';
import { setEnv } from '../standins/dynalite';
import { ExportWriter, type ExportLine, type WrittenExport } from '../standins/bill-exports';
import { startAthena, type AthenaStandIn, type AthenaStandInOptions } from './athena';

/**
 * The Athena stand-in and the athena source against docs/contracts/athena.md, one test per rule,
 * through the real @aws-sdk/client-athena; the query runs on DuckDB over export files written as
 * AWS delivers them, so its answer is checked against the direct export reader on the same files.
 */
const WINDOW: CostWindow = { from: '2026-10-20', to: '2026-11-10', label: 'test' };
const QUERY: AwsBillQuery = { tagKey: 'tenant_id', metric: 'UnblendedCost', excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
const OUTPUT = 's3://athena-results/bill/';
const signal = new AbortController().signal;

function lines(tenants: number): ExportLine[] {
  const out: ExportLine[] = [];
  for (const month of ['2026-10', '2026-11']) {
    for (let d = 1; d <= (month === '2026-10' ? 31 : 30); d++) {
      const day = `${month}-${String(d).padStart(2, '0')}`;
      for (let t = 0; t < tenants; t++)
        out.push({ day, tag: `tenant-${String(t).padStart(4, '0')}`, cost: (((d * 7 + t * 13) % 97) / 100 + 0.0123456).toFixed(7) });
      out.push({ day, cost: '0.05' }, { day, tag: 'tenant-0000', cost: '0.3', type: 'Tax' });
    }
  }
  return out;
}

describe('Athena stand-in and source (docs/contracts/athena.md)', () => {
  let dir: string;
  let writer: ExportWriter;
  let cur2: WrittenExport;
  let focus: WrittenExport;
  let short: WrittenExport;
  let many: WrittenExport;
  let athena: AthenaStandIn | undefined;
  let restore: () => void;
  const small = lines(3);

  const glob = (w: WrittenExport) => [join(w.root, w.prefix, w.exportName, 'data', 'BILLING_PERIOD=*', '*.parquet')];
  async function start(opts: Partial<AthenaStandInOptions> = {}): Promise<AthenaStandIn> {
    await athena?.stop();
    athena = await startAthena({
      tables: [
        { database: 'cid_data_export', table: 'cur2', files: glob(cur2) },
        { database: 'cid_data_export', table: 'focus', files: glob(focus) },
        { database: 'short', table: 'cur2', files: glob(short) },
        { database: 'many', table: 'cur2', files: glob(many) },
      ],
      workGroups: [{ name: 'primary' }, { name: 'finops', outputLocation: OUTPUT }],
      ...opts,
    });
    process.env.AWS_ENDPOINT_URL_ATHENA = athena.endpoint;
    return athena;
  }
  const source = (extra: Partial<AthenaSourceConfig> = {}): AthenaSourceConfig => ({ type: 'athena', outputLocation: OUTPUT, maxAttempts: 1, ...extra });
  const fetch = (extra: Partial<AthenaSourceConfig> = {}, query = QUERY, deadline?: number) =>
    new AthenaBill(source(extra), query, deadline).fetch(WINDOW, signal);
  const direct = (w: WrittenExport, query = QUERY) =>
    new DataExportBill({ type: 'dataexport', path: w.root, prefix: w.prefix, exportName: w.exportName }, query).fetch(WINDOW, signal);
  const sorted = (m: Map<string, Money>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  const client = () => new AthenaClient({ region: 'us-east-1', maxAttempts: 1 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'athena-'));
    writer = await ExportWriter.open();
    cur2 = await writer.write(join(dir, 'cur2'), small, { schema: 'cur2', filesPerPeriod: 2 });
    focus = await writer.write(join(dir, 'focus'), small, { schema: 'focus', filesPerPeriod: 2 });
    short = await writer.write(
      join(dir, 'short'),
      small.filter((l) => l.day <= '2026-11-06'),
      { schema: 'cur2' },
    );
    many = await writer.write(
      join(dir, 'many'),
      lines(1200).filter((l) => l.day >= '2026-10-28' && l.day <= '2026-11-12'),
      { schema: 'cur2' },
    );
    restore = setEnv({ AWS_ACCESS_KEY_ID: 'AKIDATHENA', AWS_SECRET_ACCESS_KEY: 'athena-secret', AWS_REGION: 'eu-west-1' });
    await start();
  });
  afterAll(async () => {
    await athena?.stop();
    writer.close();
    restore();
    delete process.env.AWS_ENDPOINT_URL_ATHENA;
    rmSync(dir, { recursive: true, force: true });
  });

  it('AT-1: the SDK speaks AWS JSON 1.1 to AmazonAthena.<Operation>; an unsigned request is refused', async () => {
    await fetch();
    expect(athena!.requests.map((r) => r.operation)).toEqual(expect.arrayContaining(['StartQueryExecution', 'GetQueryExecution', 'GetQueryResults']));
    const res = await globalThis.fetch(athena!.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AmazonAthena.GetQueryExecution', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toMatch(/UnrecognizedClientException/);
  });

  it('AT-2: QueryString is at most 262144 characters; the same ClientRequestToken returns the same execution', async () => {
    const c = client();
    await expect(
      c.send(new StartQueryExecutionCommand({ QueryString: 'x'.repeat(262145), ResultConfiguration: { OutputLocation: OUTPUT } })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
    const token = 'a'.repeat(32);
    const first = await c.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: OUTPUT } }),
    );
    const again = await c.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1', ClientRequestToken: token, ResultConfiguration: { OutputLocation: OUTPUT } }),
    );
    expect(again.QueryExecutionId).toBe(first.QueryExecutionId);
    c.destroy();
  });

  it("AT-3: without an output location (request or workgroup) the query is refused; the workgroup's own location is enough", async () => {
    await expect(fetch({ outputLocation: undefined })).rejects.toThrow(/Athena refused StartQueryExecution: No output location provided/);
    await expect(fetch({ outputLocation: undefined, workGroup: 'finops' })).resolves.toBeDefined();
    await expect(fetch({ workGroup: 'nope' })).rejects.toThrow(/WorkGroup nope is not found/);
  });

  it('AT-4, AT-5: the source polls through QUEUED and RUNNING until SUCCEEDED', async () => {
    await start({ queuedPolls: 2, runningPolls: 2 });
    const got = await fetch();
    expect(athena!.requests.filter((r) => r.operation === 'GetQueryExecution')).toHaveLength(5);
    expect(got.readCost?.summary).toMatch(/5 status check\(s\), 1 result page\(s\)/);
    await start();
  });

  it('AT-6: a FAILED query is an ERROR with its reason and category', async () => {
    await start({ failWith: { reason: "TABLE_NOT_FOUND: line 10:8: Table 'awsdatacatalog.cid_data_export.cur2' does not exist", category: 2, type: 1301 } });
    await expect(fetch()).rejects.toThrow(/Athena query .* failed \(user error 1301\): TABLE_NOT_FOUND/);
    await start();
  });

  it('AT-7: results only for a finished query, at most 1000 rows a page; every page is read', async () => {
    const c = client();
    const { QueryExecutionId } = await c.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS x', ResultConfiguration: { OutputLocation: OUTPUT } }),
    );
    await expect(c.send(new GetQueryResultsCommand({ QueryExecutionId }))).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringMatching(/not yet finished/),
    });
    c.destroy();
    const got = await fetch({ database: 'many' });
    expect(got.groups.size).toBe(1201);
    expect(got.readCost?.summary).toMatch(/2 result page\(s\)/);
    expect(sorted(got.groups)).toEqual(sorted((await direct(many)).groups));
  });

  it("AT-8: the first row of a SELECT's results is the header, with ColumnInfo types; MaxResults above 1000 is refused", async () => {
    const c = client();
    const { QueryExecutionId } = await c.send(
      new StartQueryExecutionCommand({ QueryString: 'SELECT 1 AS x', ResultConfiguration: { OutputLocation: OUTPUT } }),
    );
    for (let i = 0; i < 3; i++) await c.send(new (await import('@aws-sdk/client-athena')).GetQueryExecutionCommand({ QueryExecutionId }));
    const page = await c.send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 10 }));
    expect(page.ResultSet!.Rows![0].Data![0].VarCharValue).toBe('x');
    expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo![0]).toMatchObject({ Name: 'x', Type: 'integer' });
    await expect(c.send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 1001 }))).rejects.toMatchObject({ name: 'InvalidRequestException' });
    c.destroy();
  });

  it("AT-9: a query still running at the gate's deadline is stopped, and the ERROR says so", async () => {
    await start({ neverFinish: true });
    await expect(fetch({}, QUERY, Date.now() + 2500)).rejects.toThrow(/was still RUNNING at the gate's deadline .* it was stopped/);
    expect(athena!.requests.at(-1)!.operation).toBe('StopQueryExecution');
    await start();
  });

  it('AT-11: TooManyRequestsException is retried by the SDK; once the attempts are spent it is an ERROR naming throttling', async () => {
    await start({ throttleStarts: 1 });
    await expect(fetch({ maxAttempts: 3 })).resolves.toBeDefined();
    await start({ throttleStarts: 5 });
    await expect(fetch({ maxAttempts: 1 })).rejects.toThrow(
      /Athena throttled StartQueryExecution \(TooManyRequestsException: CONCURRENT_QUERY_LIMIT_EXCEEDED\)/,
    );
    await start();
  });

  it("AT-12: the run's cost comes from DataScannedInBytes at $5 per TB, 10 MB minimum", async () => {
    expect(athenaQueryCost(0)).toEqual({ billedMb: 10, cost: athenaQueryCost(10 * 1_048_576).cost });
    expect(athenaQueryCost(2 ** 40).cost).toBe(parseMoney('5'));
    const got = await fetch();
    const scanned = got.readCost!.measurements.find((m) => m.name === 'athenaScannedBytes')!.value;
    expect(scanned).toBeGreaterThan(0);
    expect(got.readCost!.cost).toBe(athenaQueryCost(scanned).cost);
  });

  it('the query: CUR 2.0 and FOCUS tables give, per tenant and in total, what the export reader reads from the same files', async () => {
    for (const [format, w] of [
      ['cur2', cur2],
      ['focus', focus],
    ] as const) {
      const viaAthena = await fetch({ format });
      const viaExport = await direct(w);
      expect(sorted(viaAthena.groups)).toEqual(sorted(viaExport.groups));
      expect(viaAthena.total).toBe(viaExport.total);
    }
  });

  it('the query: data ending before the window does is an ERROR naming the days, never a smaller bill', async () => {
    await expect(fetch({ database: 'short' })).rejects.toThrow(/short\.cur2 has no line items for 2026-11-07\.\.2026-11-10 of the window/);
  });

  it('the query: a metric the table cannot give is refused before anything is sent', async () => {
    const before = athena!.requests.length;
    await expect(fetch({}, { ...QUERY, metric: 'AmortizedCost' })).rejects.toThrow(/cannot give AmortizedCost from a CUR 2.0 table/);
    expect(athena!.requests.length).toBe(before);
  });
});
