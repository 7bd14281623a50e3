/**
 * In-memory gate-2 ports, built from `lambda/checks/cost/ports.ts`: a ledger of dated entries
 * summarised over the window (both ends inclusive) as the port documents it — totals per tenant and
 * provider inside the window, `newest` over the whole ledger — and bills answering fixed groups.
 */
import { parseMoney } from '../../../lambda/checks/cost/money';
import type { ActualBill, BillSource, CostLedger, LedgerSummary, Provider } from '../../../lambda/checks/cost/ports';
import type { CostWindow } from '../../../lambda/checks/cost/window';

export interface LedgerEntry {
  tenant: string;
  provider: string;
  /** Decimal USD, e.g. "12.34". */
  cost: string;
  /** YYYY-MM-DD (a date-only ledger) or a full ISO-8601 timestamp. */
  at: string;
}

export interface FakeLedgerOptions {
  /** open() rejects with this. */
  failOpen?: unknown;
  /** summarize() rejects with this. */
  failSummarize?: unknown;
  rowsRead?: number;
  /** Provide open() at all (the port makes it optional). Default true. */
  withOpen?: boolean;
  /** Rows without a cost the ledger reports (the port's nullCosts). */
  nullCosts?: { count: number; examples: string[] };
}

const dayOfEntry = (at: string) => at.slice(0, 10);

/** A cost ledger over entries; `calls` records what the check asked for, in order. */
export function fakeLedger(entries: LedgerEntry[], opts: FakeLedgerOptions = {}): CostLedger & { calls: string[]; windows: CostWindow[] } {
  const ledger: CostLedger & { calls: string[]; windows: CostWindow[] } = {
    calls: [],
    windows: [],
    async summarize(window: CostWindow): Promise<LedgerSummary> {
      ledger.calls.push('summarize');
      ledger.windows.push(window);
      if (opts.failSummarize !== undefined) throw opts.failSummarize;
      const totals = new Map<string, { tenant: string; provider: string; amount: bigint }>();
      for (const e of entries) {
        const day = dayOfEntry(e.at);
        if (day < window.from || day > window.to) continue;
        const key = `${e.tenant}\u0000${e.provider}`;
        const t = totals.get(key) ?? { tenant: e.tenant, provider: e.provider, amount: 0n };
        t.amount += parseMoney(e.cost);
        totals.set(key, t);
      }
      let newest: LedgerSummary['newest'] = null;
      for (const e of entries) {
        const dateOnly = e.at.length === 10;
        const at = new Date(dateOnly ? `${e.at}T00:00:00Z` : e.at);
        if (!newest || at > newest.at) newest = { at, dateOnly };
      }
      return {
        source: 'memory ledger',
        totals: [...totals.values()],
        newest,
        ...(opts.rowsRead !== undefined ? { rowsRead: opts.rowsRead } : {}),
        ...(opts.nullCosts ? { nullCosts: opts.nullCosts } : {}),
      };
    },
    async close() {
      ledger.calls.push('close');
    },
  };
  if (opts.withOpen !== false) {
    ledger.open = async () => {
      ledger.calls.push('open');
      if (opts.failOpen !== undefined) throw opts.failOpen;
    };
  }
  return ledger;
}

/** A bill answering fixed groups (allocation key → decimal USD), or rejecting with `groups` when it is an error. */
export function fakeBill(
  provider: Provider,
  groups: Record<string, string> | Error,
  extra: Partial<Omit<ActualBill, 'groups'>> = {},
): BillSource & { windows: CostWindow[] } {
  const bill = {
    provider,
    windows: [] as CostWindow[],
    async fetch(window: CostWindow): Promise<ActualBill> {
      bill.windows.push(window);
      if (groups instanceof Error) throw groups;
      return {
        source: `memory ${provider} bill`,
        groups: new Map(Object.entries(groups).map(([k, v]) => [k, parseMoney(v)])),
        estimated: [],
        notes: [],
        ...extra,
      };
    },
  };
  return bill;
}
