import { moneyFromNumber, parseMoney, type Money } from '../../checks/cost/money';
import type { ActualBill, AwsBillQuery, BillSource } from '../../checks/cost/ports';
import { SourceError } from '../../core/errors';
import { addDays, exclusiveEnd, monthsOf, nextMonthStart, uncoveredDays, type CostWindow } from '../../checks/cost/window';
import { amortizedTerms, type AmortizedColumn } from '../cur/bill';
import { planColumns, type ColumnPlan } from './columns';
import { findSnapshot, manifestKeys, type PeriodSnapshot } from './manifest';
import type { DataExportSourceConfig } from './schema';
import { LocalStore, S3Store, type ObjectStore } from './store';
import { openTable, valueAt, type Column } from './table';

/** S3 Standard request prices (us-east-1): GET and HEAD $0.0004, LIST $0.005 per 1,000. */
const S3_GET_PRICE = parseMoney('0.0000004');
const S3_LIST_PRICE = parseMoney('0.000005');
/** HEAD requests in flight at once when checking that every listed file is there. */
const HEAD_CONCURRENCY = 8;

/** `a..b`: the days of [start, end) inside the window, or undefined when none are. */
function daysInWindow(start: string, end: string, window: CostWindow): string | undefined {
  const from = start > window.from ? start : window.from;
  const last = addDays(end, -1) < window.to ? addDays(end, -1) : window.to;
  return from <= last ? `${from}..${last}` : undefined;
}

interface Tally {
  groups: Map<string, Money>;
  total: Money;
  rows: number;
  inWindow: number;
  currencies: Set<string>;
  /** Last day with a line item, per billing period. */
  lastDay: Map<PeriodSnapshot, string>;
  formats: Set<string>;
  schemas: Set<string>;
  notes: Set<string>;
}

/**
 * The actual AWS bill from an export as AWS delivers it (docs/contracts/dataexports.md): the
 * current snapshot of every billing period the window touches, every data file its manifest lists
 * (gzip CSV or Parquet; CUR 2.0, legacy CUR or FOCUS), summed per tag value over the line items
 * whose usage starts in the window. A window the files do not cover is an ERROR naming the days.
 */
export class DataExportBill implements BillSource {
  readonly provider = 'aws' as const;

  constructor(
    private readonly src: DataExportSourceConfig,
    private readonly query: AwsBillQuery,
  ) {}

  private get where(): string {
    const prefix = this.src.prefix ? `${this.src.prefix}/` : '';
    return `${this.src.bucket ? `s3://${this.src.bucket}` : this.src.path}/${prefix}${this.src.exportName}`;
  }

  async fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const store: ObjectStore = this.src.bucket ? new S3Store(this.src.bucket, this.src.region) : new LocalStore(this.src.path!);
    try {
      return await this.read(store, window, signal);
    } finally {
      store.close();
    }
  }

  private async read(store: ObjectStore, window: CostWindow, signal: AbortSignal): Promise<ActualBill> {
    const q = this.query;
    const loc = { prefix: this.src.prefix ?? '', exportName: this.src.exportName, layout: this.src.layout };
    const months = monthsOf(window);
    const found = await Promise.all(months.map((m) => findSnapshot(store, loc, m, signal)));
    const missing = months.filter((_, i) => !found[i]);
    if (missing.length) {
      const days = missing.map((m) => daysInWindow(`${m}-01`, nextMonthStart(m), window)).join(', ');
      throw new SourceError(
        'not-found',
        `the export ${this.where} has no manifest for ${missing.map((m) => `BILLING_PERIOD=${m}`).join(', ')} (looked for ${missing.flatMap((m) => manifestKeys(loc, m)).join(', ')}): ${days} of the window ${window.from}..${window.to} was not measured`,
        {
          remediation:
            "Check bucket, prefix and exportName (and layout), and that the export was created before the window starts; AWS delivers a billing period's first snapshot within about a day of its start.",
        },
      );
    }
    const snapshots = found as PeriodSnapshot[];
    const sizes = await this.sizes(store, snapshots, window, signal);
    const tally: Tally = {
      groups: new Map(),
      total: 0n,
      rows: 0,
      inWindow: 0,
      currencies: new Set(),
      lastDay: new Map(),
      formats: new Set(),
      schemas: new Set(),
      notes: new Set(),
    };
    for (const snap of snapshots) {
      for (const key of snap.files) {
        await this.readFile(store, snap, key, sizes.get(key)!, window, tally, signal);
      }
    }
    const periods = snapshots.map((s): [string, string] => {
      const last = tally.lastDay.get(s);
      const end = last ? addDays(last, 1) : s.days[0];
      return [s.days[0], end < s.days[1] ? end : s.days[1]];
    });
    const uncovered = uncoveredDays(periods, window.from, exclusiveEnd(window));
    if (uncovered.length) {
      const shown = snapshots
        .map((s, i) => `${s.month}: ${periods[i][1] > periods[i][0] ? `${periods[i][0]}..${addDays(periods[i][1], -1)}` : 'no line items'}`)
        .join('; ');
      throw new SourceError(
        'malformed',
        `the export ${this.where} does not cover ${uncovered.join(', ')} of the window ${window.from}..${window.to} (its data: ${shown}): those days were not measured`,
        {
          remediation:
            'End the window on a day the export has data for (AWS refreshes the current period up to three times a day; the default window ends 2 days ago), or wait for the next refresh.',
        },
      );
    }
    const foreign = [...tally.currencies].filter((c) => c !== 'USD');
    if (foreign.length) {
      throw new SourceError(
        'malformed',
        `the export is in ${[...tally.currencies].join(' and ')}; only a bill entirely in USD can be reconciled with the USD ledger`,
      );
    }
    const excluded = q.excludeRecordTypes;
    const files = snapshots.reduce((n, s) => n + s.files.length, 0);
    const usage = store.usage;
    return {
      source: `export ${this.where}: ${[...tally.schemas].join(', ')} (${[...tally.formats].join(', ')}), ${snapshots
        .map((s) => `${s.month} snapshot ${s.snapshot} (${s.files.length} file${s.files.length === 1 ? '' : 's'})`)
        .join(
          ', ',
        )}; ${q.metric} by tag ${q.tagKey}; ${tally.inWindow} of ${tally.rows} line items in the window${excluded.length ? `; ${excluded.join(', ')} excluded` : ''}`,
      groups: tally.groups,
      total: tally.total,
      estimated: [],
      notes: [...tally.notes, `read ${files} data file(s) listed by ${snapshots.length} manifest(s); files of superseded snapshots are not read`],
      readCost: {
        summary: store.remote
          ? `S3: ${usage.gets} GET/HEAD and ${usage.lists} LIST request(s), ${(usage.bytes / 1_048_576).toFixed(1)} MiB read (S3 Standard request prices; no Cost Explorer request)`
          : `a local copy of the export: ${(usage.bytes / 1_048_576).toFixed(1)} MiB read, no S3 or Cost Explorer request`,
        cost: store.remote ? S3_GET_PRICE * BigInt(usage.gets) + S3_LIST_PRICE * BigInt(usage.lists) : 0n,
        measurements: [
          { name: 's3Requests', value: usage.gets + usage.lists, unit: 'requests' },
          { name: 's3BytesRead', value: usage.bytes, unit: 'bytes' },
        ],
      },
    };
  }

  /** The size of every listed file (HEAD); a listed file that is absent is an ERROR naming it and its period's days. */
  private async sizes(store: ObjectStore, snapshots: PeriodSnapshot[], window: CostWindow, signal: AbortSignal): Promise<Map<string, number>> {
    const all = snapshots.flatMap((s) => s.files.map((key) => ({ s, key })));
    const sizes = new Map<string, number>();
    const absent: string[] = [];
    for (let i = 0; i < all.length; i += HEAD_CONCURRENCY) {
      const slice = all.slice(i, i + HEAD_CONCURRENCY);
      const got = await Promise.all(slice.map(({ key }) => store.size(key, signal)));
      slice.forEach(({ s, key }, j) => {
        if (got[j] === undefined)
          absent.push(`${store.label}/${key} (billing period ${s.month}, ${daysInWindow(s.days[0], s.days[1], window) ?? 'outside the window'})`);
        else sizes.set(key, got[j]!);
      });
    }
    if (absent.length) {
      throw new SourceError(
        'not-found',
        `${absent.length} data file(s) listed by the export's manifest are absent: ${absent.slice(0, 10).join('; ')}${absent.length > 10 ? ' …' : ''}; those billing periods were not measured`,
        { remediation: 'A refresh may be in progress (AWS writes the manifest after the data files; run again later), or a lifecycle rule removed the files.' },
      );
    }
    return sizes;
  }

  private async readFile(
    store: ObjectStore,
    snap: PeriodSnapshot,
    key: string,
    size: number,
    window: CostWindow,
    tally: Tally,
    signal: AbortSignal,
  ): Promise<void> {
    const q = this.query;
    const where = `${store.label}/${key}`;
    const table = await openTable(store, key, size, signal);
    let plan: ColumnPlan;
    try {
      plan = planColumns(table.names, q, where);
    } catch (err) {
      table.close();
      throw err;
    }
    tally.formats.add(table.format);
    tally.schemas.add(plan.schema);
    if (plan.note) tally.notes.add(`${plan.schema}: ${plan.note}`);
    const excluded = new Set(q.excludeRecordTypes);
    const accounts = q.linkedAccounts?.length ? new Set(q.linkedAccounts) : undefined;
    if (accounts && plan.at.account < 0) {
      table.close();
      throw new SourceError(
        'malformed',
        `${where} has no account column (${plan.schema === 'FOCUS' ? 'SubAccountId' : 'line item usage account'}), so linkedAccounts cannot be applied`,
      );
    }
    if (excluded.size && plan.at.type < 0)
      tally.notes.add(`${where} has no line item type column: ${q.excludeRecordTypes.join(', ')} could not be excluded there`);
    if (plan.at.currency < 0) tally.notes.add(`${where} has no currency column: its amounts are taken as USD`);
    const [periodStart, periodEnd] = snap.days;
    let last = tally.lastDay.get(snap) ?? '';
    let row = 0;
    for await (const batch of table.batches(plan.requests, signal)) {
      const [days, costs, tags] = batch.columns;
      const types = plan.at.type >= 0 ? batch.columns[plan.at.type] : undefined;
      const accts = plan.at.account >= 0 ? batch.columns[plan.at.account] : undefined;
      const currencies = plan.at.currency >= 0 ? batch.columns[plan.at.currency] : undefined;
      for (let i = 0; i < batch.length; i++, row++) {
        const day = dayText(valueAt(days, i));
        if (!day)
          throw new SourceError(
            'malformed',
            `${where}: line item ${row + 1}: ${plan.requests[0].name} is not a date (${JSON.stringify(String(valueAt(days, i)).slice(0, 30))})`,
          );
        if (day > last && day >= periodStart && day < periodEnd) last = day;
        if (day < window.from || day > window.to) continue;
        const type = types ? String(valueAt(types, i) ?? '') : '';
        if (types && excluded.has(type)) continue;
        if (accounts && accts && !accounts.has(String(valueAt(accts, i) ?? ''))) continue;
        const amount = plan.amortized ? this.amortized(batch.columns, i, type, plan, where, row) : money(valueAt(costs, i), where, row, plan.cost);
        if (amount === undefined) continue;
        tally.inWindow++;
        if (currencies) tally.currencies.add(String(valueAt(currencies, i) || 'USD'));
        const tagValue = valueAt(tags, i);
        const tag = typeof tagValue === 'string' ? tagValue : '';
        tally.groups.set(tag, (tally.groups.get(tag) ?? 0n) + amount);
        tally.total += amount;
      }
    }
    tally.rows += row;
    if (last) tally.lastDay.set(snap, last);
  }

  /** AmortizedCost of one CUR line, as Cost Explorer computes it ({@link amortizedTerms}). */
  private amortized(columns: Column[], i: number, type: string, plan: ColumnPlan, where: string, row: number): Money | undefined {
    const at = plan.amortized!;
    const riArn = at.riArn !== undefined ? String(valueAt(columns[at.riArn], i) ?? '') : '';
    const terms = amortizedTerms(type, riArn !== '');
    if (terms === 'zero') return 0n;
    if (terms === 'unblended') return money(valueAt(columns[1], i), where, row, plan.cost);
    const cell = (name: AmortizedColumn) => {
      const index = at[name];
      if (index === undefined) {
        throw new SourceError(
          'malformed',
          `${where}: line item ${row + 1}: a ${type} line item needs the ${name} column for AmortizedCost, and the export has none`,
          { remediation: 'Reconcile UnblendedCost, or export the reservation and savings-plan columns.' },
        );
      }
      return money(valueAt(columns[index], i), where, row, plan.requests[index].name) ?? 0n;
    };
    let total = 0n;
    for (const name of terms.add) total += cell(name);
    if (terms.subtract) total -= cell(terms.subtract);
    return total;
  }
}

/** A day cell as YYYY-MM-DD: Parquet timestamps arrive as day text already, CSV as ISO text. */
function dayText(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length < 10 || value[4] !== '-' || value[7] !== '-') return undefined;
  return value.slice(0, 10);
}

/** A cost cell (DE-17): a Parquet double through its shortest decimal form, CSV text exactly; empty → undefined. */
function money(value: unknown, where: string, row: number, column: string): Money | undefined {
  if (value === undefined || value === null || value === '' || Number.isNaN(value)) return undefined;
  try {
    return typeof value === 'number' ? moneyFromNumber(value) : parseMoney(String(value));
  } catch {
    throw new SourceError('malformed', `${where}: line item ${row + 1}: ${column} is not a number (${JSON.stringify(String(value).slice(0, 30))})`);
  }
}
