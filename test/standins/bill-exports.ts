import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Writes bill exports laid out exactly as AWS delivers them (docs/contracts/dataexports.md and
 * cur.md CUR-13..16), from line items given here: Data Exports CUR 2.0 or FOCUS 1.2 (Parquet
 * through DuckDB, or gzip CSV) with one manifest per BILLING_PERIOD, or legacy CUR (gzip CSV) with
 * assembly manifests. Used by the tests, the Athena stand-in and the benchmark alike.
 */
export interface ExportLine {
  /** Usage start day, YYYY-MM-DD. */
  day: string;
  /** Tag value; undefined leaves the line untagged. */
  tag?: string;
  /** Decimal text. */
  cost: string;
  /** CUR line item type (FOCUS ChargeCategory is derived: Usage, Tax, Credit). Default Usage. */
  type?: string;
  /** Default 111111111111. */
  account?: string;
  /** Default USD. */
  currency?: string;
}

export type ExportSchema = 'cur2' | 'focus' | 'legacy';

export interface ExportTreeOptions {
  schema: ExportSchema;
  /** Default parquet (legacy CUR: always gzip CSV). */
  file?: 'parquet' | 'csv';
  bucket?: string;
  prefix?: string;
  exportName?: string;
  /** The cost allocation tag key as tagged on resources. Default tenant_id. */
  tagKey?: string;
  /** Data files per billing period. Default 1. */
  filesPerPeriod?: number;
  /** Data Exports delivery preference (DE-5). Default overwrite. */
  delivery?: 'overwrite' | 'create-new';
  /** Parquet row group size. Default DuckDB's (122,880 rows). */
  rowGroupSize?: number;
  /** V2 writes DATA_PAGE_V2 pages with delta encodings (as newer writers do). Default V1. */
  parquetVersion?: 'V1' | 'V2';
  /** Parquet compression codec. Default snappy. */
  codec?: 'snappy' | 'gzip' | 'brotli' | 'zstd';
}

export interface WrittenExport {
  root: string;
  bucket: string;
  prefix: string;
  exportName: string;
  /** Every object written, as bucket keys. */
  keys: string[];
  /** Manifest key per month. */
  manifests: Map<string, string>;
  /** Data file keys per month. */
  dataFiles: Map<string, string[]>;
}

const monthOf = (day: string) => day.slice(0, 7);
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 7);
}
const sql = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** CUR 2.0 / Athena snake case of a tag key (CUR-7). */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** The SELECT that turns the staged line items into the schema's columns (DE-8..DE-19, CUR-1..CUR-8). */
function projection(schema: ExportSchema, tagKey: string, month: string, csv: boolean): string {
  const start = `TIMESTAMP '${month}-01 00:00:00'`;
  const end = `TIMESTAMP '${nextMonth(month)}-01 00:00:00'`;
  const ts = (e: string) => (csv ? `strftime(${e}, '%Y-%m-%dT%H:%M:%SZ')` : e);
  const mapOf = (key: string) => `CASE WHEN tag IS NULL THEN MAP {}::MAP(VARCHAR, VARCHAR) ELSE MAP {${sql(key)}: tag, 'user_environment': 'prod'} END`;
  const map = (key: string) => (csv ? `to_json(${mapOf(key)})` : mapOf(key));
  const usage = `CAST(day AS TIMESTAMP) + INTERVAL ((rn % 24)) HOUR`;
  if (schema === 'focus') {
    // FOCUS timestamps are timestamp_milliseconds (DE-10, DE-12): Parquet TIMESTAMP(MILLIS).
    const ms = (e: string) => (csv ? ts(e) : `CAST(${e} AS TIMESTAMP_MS)`);
    return `SELECT ${ms(start)} AS BillingPeriodStart, ${ms(end)} AS BillingPeriodEnd,
      ${ms(usage)} AS ChargePeriodStart, ${ms(`${usage} + INTERVAL 1 HOUR`)} AS ChargePeriodEnd,
      CASE type WHEN 'Usage' THEN 'Usage' WHEN 'Tax' THEN 'Tax' WHEN 'Credit' THEN 'Credit' WHEN 'Refund' THEN 'Credit' ELSE 'Adjustment' END AS ChargeCategory,
      'Regular' AS ChargeClass, CAST(cost AS DOUBLE) AS BilledCost, CAST(cost AS DOUBLE) AS EffectiveCost, CAST(cost AS DOUBLE) AS ListCost,
      currency AS BillingCurrency, '999999999999' AS BillingAccountId, account AS SubAccountId,
      'Amazon Elastic Compute Cloud' AS ServiceName, 'AmazonEC2' AS x_ServiceCode, 'BoxUsage:m7g.large' AS x_UsageType,
      ${map(tagKey)} AS Tags
      FROM staged WHERE substr(day, 1, 7) = ${sql(month)}`;
  }
  if (schema === 'cur2') {
    return `SELECT '999999999999' AS bill_payer_account_id, ${ts(start)} AS bill_billing_period_start_date, ${ts(end)} AS bill_billing_period_end_date,
      account AS line_item_usage_account_id, type AS line_item_line_item_type,
      ${ts(usage)} AS line_item_usage_start_date, ${ts(`${usage} + INTERVAL 1 HOUR`)} AS line_item_usage_end_date,
      'AmazonEC2' AS line_item_product_code, currency AS line_item_currency_code,
      CAST(cost AS DOUBLE) AS line_item_unblended_cost, CAST(cost AS DOUBLE) AS line_item_net_unblended_cost, CAST(cost AS DOUBLE) AS line_item_blended_cost,
      ${map(`user_${snakeCase(tagKey)}`)} AS resource_tags
      FROM staged WHERE substr(day, 1, 7) = ${sql(month)}`;
  }
  return `SELECT strftime(${start}, '%Y-%m-%dT%H:%M:%SZ') AS "bill/BillingPeriodStartDate", strftime(${end}, '%Y-%m-%dT%H:%M:%SZ') AS "bill/BillingPeriodEndDate",
    account AS "lineItem/UsageAccountId", type AS "lineItem/LineItemType",
    strftime(${usage}, '%Y-%m-%dT%H:%M:%SZ') AS "lineItem/UsageStartDate", currency AS "lineItem/CurrencyCode",
    cost AS "lineItem/UnblendedCost", 'AmazonEC2' AS "lineItem/ProductCode", coalesce(tag, '') AS "resourceTags/user:${tagKey}"
    FROM staged WHERE substr(day, 1, 7) = ${sql(month)}`;
}

/** DuckDB for writing exports; one per writer, closed with it. */
export class ExportWriter {
  private constructor(
    private readonly db: DuckDBInstance,
    private readonly con: DuckDBConnection,
  ) {}

  static async open(): Promise<ExportWriter> {
    const db = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new ExportWriter(db, await db.connect());
  }

  close(): void {
    this.con.closeSync();
    this.db.closeSync();
  }

  /** Writes `lines` as an export under `root` (a local copy of the bucket) and returns what it wrote. */
  async write(root: string, lines: ExportLine[], opts: ExportTreeOptions, snapshot = 'exec-current'): Promise<WrittenExport> {
    const schema = opts.schema;
    const csv = schema === 'legacy' || opts.file === 'csv';
    const bucket = opts.bucket ?? 'cur-bucket';
    const prefix = opts.prefix ?? 'exports';
    const name = opts.exportName ?? 'acme-bill';
    const tagKey = opts.tagKey ?? 'tenant_id';
    const parts = opts.filesPerPeriod ?? 1;
    const createNew = opts.delivery === 'create-new';
    const stagedCsv = join(root, `.staged-${snapshot}.csv`);
    mkdirSync(root, { recursive: true });
    writeFileSync(
      stagedCsv,
      'rn,day,tag,cost,type,account,currency\n' +
        lines
          .map((l, i) =>
            [i, l.day, l.tag === undefined ? '' : JSON.stringify(l.tag), l.cost, l.type ?? 'Usage', l.account ?? '111111111111', l.currency ?? 'USD'].join(','),
          )
          .join('\n') +
        '\n',
    );
    await this.con.run(`CREATE OR REPLACE TABLE staged AS SELECT rn, day, NULLIF(tag, '') AS tag, cost, type, account, currency
      FROM read_csv(${sql(stagedCsv)}, header = true, columns = {'rn': 'BIGINT', 'day': 'VARCHAR', 'tag': 'VARCHAR', 'cost': 'VARCHAR', 'type': 'VARCHAR', 'account': 'VARCHAR', 'currency': 'VARCHAR'})`);
    const months = [...new Set(lines.map((l) => monthOf(l.day)))].sort();
    const base = `${prefix ? `${prefix}/` : ''}${name}`;
    const out: WrittenExport = { root, bucket, prefix, exportName: name, keys: [], manifests: new Map(), dataFiles: new Map() };
    for (const month of months) {
      const files: string[] = [];
      const ext = csv ? 'csv.gz' : 'snappy.parquet';
      const folder =
        schema === 'legacy'
          ? `${base}/${month.replace('-', '')}01-${nextMonth(month).replace('-', '')}01/${snapshot}`
          : `${base}/data/BILLING_PERIOD=${month}${createNew ? `/${snapshot}` : ''}`;
      for (let k = 0; k < parts; k++) {
        const key = schema === 'legacy' ? `${folder}/${name}-${k + 1}.${ext}` : `${folder}/${name}-${String(k + 1).padStart(5, '0')}.${ext}`;
        const path = join(root, ...key.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        const select = `SELECT * EXCLUDE (rn__) FROM (SELECT *, row_number() OVER () - 1 AS rn__ FROM (${projection(schema, tagKey, month, csv)})) WHERE rn__ % ${parts} = ${k}`;
        const format = csv
          ? `FORMAT csv, HEADER true, COMPRESSION gzip`
          : `FORMAT parquet, COMPRESSION ${opts.codec ?? 'snappy'}${opts.rowGroupSize ? `, ROW_GROUP_SIZE ${opts.rowGroupSize}` : ''}${opts.parquetVersion ? `, PARQUET_VERSION ${opts.parquetVersion}` : ''}`;
        await this.con.run(`COPY (${select}) TO ${sql(path)} (${format})`);
        files.push(key);
      }
      out.dataFiles.set(month, files);
      out.keys.push(...files);
      const period = { start: `${month}-01T00:00:00.000Z`, end: `${nextMonth(month)}-01T00:00:00.000Z` };
      let manifestKey: string;
      let manifest: unknown;
      if (schema === 'legacy') {
        const folderOfPeriod = folder.slice(0, folder.lastIndexOf('/'));
        manifestKey = `${folderOfPeriod}/${name}-Manifest.json`;
        const compact = (iso: string) => `${iso.slice(0, 10).replace(/-/g, '')}T000000.000Z`;
        manifest = {
          assemblyId: snapshot,
          account: '999999999999',
          reportId: `report-${name}`,
          reportName: name,
          bucket,
          compression: 'GZIP',
          contentType: 'text/csv',
          billingPeriod: { start: compact(period.start), end: compact(period.end) },
          reportKeys: files,
          columns: [{ category: 'lineItem', name: 'UnblendedCost' }],
        };
        // CUR-14: the assembly folder keeps its own copy too.
        const copy = `${folder}/${name}-Manifest.json`;
        writeJson(root, copy, manifest);
        out.keys.push(copy);
      } else {
        manifestKey = `${base}/metadata/BILLING_PERIOD=${month}${createNew ? `/${snapshot}` : ''}/${name}-Manifest.json`;
        manifest = {
          executionId: snapshot,
          exportArn: `arn:aws:bcm-data-exports:us-east-1:999999999999:export/${name}-0123`,
          billingPeriod: period,
          columns: [],
          dataFiles: files.map((f) => `s3://${bucket}/${f}`),
          additionalOutputFiles: [],
        };
      }
      writeJson(root, manifestKey, manifest);
      out.manifests.set(month, manifestKey);
      out.keys.push(manifestKey);
    }
    return out;
  }
}

function writeJson(root: string, key: string, doc: unknown): void {
  const path = join(root, ...key.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

/** Sets the modification time of every file under `dir` (a superseded snapshot is older). */
export function touchTree(dir: string, when: Date): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) touchTree(path, when);
    else utimesSync(path, when, when);
  }
}

/** Every file under `root` as [bucket key, path], skipping the staging files. */
export function filesOf(root: string): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (!entry.startsWith('.staged-')) out.push([relative(root, path).split(sep).join('/'), path]);
    }
  };
  walk(root);
  return out;
}
