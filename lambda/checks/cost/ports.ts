import { definePort } from '../../core/ports';
import type { LedgerMapping } from './ledger-mapping';
import type { Money } from './money';
import type { CostWindow } from './window';

/** One aggregate of the app's own cost ledger: what it attributed to a tenant for one provider. */
export interface TrackedTotal {
  tenant: string;
  /** The ledger's provider value as stored (e.g. `aws`, `openai`). */
  provider: string;
  amount: Money;
}

/** The ledger summarised over a window, aggregated where the ledger lives (SQL GROUP BY). */
export interface LedgerSummary {
  /** Where it was read, e.g. "PostgreSQL app@127.0.0.1:5432, table public.tenant_costs". */
  source: string;
  totals: TrackedTotal[];
  /** The newest entry in the whole ledger (not only the window), or null for an empty ledger. */
  newest: { at: Date; dateOnly: boolean } | null;
  /** Rows read where the aggregation could not be pushed down (CSV, DynamoDB), for the report. */
  rowsRead?: number;
  /**
   * Rows in the window whose cost is missing (SQL NULL): they add nothing to the totals, so they are
   * counted here and reported, never dropped unseen. Examples like "acme (openai) on 2026-10-03", at most 5.
   */
  nullCosts?: { count: number; examples: string[] };
}

export interface CostLedger {
  /**
   * Optional: connect and resolve the ledger's layout before the bills are read, so that the
   * aggregation is already running in the database while the bills are paged in this process.
   */
  open?(signal: AbortSignal): Promise<void>;
  summarize(window: CostWindow, signal: AbortSignal): Promise<LedgerSummary>;
  close(): Promise<void>;
}

export type Provider = 'aws' | 'openai';

/** What a provider actually billed over the window, by allocation key. */
export interface ActualBill {
  /** Where it was read, e.g. "Cost Explorer (UnblendedCost, tag tenant_id)". */
  source: string;
  /**
   * Spend per allocation key: the cost-allocation tag value (AWS) or project ID (OpenAI).
   * The empty key holds spend without one (untagged resources, org-level OpenAI costs).
   */
  groups: Map<string, Money>;
  /** Periods the provider marks as estimated (not final), e.g. "2024-05-01..2024-05-31". */
  estimated: string[];
  /** Billed API requests made to read this bill, and what they cost (Cost Explorer: $0.01 each). */
  requests?: { count: number; cost: Money; throttled: number };
  /**
   * The bill's total as the source computed it apart from the groups (Athena's grand-total row,
   * the export reader's running sum), which the groups must add up to (conservation).
   */
  total?: Money;
  /** What reading the bill cost other than Cost Explorer requests: S3 requests, bytes Athena scanned. */
  readCost?: { summary: string; cost: Money; measurements: { name: string; value: number; unit: string }[] };
  notes: string[];
}

/** What to read from an AWS bill (Cost Explorer or a bill export), from `gates.cost.aws`. */
export interface AwsBillQuery {
  /** Cost allocation tag key grouped by. Default tenant_id. */
  tagKey: string;
  metric: 'UnblendedCost' | 'AmortizedCost' | 'NetUnblendedCost' | 'BlendedCost' | 'NetAmortizedCost';
  /** Record (line item) types left out. Default Credit, Refund, Tax. */
  excludeRecordTypes: string[];
  linkedAccounts?: string[];
}

export interface BillSource {
  provider: Provider;
  fetch(window: CostWindow, signal: AbortSignal): Promise<ActualBill>;
  close?(): Promise<void> | void;
}

/** Gate 2's `ledger` settings a cost ledger reads: the column names, and what only one backend reads (table, scanSegments). */
export type LedgerOptions = LedgerMapping & Readonly<Record<string, unknown>>;

export const COST_LEDGER = definePort<CostLedger, LedgerOptions>('costLedger', 'cost ledger');
/** The AWS bill: Cost Explorer, a Cost and Usage Report export, and any other reader of AWS billing data. */
export const AWS_BILL = definePort<BillSource, AwsBillQuery>('awsBill', 'AWS bill');
export const OPENAI_BILL = definePort<BillSource, Record<string, never>>('openaiBill', 'OpenAI bill');
