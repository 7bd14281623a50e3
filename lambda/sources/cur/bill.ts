import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { JsonSchema } from '../../core/config/json-schema';
import type { SourceConfig } from '../../core/config/types';
import { parseMoney, type Money } from '../../checks/cost/money';
import { BillSourceError, type ActualBill, type AwsBillQuery, type BillSource } from '../../checks/cost/ports';
import type { CostWindow } from '../../checks/cost/window';
import { openLocation } from './location';

/** `sources.<name>` with `type: cur`: a Cost and Usage Report CSV export of the AWS bill. */
export interface CurSourceConfig extends SourceConfig {
  type: 'cur';
  /** A local path or s3://bucket/key; plain or gzip CSV, legacy CUR or CUR 2.0 columns. */
  path: string;
  /** Region of the S3 bucket (default: the SDK environment). */
  region?: string;
}

export const curSourceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'path'],
  description: 'An AWS Cost and Usage Report CSV (legacy or CUR 2.0; plain or .gz; local path or s3:// URL), streamed.',
  properties: {
    type: { const: 'cur' },
    path: { type: 'string', minLength: 1, description: 'Local path or s3://bucket/key of the CSV (or .csv.gz).' },
    region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d$', description: 'S3 bucket region (default: the SDK environment).' },
  },
};

/** Metrics a CUR line item carries directly; amortized cost needs reservation/savings-plan columns and is not derived here. */
export const CUR_METRICS = ['UnblendedCost', 'NetUnblendedCost', 'BlendedCost'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A csv-parse error (unclosed quote, ragged row) names the file; anything else passes unchanged. */
export function csvError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('CSV_')) return new BillSourceError(`${path} is not a valid CSV file: ${(err as Error).message}`);
  return err;
}

/** Legacy CUR and CUR 2.0 names of the columns read. */
const COLUMNS = {
  day: ['lineItem/UsageStartDate', 'line_item_usage_start_date'],
  type: ['lineItem/LineItemType', 'line_item_line_item_type'],
  currency: ['lineItem/CurrencyCode', 'line_item_currency_code'],
  account: ['lineItem/UsageAccountId', 'line_item_usage_account_id'],
  UnblendedCost: ['lineItem/UnblendedCost', 'line_item_unblended_cost'],
  NetUnblendedCost: ['lineItem/NetUnblendedCost', 'line_item_net_unblended_cost'],
  BlendedCost: ['lineItem/BlendedCost', 'line_item_blended_cost'],
};

/**
 * The actual AWS bill from a Cost and Usage Report export, streamed through csv-parse (never the
 * whole file in memory): line items whose usage starts inside the window, summed per tag value.
 * The tag comes from `resourceTags/user:<key>` (legacy), `resource_tags_user_<key>`, or the CUR 2.0
 * `resource_tags` JSON map (`user_<key>`).
 */
export class CurBill implements BillSource {
  readonly provider = 'aws' as const;

  constructor(private readonly src: CurSourceConfig, private readonly query: AwsBillQuery) {}

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const q = this.query;
    if (!(CUR_METRICS as readonly string[]).includes(q.metric)) {
      throw new BillSourceError(`a CUR export cannot give ${q.metric} directly (supported: ${CUR_METRICS.join(', ')})`);
    }
    const stream = await openLocation(this.src.path, { region: this.src.region, signal });
    const parser = parse({ bom: true, skip_empty_lines: true, relax_quotes: true });
    // pipe() does not forward a read error (a truncated gzip): the parse would end early and read as a smaller bill.
    pipeline(stream, parser, () => undefined);
    const groups = new Map<string, Money>();
    const currencies = new Set<string>();
    const excluded = new Set(q.excludeRecordTypes);
    const accounts = q.linkedAccounts?.length ? new Set(q.linkedAccounts) : undefined;
    let header: string[] | undefined;
    let col!: { day: number; type: number; currency: number; account: number; cost: number; tag: number; tagMap: number };
    let rows = 0;
    let inWindow = 0;
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (!header) {
          header = record;
          col = this.columns(header);
          continue;
        }
        rows++;
        const day = (record[col.day] ?? '').slice(0, 10);
        if (!DAY.test(day)) {
          throw new BillSourceError(`${this.src.path}: line ${rows + 1}: ${header[col.day]} is not a date (${JSON.stringify((record[col.day] ?? '').slice(0, 30))})`);
        }
        if (day < window.from || day > window.to) continue;
        if (col.type >= 0 && excluded.has(record[col.type])) continue;
        if (accounts && col.account >= 0 && !accounts.has(record[col.account])) continue;
        inWindow++;
        const text = record[col.cost];
        if (text === undefined || text === '') continue;
        let amount: Money;
        try {
          amount = parseMoney(text);
        } catch {
          throw new BillSourceError(`${this.src.path}: line ${rows + 1}: ${header[col.cost]} is not a number (${JSON.stringify(text.slice(0, 30))})`);
        }
        if (col.currency >= 0) currencies.add(record[col.currency] || 'USD');
        const tag = this.tagOf(record, col);
        groups.set(tag, (groups.get(tag) ?? 0n) + amount);
      }
    } catch (err) {
      throw csvError(this.src.path, err);
    } finally {
      stream.destroy();
    }
    if (!header) throw new BillSourceError(`${this.src.path} is empty`);
    if ([...currencies].some((c) => c !== 'USD')) {
      throw new BillSourceError(`the bill export is in ${[...currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`);
    }
    return {
      source: `bill export ${this.src.path} (${q.metric} by tag ${q.tagKey}; ${inWindow} of ${rows} line items in the window${excluded.size ? `; ${[...excluded].join(', ')} excluded` : ''})`,
      groups,
      estimated: [],
      notes: [],
    };
  }

  private columns(header: string[]) {
    const find = (names: readonly string[]) => header.findIndex((h) => names.includes(h.trim()));
    const key = this.query.tagKey;
    const cost = find(COLUMNS[this.query.metric as (typeof CUR_METRICS)[number]]);
    const day = find(COLUMNS.day);
    const tag = find([`resourceTags/user:${key}`, `resource_tags_user_${key}`]);
    const tagMap = find(['resource_tags']);
    const missing = [
      day < 0 ? COLUMNS.day.join(' or ') : '',
      cost < 0 ? COLUMNS[this.query.metric as (typeof CUR_METRICS)[number]].join(' or ') : '',
      tag < 0 && tagMap < 0 ? `resourceTags/user:${key} or resource_tags` : '',
    ].filter(Boolean);
    if (missing.length) {
      throw new BillSourceError(
        `${this.src.path} is not a Cost and Usage Report with the needed columns: missing ${missing.join('; ')}`,
        tag < 0 && tagMap < 0 && day >= 0 && cost >= 0
          ? `Activate '${key}' as a cost allocation tag and include resource tags in the report (it then appears as resourceTags/user:${key}).`
          : undefined,
      );
    }
    return { day, cost, tag, tagMap, type: find(COLUMNS.type), currency: find(COLUMNS.currency), account: find(COLUMNS.account) };
  }

  private tagOf(record: string[], col: { tag: number; tagMap: number }): string {
    if (col.tag >= 0) return record[col.tag] ?? '';
    const text = record[col.tagMap];
    if (!text) return '';
    let map: Record<string, unknown>;
    try {
      map = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return '';
    }
    const key = this.query.tagKey;
    const value = map[`user_${key}`] ?? map[`user:${key}`] ?? map[key];
    return typeof value === 'string' ? value : '';
  }
}
