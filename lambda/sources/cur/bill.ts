import { SourceError } from '../../core/errors';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { parseMoney, type Money } from '../../checks/cost/money';
import type { ActualBill, AwsBillQuery, BillSource } from '../../checks/cost/ports';
import { addDays, exclusiveEnd, uncoveredDays, type CostWindow } from '../../checks/cost/window';
import { openLocation } from './location';
export { CUR_METRICS, curSourceSchema, snakeCaseTagKey, type CurSourceConfig } from './schema';
import { CUR_METRICS, snakeCaseTagKey, type CurSourceConfig } from './schema';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A csv-parse error (unclosed quote, ragged row) names the file; anything else passes unchanged. */
/** No CSV line of a bill or a ledger is longer: a file without line breaks (binary, zeros) is refused at this size. */
export const MAX_CSV_RECORD_BYTES = 2 ** 20;

export function csvError(path: string, err: unknown): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code.startsWith('CSV_')) return new SourceError('malformed', `${path} is not a valid CSV file: ${(err as Error).message}`);
  return err;
}

/** Legacy CUR and CUR 2.0 names of the columns read (docs/contracts/cur.md). */
export const COLUMNS = {
  periodStart: ['bill/BillingPeriodStartDate', 'bill_billing_period_start_date'],
  periodEnd: ['bill/BillingPeriodEndDate', 'bill_billing_period_end_date'],
  day: ['lineItem/UsageStartDate', 'line_item_usage_start_date'],
  type: ['lineItem/LineItemType', 'line_item_line_item_type'],
  currency: ['lineItem/CurrencyCode', 'line_item_currency_code'],
  account: ['lineItem/UsageAccountId', 'line_item_usage_account_id'],
  UnblendedCost: ['lineItem/UnblendedCost', 'line_item_unblended_cost'],
  NetUnblendedCost: ['lineItem/NetUnblendedCost', 'line_item_net_unblended_cost'],
  BlendedCost: ['lineItem/BlendedCost', 'line_item_blended_cost'],
  AmortizedCost: ['lineItem/UnblendedCost', 'line_item_unblended_cost'],
};

/** The columns amortized cost is read from, by the line item types that need them. */
export const AMORTIZED = {
  spEffective: ['savingsPlan/SavingsPlanEffectiveCost', 'savings_plan_savings_plan_effective_cost'],
  spCommitment: ['savingsPlan/TotalCommitmentToDate', 'savings_plan_total_commitment_to_date'],
  spUsed: ['savingsPlan/UsedCommitment', 'savings_plan_used_commitment'],
  riEffective: ['reservation/EffectiveCost', 'reservation_effective_cost'],
  riUnusedUpfront: ['reservation/UnusedAmortizedUpfrontFeeForBillingPeriod', 'reservation_unused_amortized_upfront_fee_for_billing_period'],
  riUnusedRecurring: ['reservation/UnusedRecurringFee', 'reservation_unused_recurring_fee'],
  riArn: ['reservation/ReservationARN', 'reservation_reservation_a_r_n'],
} as const;
export type AmortizedColumn = keyof typeof AMORTIZED;

/**
 * Amortized cost of one line, as Cost Explorer computes it: usage covered by a savings plan or a
 * reservation costs its effective cost; the plan's recurring fee counts only its unused commitment,
 * the reservation's fee only its unused part; negations and upfront fees (spread over the covered
 * usage) count nothing; every other line its unblended cost.
 */
export function amortizedTerms(type: string, hasReservation: boolean): { add: AmortizedColumn[]; subtract?: AmortizedColumn } | 'zero' | 'unblended' {
  switch (type) {
    case 'SavingsPlanCoveredUsage':
      return { add: ['spEffective'] };
    case 'SavingsPlanRecurringFee':
      return { add: ['spCommitment'], subtract: 'spUsed' };
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return 'zero';
    case 'DiscountedUsage':
      return { add: ['riEffective'] };
    case 'RIFee':
      return { add: ['riUnusedUpfront', 'riUnusedRecurring'] };
    case 'Fee':
      return hasReservation ? 'zero' : 'unblended';
    default:
      return 'unblended';
  }
}

/**
 * The days [first, after) one billing period covers, from its start and end timestamps (CUR-8):
 * the end is the first instant of the next period, so an end at midnight is exclusive.
 */
function periodDays(start: string, end: string): [string, string] | undefined {
  const first = start.slice(0, 10);
  const last = end.slice(0, 10);
  if (!DAY.test(first) || !DAY.test(last)) return undefined;
  const midnight = !/[1-9]/.test(end.slice(10));
  return [first, midnight ? last : addDays(last, 1)];
}

/**
 * The actual AWS bill from a Cost and Usage Report export, streamed through csv-parse (never the
 * whole file in memory): line items whose usage starts inside the window, summed per tag value.
 * The tag comes from `resourceTags/user:<key>` (legacy), `resource_tags_user_<key>`, or the CUR 2.0
 * `resource_tags` JSON map (`user_<key>` in snake case). When the export carries its billing period,
 * the window must lie inside it: days outside are not measured, so they are an ERROR.
 */
export class CurBill implements BillSource {
  readonly provider = 'aws' as const;

  constructor(
    private readonly src: CurSourceConfig,
    private readonly query: AwsBillQuery,
  ) {}

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const q = this.query;
    if (!(CUR_METRICS as readonly string[]).includes(q.metric)) {
      throw new SourceError('malformed', `a CUR export cannot give ${q.metric} directly (supported: ${CUR_METRICS.join(', ')})`);
    }
    const stream = await openLocation(this.src.path, { region: this.src.region, signal });
    const parser = parse({ bom: true, skip_empty_lines: true, relax_quotes: true, max_record_size: MAX_CSV_RECORD_BYTES });
    // pipe() does not forward a read error (a truncated gzip): the parse would end early and read as a smaller bill.
    pipeline(stream, parser, () => undefined);
    const groups = new Map<string, Money>();
    const currencies = new Set<string>();
    const excluded = new Set(q.excludeRecordTypes);
    const accounts = q.linkedAccounts?.length ? new Set(q.linkedAccounts) : undefined;
    let header: string[] | undefined;
    let col!: ReturnType<CurBill['columns']>;
    let rows = 0;
    let inWindow = 0;
    /** Distinct billing periods seen, as "start|end" text; a file holds one or a few. */
    const periodTexts = new Set<string>();
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (!header) {
          header = record;
          col = this.columns(header);
          continue;
        }
        rows++;
        if (col.periodStart >= 0 && col.periodEnd >= 0) periodTexts.add(`${record[col.periodStart] ?? ''}|${record[col.periodEnd] ?? ''}`);
        const day = (record[col.day] ?? '').slice(0, 10);
        if (!DAY.test(day)) {
          throw new SourceError(
            'malformed',
            `${this.src.path}: line ${rows + 1}: ${header[col.day]} is not a date (${JSON.stringify((record[col.day] ?? '').slice(0, 30))})`,
          );
        }
        if (day < window.from || day > window.to) continue;
        if (col.type >= 0 && excluded.has(record[col.type])) continue;
        if (accounts && col.account >= 0 && !accounts.has(record[col.account])) continue;
        inWindow++;
        const amount = q.metric === 'AmortizedCost' ? this.amortized(record, header, col, rows + 1) : this.money(record, header, col.cost, rows + 1);
        if (amount === undefined) continue;
        if (col.currency >= 0) currencies.add(record[col.currency] || 'USD');
        const tag = this.tagOf(record, col);
        groups.set(tag, (groups.get(tag) ?? 0n) + amount);
      }
    } catch (err) {
      throw csvError(this.src.path, err);
    } finally {
      stream.destroy();
    }
    if (!header) throw new SourceError('not-found', `${this.src.path} is empty`);
    if (rows === 0) throw new SourceError('not-found', `${this.src.path} has a header but no line items: nothing was billed in it, so nothing can be measured`);
    const notes: string[] = [];
    if (col.periodStart >= 0 && col.periodEnd >= 0) {
      const periods = [...periodTexts].map((t) => {
        const [start, end] = t.split('|');
        const days = periodDays(start, end);
        if (!days)
          throw new SourceError(
            'malformed',
            `${this.src.path}: the billing period ${JSON.stringify(t.replace('|', ' – ').slice(0, 60))} is not a pair of dates`,
          );
        return days;
      });
      const uncovered = uncoveredDays(periods, window.from, exclusiveEnd(window));
      if (uncovered.length) {
        const shown = periods.map(([a, b]) => `${a}..${addDays(b, -1)}`).join(', ');
        throw new SourceError(
          'malformed',
          `${this.src.path} covers the billing period ${shown}; ${uncovered.join(', ')} of the window ${window.from}..${window.to} is outside it and was not measured`,
          {
            remediation:
              "Use a window inside the export's billing period (e.g. window: { previousMonth: true } with last month's export), or the export of every month the window touches.",
          },
        );
      }
    } else {
      notes.push(`the export has no billing period columns (${COLUMNS.periodStart.join(' or ')}): whether it covers the whole window was not checked`);
    }
    if ([...currencies].some((c) => c !== 'USD')) {
      throw new SourceError(
        'malformed',
        `the bill export is in ${[...currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`,
      );
    }
    return {
      source: `bill export ${this.src.path} (${q.metric} by tag ${q.tagKey}; ${inWindow} of ${rows} line items in the window${excluded.size ? `; ${[...excluded].join(', ')} excluded` : ''})`,
      groups,
      estimated: [],
      notes,
    };
  }

  /** A money cell; undefined when empty, an ERROR naming file, line and column when not a number. */
  private money(record: string[], header: string[], index: number, line: number): Money | undefined {
    const text = record[index];
    if (text === undefined || text === '') return undefined;
    try {
      return parseMoney(text);
    } catch {
      throw new SourceError('malformed', `${this.src.path}: line ${line}: ${header[index]} is not a number (${JSON.stringify(text.slice(0, 30))})`);
    }
  }

  private amortized(record: string[], header: string[], col: ReturnType<CurBill['columns']>, line: number): Money | undefined {
    const type = record[col.type] ?? '';
    const terms = amortizedTerms(type, col.amortized.riArn >= 0 && (record[col.amortized.riArn] ?? '') !== '');
    if (terms === 'zero') return 0n;
    if (terms === 'unblended') return this.money(record, header, col.cost, line);
    const cell = (name: AmortizedColumn) => {
      const index = col.amortized[name];
      if (index < 0) {
        throw new SourceError(
          'not-found',
          `${this.src.path}: line ${line}: a ${type} line item needs ${AMORTIZED[name].join(' or ')} for AmortizedCost, and the export has no such column`,
          {
            remediation:
              'Export the report with its reservation and savings-plan columns (they appear once the account has either), or reconcile UnblendedCost.',
          },
        );
      }
      return this.money(record, header, index, line) ?? 0n;
    };
    let total = 0n;
    for (const name of terms.add) total += cell(name);
    if (terms.subtract) total -= cell(terms.subtract);
    return total;
  }

  private columns(header: string[]) {
    const find = (names: readonly string[]) => header.findIndex((h) => names.includes(h.trim()));
    const key = this.query.tagKey;
    const costColumns = COLUMNS[this.query.metric as (typeof CUR_METRICS)[number]];
    const cost = find(costColumns);
    const day = find(COLUMNS.day);
    const tag = find([`resourceTags/user:${key}`, `resource_tags_user_${key}`, `resource_tags_user_${snakeCaseTagKey(key)}`]);
    const tagMap = find(['resource_tags']);
    const missing = [
      day < 0 ? COLUMNS.day.join(' or ') : '',
      cost < 0 ? costColumns.join(' or ') : '',
      tag < 0 && tagMap < 0 ? `resourceTags/user:${key} or resource_tags` : '',
    ].filter(Boolean);
    if (missing.length) {
      throw new SourceError('malformed', `${this.src.path} is not a Cost and Usage Report with the needed columns: missing ${missing.join('; ')}`, {
        remediation:
          tag < 0 && tagMap < 0 && day >= 0 && cost >= 0
            ? `Activate '${key}' as a cost allocation tag and include resource tags in the report (it then appears as resourceTags/user:${key}).`
            : undefined,
      });
    }
    const type = find(COLUMNS.type);
    if (this.query.metric === 'AmortizedCost' && type < 0) {
      throw new SourceError(
        'not-found',
        `${this.src.path} has no ${COLUMNS.type.join(' or ')} column, which AmortizedCost needs to tell covered usage and fees apart`,
      );
    }
    const amortized = Object.fromEntries(Object.entries(AMORTIZED).map(([name, names]) => [name, find(names)])) as Record<AmortizedColumn, number>;
    return {
      day,
      cost,
      tag,
      tagMap,
      type,
      currency: find(COLUMNS.currency),
      account: find(COLUMNS.account),
      periodStart: find(COLUMNS.periodStart),
      periodEnd: find(COLUMNS.periodEnd),
      amortized,
    };
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
    const value = map[`user_${key}`] ?? map[`user_${snakeCaseTagKey(key)}`] ?? map[`user:${key}`] ?? map[key];
    return typeof value === 'string' ? value : '';
  }
}
