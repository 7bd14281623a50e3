/**
 * In-memory gate-3 ports, built from `lambda/checks/config/ports.ts` and the HistoryStore contract:
 *
 * - {@link MemoryConfigDb}: tenant configs as stored text with a change stamp, a migrations record
 *   and an audit log a "trigger" fills on every write (old and new value, like an audit row). It
 *   opens a {@link ConfigStore} and a compare-and-set {@link CanaryStore} over the same rows, so a
 *   probe's write shows up in the snapshot, the audit trail and the read-back as it would for real.
 * - {@link MemoryHistory}: the append-only history (never overwrites; query by `sk >= since`).
 * - {@link MemoryJournal}, {@link FakeEffectiveConfig}, {@link FakeInterrupts}, {@link FakeClock}.
 *
 * Faults are injected through hooks, never by copying how an adapter fails.
 */
import type {
  AuditTrail,
  CanaryDocument,
  CanaryStore,
  ConfigSnapshot,
  ConfigStore,
  EffectiveConfig,
  Interrupts,
  MigrationRecord,
  ProbeJournal,
  ProbeJournalEntry,
  StoredConfig,
} from '../../../lambda/checks/config/ports';
import type { HistoryRecord, HistoryStore } from '../../../lambda/core/history';

/** A settable clock: `now()` for the check, `ms` for a `Date.now` spy. */
export class FakeClock {
  ms: number;
  constructor(start: string | Date) {
    this.ms = new Date(start).getTime();
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

interface Row {
  /** The config as stored: JSON text, a parsed map, or anything a broken row holds. */
  config: unknown;
  stamp: number;
  tier?: string | null;
  problem?: string;
}

export interface AuditEntry {
  at: Date;
  tenant: string;
  /** The audit row as text: old and new value, as a trigger would store them. */
  row: string;
}

export interface CanaryHooks {
  /** Runs before the compare-and-set of write() (e.g. a concurrent real change). */
  beforeWrite?(db: MemoryConfigDb): void;
  /** Runs after a successful write() (e.g. a concurrent change, an interrupt). */
  afterWrite?(db: MemoryConfigDb): void | Promise<void>;
  /** Replaces what read() returns after the probe's write (e.g. a stale replica). */
  readBack?(actual: CanaryDocument | undefined): CanaryDocument | undefined;
  /** Thrown by write() instead of writing. */
  writeError?: unknown;
  /** Thrown by read() (every read). */
  readError?: unknown;
  /** Decides restore(): 'throw' rejects, 'refuse' answers false as if the config changed. */
  restore?: 'throw' | 'refuse';
}

export class MemoryConfigDb {
  readonly rows = new Map<string, Row>();
  /** undefined: no audit trail exists. */
  audit: AuditEntry[] | undefined = [];
  /** Whether the trigger fires on updates (false: the audit misses the probe's write). */
  auditRecordsUpdates = true;
  structure: string[] = ['column tenant_configs.config jsonb not null', 'column tenant_configs.tenant_id text not null'];
  migration: MigrationRecord | undefined;
  /** Rejections per ConfigStore call. */
  fail: { snapshot?: unknown; lastMigration?: unknown; auditTrail?: unknown } = {};
  readonly auditCalls: { since: Date; reservedKey: string; nonce: string | undefined }[] = [];
  writes = 0;

  constructor(
    readonly clock: FakeClock,
    configs: Record<string, unknown> = {},
  ) {
    for (const [tenant, config] of Object.entries(configs)) this.put(tenant, config);
  }

  /** Sets a tenant's config as an out-of-band change (a real user's edit): bumps the stamp and audits it. */
  put(tenant: string, config: unknown, extra: Partial<Row> = {}): void {
    const before = this.rows.get(tenant);
    const text = typeof config === 'string' || config === null || config === undefined ? config : JSON.stringify(config);
    this.rows.set(tenant, { config: text, stamp: (before?.stamp ?? 0) + 1, ...extra });
    this.record(tenant, before?.config, text);
  }

  /** Stores a value as it is (a parsed map, a number, null…), as a store that does not hold JSON text would. */
  putRaw(tenant: string, raw: unknown, extra: Partial<Row> = {}): void {
    this.rows.set(tenant, { config: raw, stamp: (this.rows.get(tenant)?.stamp ?? 0) + 1, ...extra });
  }

  text(tenant: string): string | undefined {
    const c = this.rows.get(tenant)?.config;
    return typeof c === 'string' ? c : undefined;
  }

  private record(tenant: string, before: unknown, after: unknown): void {
    if (this.audit && this.auditRecordsUpdates)
      this.audit.push({ at: this.clock.now(), tenant, row: JSON.stringify({ old: before ?? null, new: after ?? null }) });
  }

  configStore(): ConfigStore & { closed: number } {
    const db = this;
    return {
      closed: 0,
      async snapshot(): Promise<ConfigSnapshot> {
        if (db.fail.snapshot !== undefined) throw db.fail.snapshot;
        const configs: StoredConfig[] = [...db.rows].map(([tenantId, r]) => ({
          tenantId,
          ...(r.tier !== undefined ? { tier: r.tier } : {}),
          updatedAt: new Date(Date.UTC(2024, 0, 1) + r.stamp * 1000).toISOString(),
          raw: r.config,
          ...(r.problem ? { problem: r.problem } : {}),
        }));
        return { store: 'memory db tenant_configs', configs, structure: [...db.structure] };
      },
      async lastMigration() {
        if (db.fail.lastMigration !== undefined) throw db.fail.lastMigration;
        return db.migration;
      },
      async auditTrail(since, reservedKey, nonce): Promise<AuditTrail> {
        db.auditCalls.push({ since, reservedKey, nonce });
        if (db.fail.auditTrail !== undefined) throw db.fail.auditTrail;
        if (!db.audit) return { present: false, where: 'looked for table tenant_config_audit', changes: null };
        const inWindow = db.audit.filter((e) => e.at >= since);
        const probe = inWindow.filter((e) => e.row.includes(reservedKey));
        return {
          present: true,
          where: 'audit table tenant_config_audit (changed_at)',
          changes: inWindow.length - probe.length,
          probeEntries: probe.length,
          countNote: `entries since ${since.toISOString()}`,
          ...(nonce ? { recordedNonce: inWindow.some((e) => e.row.includes(nonce)) } : {}),
        };
      },
      async close() {
        this.closed++;
      },
    };
  }

  canaryStore(hooks: CanaryHooks = {}): CanaryStore {
    const db = this;
    let written = false;
    const doc = (tenant: string): CanaryDocument | undefined => {
      const r = db.rows.get(tenant);
      if (!r || typeof r.config !== 'string') return undefined;
      return { config: r.config, stamp: String(r.stamp) };
    };
    return {
      describe: () => 'memory canary',
      async read(tenant) {
        if (hooks.readError !== undefined) throw hooks.readError;
        const actual = doc(tenant);
        return written && hooks.readBack ? hooks.readBack(actual) : actual;
      },
      async write(tenant, expected, next) {
        hooks.beforeWrite?.(db);
        if (hooks.writeError !== undefined) throw hooks.writeError;
        const r = db.rows.get(tenant);
        if (!r || r.config !== expected.config) return false;
        db.rows.set(tenant, { ...r, config: next, stamp: r.stamp + 1 });
        db.record(tenant, r.config, next);
        db.writes++;
        written = true;
        await hooks.afterWrite?.(db);
        return true;
      },
      async restore(tenant, current, original) {
        if (hooks.restore === 'throw') throw new Error('connection terminated during restore');
        if (hooks.restore === 'refuse') return false;
        const r = db.rows.get(tenant);
        if (!r || r.config !== current) return false;
        db.rows.set(tenant, { ...r, config: original.config, stamp: original.stamp == null ? r.stamp + 1 : Number(original.stamp) });
        db.record(tenant, r.config, original.config);
        return true;
      },
      async close() {},
    };
  }
}

/** The append-only history in memory. */
export class MemoryHistory implements HistoryStore {
  readonly records: HistoryRecord[] = [];
  fail: { append?: unknown; query?: unknown } = {};

  async append(record: HistoryRecord): Promise<void> {
    if (this.fail.append !== undefined) throw this.fail.append;
    if (this.records.some((r) => r.pk === record.pk && r.sk === record.sk)) throw new Error(`record ${record.pk} ${record.sk} exists`);
    this.records.push(structuredClone(record));
  }

  async query(pk: string, since?: string): Promise<HistoryRecord[]> {
    if (this.fail.query !== undefined) throw this.fail.query;
    return this.records
      .filter((r) => r.pk === pk && (since === undefined || r.sk >= since))
      .sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0))
      .map((r) => structuredClone(r));
  }

  describe(): string {
    return 'memory history';
  }
}

/** A journal that keeps whole entries in memory. */
export class MemoryJournal implements ProbeJournal {
  readonly entries = new Map<string, { entry: ProbeJournalEntry; outcome?: string }>();
  fail: { begin?: unknown; pending?: unknown } = {};

  describe(): string {
    return 'memory journal';
  }
  async begin(entry: ProbeJournalEntry): Promise<void> {
    if (this.fail.begin !== undefined) throw this.fail.begin;
    this.entries.set(entry.id, { entry: structuredClone(entry) });
  }
  async end(id: string, outcome: string): Promise<void> {
    const e = this.entries.get(id);
    if (e) e.outcome = outcome;
  }
  async pending(): Promise<ProbeJournalEntry[]> {
    if (this.fail.pending !== undefined) throw this.fail.pending;
    return [...this.entries.values()].filter((e) => e.outcome === undefined).map((e) => e.entry);
  }
}

/**
 * The app's effective-config endpoint: `answer(poll)` gives the body (or throws) for each poll; each
 * poll takes `pollMs` on the fake clock.
 */
export class FakeEffectiveConfig implements EffectiveConfig {
  readonly url = 'http://app.internal/effective-config';
  polls = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly answer: (poll: number) => string,
    private readonly pollMs = 0,
  ) {}
  async fetch(): Promise<string> {
    this.polls++;
    this.clock.advance(this.pollMs);
    return this.answer(this.polls);
  }
}

/** Interrupts under test control: `fire()` delivers one to whoever watches. */
export class FakeInterrupts implements Interrupts {
  private handler: ((signal: NodeJS.Signals) => void) | undefined;
  watching = false;
  readonly reraised: NodeJS.Signals[] = [];
  watch(onInterrupt: (signal: NodeJS.Signals) => void): () => void {
    this.handler = onInterrupt;
    this.watching = true;
    return () => {
      this.handler = undefined;
      this.watching = false;
    };
  }
  fire(signal: NodeJS.Signals): void {
    this.handler?.(signal);
  }
  reraise(signal: NodeJS.Signals): void {
    this.reraised.push(signal);
  }
}
