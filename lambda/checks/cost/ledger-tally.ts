import { parseMoney, type Money } from './money';
import type { LedgerSummary, TrackedTotal } from './ports';
import type { CostWindow } from './window';

/** A ledger date value: a day (YYYY-MM-DD, date-only) or a timestamp (ISO 8601 text or epoch seconds). */
export function parseLedgerDate(value: string | number): { day: string; at: Date; dateOnly: boolean } | undefined {
  if (typeof value === 'number') {
    const at = new Date(value * 1000);
    return Number.isNaN(at.getTime()) ? undefined : { day: at.toISOString().slice(0, 10), at, dateOnly: false };
  }
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { day: text, at: new Date(`${text}T00:00:00Z`), dateOnly: true };
  // A timestamp without a zone is taken as UTC, as the window is.
  const at = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
  return Number.isNaN(at.getTime()) ? undefined : { day: at.toISOString().slice(0, 10), at, dateOnly: false };
}

/**
 * Sums ledger rows per tenant and provider for sources that cannot aggregate themselves (CSV,
 * DynamoDB): one pass, memory proportional to the number of tenants, not rows.
 */
export class LedgerTally {
  private readonly sums = new Map<string, TrackedTotal>();
  private newest: { at: Date; dateOnly: boolean } | null = null;
  rows = 0;

  constructor(private readonly window: CostWindow) {}

  /** Adds one row; returns a reason when the row is unusable. */
  add(tenant: string, provider: string, date: string | number | undefined, cost: string | undefined): string | undefined {
    this.rows++;
    if (date === undefined || date === '') return 'no date';
    const d = parseLedgerDate(date);
    if (!d) return `unreadable date ${JSON.stringify(String(date).slice(0, 30))}`;
    if (!this.newest || d.at > this.newest.at) this.newest = { at: d.at, dateOnly: d.dateOnly };
    if (d.day < this.window.from || d.day > this.window.to) return undefined;
    let amount: Money;
    try {
      amount = parseMoney(cost ?? '');
    } catch {
      return `cost is not a number (${JSON.stringify(String(cost).slice(0, 30))})`;
    }
    const key = `${provider}\u0000${tenant}`;
    const t = this.sums.get(key);
    if (t) t.amount += amount;
    else this.sums.set(key, { tenant, provider, amount });
    return undefined;
  }

  summary(source: string): LedgerSummary {
    return { source, totals: [...this.sums.values()], newest: this.newest, rowsRead: this.rows };
  }
}
