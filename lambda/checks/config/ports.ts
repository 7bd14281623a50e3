import { definePort } from '../../core/ports';
export type { Interrupts } from '../../core/interrupts';
/** The small interfaces gate 3 measures through; one adapter per backend implements each. */

/** One tenant's config as stored: a JSON string (text/json columns, sbt-aws tenantConfig) or a parsed map. */
export interface StoredConfig {
  tenantId: string;
  tier?: string | null;
  updatedAt?: string | null;
  raw: unknown;
  /** Set by the store when the stored value cannot be a config at all (e.g. a number attribute). */
  problem?: string;
}

export interface ConfigSnapshot {
  /** Where the configs were read, e.g. "PostgreSQL db@127.0.0.1:5432, table public.tenant_configs". */
  store: string;
  configs: StoredConfig[];
  /**
   * The store's own structure, one line per element: columns with type and nullability
   * (PostgreSQL) or attribute names with types and the key schema (DynamoDB). JSON key paths are
   * added by the check from the documents themselves.
   */
  structure: string[];
}

/** The latest applied migration found in a migrations table. */
export interface MigrationRecord {
  /** e.g. "flyway_schema_history.installed_on". */
  source: string;
  appliedAt: Date;
  name?: string;
}

/** Where config changes are recorded, and how many the window saw. */
export interface AuditTrail {
  /** False when no trail exists; `where` then says where the store looked. */
  present: boolean;
  /** e.g. "audit table public.tenant_config_audit (changed_at)" or "DynamoDB point-in-time recovery". */
  where: string;
  /** Config changes inside the window, the probe's own left out; null when the trail cannot count. */
  changes: number | null;
  /** Why `changes` is null, or how it was counted. */
  countNote?: string;
  /** Entries left out of `changes` because they are the probe's own writes. */
  probeEntries?: number;
  /** Whether the trail recorded the given probe nonce; undefined when the trail cannot tell. */
  recordedNonce?: boolean;
}

export interface ConfigStore {
  snapshot(signal: AbortSignal): Promise<ConfigSnapshot>;
  /** The latest migration, or undefined when no migrations table exists. */
  lastMigration(signal: AbortSignal): Promise<MigrationRecord | undefined>;
  /** The audit trail over `since`..now; `nonce` asks whether a probe write was recorded. */
  auditTrail(since: Date, reservedKey: string, nonce: string | undefined, signal: AbortSignal): Promise<AuditTrail>;
  close(): Promise<void>;
}

/** The canary's config as stored: JSON text plus the store's change stamp (e.g. updated_at) as text. */
export interface CanaryDocument {
  config: string;
  stamp?: string | null;
}

/**
 * Compare-and-set access to ONE tenant's config. Every write is conditional on the stored config
 * being exactly what the caller last saw, so a concurrent real change is never overwritten.
 */
export interface CanaryStore {
  describe(): string;
  read(tenant: string, signal?: AbortSignal): Promise<CanaryDocument | undefined>;
  /** Sets the config to `next` (bumping the stamp as a real change would) only if it still equals `expected.config`. */
  write(tenant: string, expected: CanaryDocument, next: string, signal?: AbortSignal): Promise<boolean>;
  /** Sets config and stamp to `original` only if the config still equals `current`; never takes an abort signal. */
  restore(tenant: string, current: string, original: CanaryDocument): Promise<boolean>;
  close(): Promise<void>;
}

/** A probe that was started: written to the journal BEFORE the canary is touched. */
export interface ProbeJournalEntry {
  id: string;
  tenant: string;
  key: string;
  nonce: string;
  /** The canary before the probe, restored exactly when nothing else changed it meanwhile. */
  original: CanaryDocument;
  /** The config text the probe writes. */
  written: string;
  startedAt: string;
}

export interface ProbeJournal {
  describe(): string;
  begin(entry: ProbeJournalEntry): Promise<void>;
  end(id: string, outcome: string): Promise<void>;
  /**
   * Entries begun and never ended (a hard kill mid-probe). A journal that keeps no config values
   * fills them back in from `read` (the canary as it is now) where it can.
   */
  pending(read?: (tenant: string) => Promise<CanaryDocument | undefined>): Promise<ProbeJournalEntry[]>;
}

/** The app's effective config as the app serves it (e.g. GET /internal/effective-config). */
export interface EffectiveConfig {
  url: string;
  /** The response body; throws naming the cause on a network error or a non-2xx status. */
  fetch(signal: AbortSignal): Promise<string>;
}

/** Gate 3's settings a config store reads (table, column and attribute names): the gate's own config. */
export type StoreOptions = Readonly<Record<string, unknown>>;

export const CONFIG_STORE = definePort<ConfigStore, StoreOptions>('configStore', 'config store');
/** The canary store writes one tenant only: the one named here (granted on that key only). */
export const CANARY_STORE = definePort<CanaryStore, { mapping: StoreOptions; tenant: string }>('canaryStore', 'canary store');
export const EFFECTIVE_CONFIG = definePort<EffectiveConfig, { headers?: Record<string, string> }>('effectiveConfig', "the app's effective config");
