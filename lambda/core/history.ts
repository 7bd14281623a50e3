import { definePort } from './ports';

/**
 * The append-only history shared by gate 3 (schema fingerprints) and the deployed stack (one
 * record per gate result). Records are grouped by a partition key and ordered by an ISO-8601
 * timestamp sort key.
 */
export interface HistoryRecord {
  /** Partition, built with {@link historyKey}. */
  pk: string;
  /** ISO-8601 timestamp (plus an optional `#suffix` to keep same-millisecond records apart). */
  sk: string;
  [attribute: string]: unknown;
}

export interface HistoryStore {
  /** Adds a record; never overwrites an existing one. */
  append(record: HistoryRecord): Promise<void>;
  /** Records of one partition with `sk >= since` (all when omitted), oldest first. */
  query(pk: string, since?: string): Promise<HistoryRecord[]>;
  describe(): string;
  /** Releases the connection, where the store holds one. */
  close?(): void;
}

/** Where the CLI keeps a history when none is named. */
export const DEFAULT_HISTORY_FILE = '.saas-readiness/history.jsonl';

/** Default retention: long enough to prove 30 stable days, a year of trends and then some. */
export const HISTORY_RETENTION_DAYS = 400;

export const historyKey = {
  /** One gate's results, e.g. `acme-rag#result#tenants`. */
  result: (suite: string, gate: string) => `${suite}#result#${gate}`,
  /** Schema fingerprints of one config store, e.g. `acme-rag#schema#appdb`. */
  schema: (suite: string, store: string) => `${suite}#schema#${store}`,
  /** Gate 3's canary probe journal for one config store, e.g. `acme-rag#probe#appdb`. */
  probe: (suite: string, store: string) => `${suite}#probe#${store}`,
  /** Break-glass acknowledgements of the suite (`saas-readiness ack`), e.g. `acme-rag#ack`. */
  ack: (suite: string) => `${suite}#ack`,
};

/** Where a history is kept for one gate: the partitions it reads and writes (granted on those only). */
export interface HistoryOptions {
  partitions: string[];
}

/** A history store opened from a source written inline in a gate's settings (gate 3's `history`). */
export const HISTORY = definePort<HistoryStore, HistoryOptions>('history', 'history');
