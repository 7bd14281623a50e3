/**
 * Gate 3's `round-trip` criterion (and what it hands to `audit-trail`) through in-memory canary,
 * journal, effective-config endpoint and interrupts, on a fake clock: PASS, FAIL, ERROR and SKIP,
 * the propagation limit at its boundary, restore on every way out, and repair of a killed run.
 */
import { checkConfig, type ConfigCheckInput } from '../../../lambda/checks/config/check';
import type { ProbeJournalEntry } from '../../../lambda/checks/config/ports';
import type { GateOutcome } from '../../../lambda/core/result';
import { FakeClock, FakeEffectiveConfig, FakeInterrupts, MemoryConfigDb, MemoryHistory, MemoryJournal, type CanaryHooks } from '../fakes/config';

const T0 = '2024-06-02T12:00:00.000Z';
const KEY = '_saasReadinessProbe';
const CANARY = { tier: 'test', limits: { rpm: 5 } };
const CANARY_TEXT = JSON.stringify(CANARY);
const never = new AbortController().signal;

let clock: FakeClock;
beforeEach(() => {
  clock = new FakeClock(T0);
  // The probe times its read-back and propagation with Date.now(): it reads the fake clock.
  jest.spyOn(Date, 'now').mockImplementation(() => clock.ms);
});
afterEach(() => jest.restoreAllMocks());

interface Probe {
  db: MemoryConfigDb;
  journal: MemoryJournal;
  interrupts: FakeInterrupts;
  app?: FakeEffectiveConfig;
}

interface ProbeOptions {
  hooks?: CanaryHooks;
  /** The app's answer per poll; each poll takes `pollMs` on the clock. */
  app?: (poll: number, nonce: () => string) => string;
  pollMs?: number;
  limitMs?: number;
  probeSignal?: AbortSignal;
  probesAllowed?: boolean;
  over?: Partial<ConfigCheckInput>;
}

/** The nonce the probe wrote, read from the journal. */
const nonceOf = (journal: MemoryJournal) => [...journal.entries.values()][0]?.entry.nonce ?? '(no probe yet)';

async function probe(opts: ProbeOptions = {}, setup?: (p: Probe) => void | Promise<void>): Promise<{ out: GateOutcome } & Probe> {
  const db = new MemoryConfigDb(clock, { acme: { model: 'gpt' }, canary: CANARY });
  const journal = new MemoryJournal();
  const interrupts = new FakeInterrupts();
  const app = opts.app ? new FakeEffectiveConfig(clock, (n) => opts.app!(n, () => nonceOf(journal)), opts.pollMs ?? 250) : undefined;
  const p: Probe = { db, journal, interrupts, app };
  await setup?.(p);
  const out = await checkConfig({
    store: db.configStore(),
    history: new MemoryHistory(),
    historyKey: 'acme#schema#appdb',
    stableDays: 30,
    reservedKey: KEY,
    probesAllowed: opts.probesAllowed ?? true,
    signal: never,
    probeSignal: opts.probeSignal ?? never,
    now: clock.now,
    roundTrip: {
      canary: db.canaryStore(opts.hooks),
      journal,
      tenant: 'canary',
      effectiveConfig: app,
      propagationLimitMs: opts.limitMs ?? 1000,
      pollIntervalMs: 250,
      interrupts,
    },
    ...opts.over,
  });
  return { out, ...p };
}

const trip = (o: GateOutcome) => o.criteria.find((c) => c.id === 'round-trip')!;
const audit = (o: GateOutcome) => o.criteria.find((c) => c.id === 'audit-trail')!;
/** The canary is exactly as before: config text and change stamp. */
const untouched = (db: MemoryConfigDb) => ({ config: db.text('canary'), stamp: db.rows.get('canary')!.stamp });

describe('round trip without an effective-config endpoint', () => {
  it('PASSes when the write is read back, and restores the canary exactly (text and stamp)', async () => {
    const { out, db, journal } = await probe({ hooks: { afterWrite: () => clock.advance(12) } });
    const c = trip(out);
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('config change written and read back in 12 ms without a deploy, canary restored exactly');
    expect(c.evidence).toEqual(['canary canary in memory canary; journal memory journal', 'canary restored exactly', 'read back ok in 12 ms']);
    expect(c.measurements).toEqual([{ name: 'readBackMs', value: 12, unit: 'ms' }]);
    expect(untouched(db)).toEqual({ config: CANARY_TEXT, stamp: 1 });
    expect([...journal.entries.values()].map((e) => e.outcome)).toEqual(['restored: exact']);
  });

  it('the nonce goes under the reserved key, on top of the original config', async () => {
    let written: string | undefined;
    await probe({ hooks: { afterWrite: (db) => void (written = db.text('canary')) } });
    expect(JSON.parse(written!)).toEqual({ ...CANARY, [KEY]: expect.stringMatching(/^sr-2024-06-02T12:00:00\.000Z-[0-9a-f]{12}$/) });
  });

  it('the journal entry is written before the canary is touched', async () => {
    let journalled = 0;
    let journal!: MemoryJournal;
    const { out } = await probe({ hooks: { beforeWrite: () => void (journalled = journal.entries.size) } }, (p) => void (journal = p.journal));
    expect(journalled).toBe(1);
    expect(trip(out).status).toBe('PASS');
  });

  it('FAILs when the store does not read the write back (stale replica), and still restores', async () => {
    const { out, db } = await probe({ hooks: { readBack: () => ({ config: CANARY_TEXT, stamp: '1' }) } });
    const c = trip(out);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('config write not read back from the store: read back no probe key');
    expect(c.remediation).toMatch(/caches or replicas/);
    expect(untouched(db)).toEqual({ config: CANARY_TEXT, stamp: 1 });
  });

  it('FAILs when a different value is read back, naming it', async () => {
    const c = trip((await probe({ hooks: { readBack: () => ({ config: JSON.stringify({ ...CANARY, [KEY]: 'sr-other' }) }) } })).out);
    expect(c.summary).toBe('config write not read back from the store: read back a different value ("sr-other")');
  });

  it('FAILs when the canary disappears after the write', async () => {
    const c = trip((await probe({ hooks: { readBack: () => undefined } })).out);
    expect(c.summary).toBe('config write not read back from the store: the canary config disappeared');
  });
});

describe("round trip with the app's effective config: propagation against the limit", () => {
  it('PASSes when the nonce shows within the limit, measuring from the committed write', async () => {
    const { out, app } = await probe({ app: (n, nonce) => (n >= 3 ? `{"probe":"${nonce()}"}` : '{}') });
    const c = trip(out);
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('config change reached the app in 0.75 s (limit 1 s), canary restored exactly');
    expect(c.evidence).toContain('http://app.internal/effective-config: nonce seen after 0.75 s (3 polls)');
    expect(c.measurements).toContainEqual({ name: 'propagationSeconds', value: 0.75, unit: 's', threshold: '<= 1' });
    expect(app!.polls).toBe(3);
  });

  it('PASSes when it shows exactly at the limit', async () => {
    const c = trip((await probe({ app: (n, nonce) => (n >= 4 ? nonce() : '{}') })).out);
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('config change reached the app in 1.00 s (limit 1 s), canary restored exactly');
  });

  it('FAILs when it shows only after the limit', async () => {
    const c = trip((await probe({ app: (n, nonce) => (n >= 5 ? nonce() : '{}') })).out);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('config change reached the app after 1.3 s, limit 1 s');
    expect(c.remediation).toBe('Shorten the config cache TTL or reload on change.');
  });

  it('FAILs when it never shows, and stops polling past the limit', async () => {
    const { out, app, db } = await probe({ app: () => '{"tier":"test"}' });
    const c = trip(out);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('config change not visible to the app within 1 s at http://app.internal/effective-config');
    expect(c.remediation).toMatch(/without a deployment/);
    expect(c.evidence).toContain('http://app.internal/effective-config: nonce not seen in 1.3 s (5 polls)');
    expect(c.measurements).toEqual([{ name: 'readBackMs', value: 0, unit: 'ms' }]);
    expect(app!.polls).toBe(5);
    expect(untouched(db)).toEqual({ config: CANARY_TEXT, stamp: 1 });
  });

  it('is ERROR when the endpoint cannot be read at all (not a missed change)', async () => {
    const c = trip(
      (
        await probe({
          app: () => {
            throw new Error('effective config is not JSON (text/html)');
          },
        })
      ).out,
    );
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('effective config not readable at http://app.internal/effective-config: last poll: effective config is not JSON (text/html)');
  });

  it('a poll that fails and then succeeds counts only the success', async () => {
    const c = trip(
      (
        await probe({
          app: (n, nonce) => {
            if (n === 1) throw new Error('ECONNRESET');
            return nonce();
          },
        })
      ).out,
    );
    expect(c.status).toBe('PASS');
    expect(c.summary).toMatch(/^config change reached the app in 0\.50 s/);
  });

  it('the deadline stops the probe: ERROR naming it, canary restored', async () => {
    const deadline = new AbortController();
    const { out, db } = await probe({
      probeSignal: deadline.signal,
      app: (n) => {
        if (n === 2) deadline.abort(new Error('probe stopped 5 s before the gate deadline to restore the canary (raise gates.config.timeoutSeconds)'));
        return '{}';
      },
    });
    const c = trip(out);
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe(
      'canary round trip: probe stopped 5 s before the gate deadline to restore the canary (raise gates.config.timeoutSeconds); canary restored exactly',
    );
    expect(untouched(db)).toEqual({ config: CANARY_TEXT, stamp: 1 });
  });
});

describe('the probe refuses, or cannot run: ERROR, nothing written', () => {
  it('a canary without a config', async () => {
    const { out, db, journal } = await probe({}, ({ db }) => void db.rows.delete('canary'));
    expect(trip(out)).toMatchObject({ status: 'ERROR', summary: "canary round trip: canary tenant 'canary' has no config in memory canary" });
    expect(db.writes).toBe(0);
    expect(journal.entries.size).toBe(0);
  });

  it('a canary whose config is not a JSON object', async () => {
    const { out } = await probe({}, ({ db }) => db.put('canary', '[1]'));
    expect(trip(out).summary).toBe("canary round trip: canary tenant 'canary' config is not a JSON object");
  });

  it('a canary whose config is not JSON at all', async () => {
    const { out, db } = await probe({}, ({ db }) => db.put('canary', '{"tier":'));
    expect(trip(out).summary).toBe("canary round trip: canary tenant 'canary' config is not a JSON object");
    expect(db.writes).toBe(0);
  });

  it('a canary already holding the probe key (another run in flight)', async () => {
    const { out, db } = await probe({}, ({ db }) => db.put('canary', { ...CANARY, [KEY]: 'sr-other-run' }));
    expect(trip(out).summary).toMatch(/^canary round trip: canary 'canary' already holds _saasReadinessProbe \(another run is probing/);
    expect(db.writes).toBe(0);
  });

  it('a real change between read and write: the conditional write loses, nothing is overwritten', async () => {
    const { out, db } = await probe({ hooks: { beforeWrite: (d) => d.put('canary', { ...CANARY, tier: 'gold' }) } });
    expect(trip(out)).toMatchObject({
      status: 'ERROR',
      summary: "canary round trip: canary 'canary' changed between read and write; not probed (no write made)",
    });
    expect(JSON.parse(db.text('canary')!)).toEqual({ ...CANARY, tier: 'gold' });
    expect(db.writes).toBe(0);
  });

  it('the write itself fails', async () => {
    const { out } = await probe({ hooks: { writeError: new Error('permission denied for table tenant_configs') } });
    expect(trip(out)).toMatchObject({ status: 'ERROR', summary: 'canary round trip: permission denied for table tenant_configs' });
  });

  it('the journal cannot be written: nothing is touched', async () => {
    const { out, db } = await probe({}, ({ journal }) => void (journal.fail.begin = new Error('EACCES: history file')));
    expect(trip(out)).toMatchObject({ status: 'ERROR', summary: 'canary round trip: EACCES: history file' });
    expect(db.writes).toBe(0);
  });

  it('the canary cannot be read', async () => {
    const { out } = await probe({ hooks: { readError: new Error('ProvisionedThroughputExceededException') } });
    expect(trip(out)).toMatchObject({ status: 'ERROR', summary: 'canary round trip: ProvisionedThroughputExceededException' });
  });
});

describe('restore on every way out', () => {
  it('keeps a concurrent real change: only the probe key is removed (surgical)', async () => {
    const { out, db } = await probe({
      hooks: {
        afterWrite: (d) => {
          const now = JSON.parse(d.text('canary')!);
          d.put('canary', { ...now, tier: 'gold' });
        },
      },
    });
    const c = trip(out);
    expect(c.status).toBe('PASS');
    expect(c.summary).toMatch(/, canary restored \(the config was changed by someone else meanwhile; only the probe key was removed, their change kept\)$/);
    expect(JSON.parse(db.text('canary')!)).toEqual({ ...CANARY, tier: 'gold' });
  });

  it('a restore that fails is ERROR, and the journal entry stays open for the next run', async () => {
    const { out, journal } = await probe({ hooks: { restore: 'throw' } });
    const c = trip(out);
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('canary NOT restored (connection terminated during restore); the journal in memory journal repairs it on the next run');
    expect(await journal.pending()).toHaveLength(1);
  });

  it('a canary that keeps changing is not forced: ERROR, probe key left in place', async () => {
    const { out, db } = await probe({ hooks: { restore: 'refuse' } });
    expect(trip(out).summary).toBe(
      'canary NOT restored (the canary config kept changing; probe key left in place (it is ignored by the fingerprint)); the journal in memory journal repairs it on the next run',
    );
    expect(JSON.parse(db.text('canary')!)).toHaveProperty(KEY);
  });

  it('a failed read-back with a failed restore FAILs and says the canary is not restored', async () => {
    const c = trip((await probe({ hooks: { readBack: () => ({ config: CANARY_TEXT }), restore: 'throw' } })).out);
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe(
      'config write not read back from the store: read back no probe key; canary NOT restored (connection terminated during restore); the journal in memory journal repairs it on the next run',
    );
  });

  it('SIGINT during the probe: ERROR, canary restored, handlers removed, the signal delivered again', async () => {
    let interrupts!: FakeInterrupts;
    const { out, db } = await probe({ hooks: { afterWrite: () => interrupts.fire('SIGINT') }, app: () => '{}' }, (p) => void (interrupts = p.interrupts));
    const c = trip(out);
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('canary round trip interrupted by SIGINT; canary restored exactly');
    expect(untouched(db)).toEqual({ config: CANARY_TEXT, stamp: 1 });
    expect(interrupts.watching).toBe(false);
    expect(interrupts.reraised).toEqual(['SIGINT']);
  });

  it('interrupts are watched only while the probe holds the canary', async () => {
    let watchingAtWrite = false;
    let interrupts!: FakeInterrupts;
    await probe({ hooks: { beforeWrite: () => void (watchingAtWrite = interrupts.watching) } }, (p) => void (interrupts = p.interrupts));
    expect(watchingAtWrite).toBe(true);
    expect(interrupts.watching).toBe(false);
    expect(interrupts.reraised).toEqual([]);
  });
});

describe('repair of a killed run, before probing', () => {
  const killed = (original: string, written: string, nonce: string): ProbeJournalEntry => ({
    id: 'old',
    tenant: 'canary',
    key: KEY,
    nonce,
    original: { config: original, stamp: '1' },
    written,
    startedAt: '2024-06-01T03:00:00.000Z',
  });

  it('restores the canary a hard kill left holding the nonce, says so, then probes', async () => {
    const written = JSON.stringify({ ...CANARY, [KEY]: 'sr-killed' });
    const { out, journal, db } = await probe({}, async ({ db, journal }) => {
      db.put('canary', written);
      await journal.begin(killed(CANARY_TEXT, written, 'sr-killed'));
    });
    expect(out.evidence[0]).toBe('repaired the unfinished probe of 2024-06-01T03:00:00.000Z on canary (exact: config and change stamp restored exactly)');
    expect(journal.entries.get('old')!.outcome).toBe('repaired: exact');
    expect(trip(out).status).toBe('PASS');
    expect(db.text('canary')).toBe(CANARY_TEXT);
  });

  it('an entry whose nonce is gone needs no repair', async () => {
    const { out, journal } = await probe({}, ({ journal }) => journal.begin(killed(CANARY_TEXT, JSON.stringify({ ...CANARY, [KEY]: 'sr-gone' }), 'sr-gone')));
    expect(out.evidence[0]).toMatch(/^repaired the unfinished probe of .* on canary \(none-needed: /);
    expect(journal.entries.get('old')!.outcome).toBe('repaired: none-needed');
  });

  it("puts back the reserved key's original value when the original had one (surgical repair)", async () => {
    const original = JSON.stringify({ ...CANARY, [KEY]: 'kept' });
    const { db } = await probe({}, async ({ db, journal }) => {
      db.put('canary', { ...CANARY, tier: 'gold', [KEY]: 'sr-killed' });
      await journal.begin(killed(original, JSON.stringify({ ...CANARY, [KEY]: 'sr-killed' }), 'sr-killed'));
    });
    // After the repair the canary holds the key again, so this run refuses to probe: see the ERROR case above.
    expect(JSON.parse(db.text('canary')!)).toEqual({ ...CANARY, tier: 'gold', [KEY]: 'kept' });
  });

  it('a repair that cannot finish makes the round trip ERROR without probing', async () => {
    const written = JSON.stringify({ ...CANARY, [KEY]: 'sr-killed' });
    const { out, db } = await probe({ hooks: { restore: 'refuse' } }, async ({ db, journal }) => {
      db.put('canary', written);
      await journal.begin(killed(CANARY_TEXT, written, 'sr-killed'));
    });
    const c = trip(out);
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe(
      'not probed: cannot repair the unfinished probe of 2024-06-01T03:00:00.000Z on canary: the canary config kept changing; probe key left in place (it is ignored by the fingerprint)',
    );
    expect(c.remediation).toBe('Restore the canary config by hand, or fix access and run again.');
    expect(db.writes).toBe(0);
  });

  it('a journal that cannot be read makes the round trip ERROR', async () => {
    const { out } = await probe({}, ({ journal }) => void (journal.fail.pending = new Error('history unreadable')));
    expect(trip(out)).toMatchObject({ status: 'ERROR', summary: 'not probed: history unreadable' });
  });
});

describe('audit-trail after a probe', () => {
  it("PASSes when the audit table recorded the canary write, leaving the probe's entries out of the count", async () => {
    const { out, db, journal } = await probe();
    const c = audit(out);
    expect(c.status).toBe('PASS');
    // The two inserts of the fixture are the changes; the write and the restore are the probe's.
    expect(c.summary).toBe('2 config changes in the last 30 days (audit table tenant_config_audit (changed_at))');
    expect(c.evidence).toContain('2 entries written by the readiness probe left out of the count');
    expect(c.evidence).toContain('the canary write was recorded by the audit trail');
    expect(db.auditCalls[0].nonce).toBe(nonceOf(journal));
  });

  it('FAILs when the probe wrote and the audit did not record it', async () => {
    const { out } = await probe({}, ({ db }) => void (db.auditRecordsUpdates = false));
    const c = audit(out);
    expect(c).toMatchObject({ status: 'FAIL', summary: 'the audit trail (audit table tenant_config_audit (changed_at)) did not record the canary write' });
    expect(c.remediation).toBe('Make the audit trigger fire on every config update.');
    expect(out.status).toBe('FAIL');
  });

  it('asks about no nonce when the probe wrote nothing', async () => {
    const { db } = await probe({ hooks: { beforeWrite: (d) => d.put('canary', { x: 1 }) } });
    expect(db.auditCalls[0].nonce).toBeUndefined();
  });
});

describe('the whole gate with a canary', () => {
  it('PASSes with every criterion measured, the summary naming stability, propagation and audit', async () => {
    const { out } = await probe({ app: (n, nonce) => (n >= 2 ? nonce() : '{}'), over: { stableDays: 1 } }, ({ db }) => {
      db.migration = { source: 'flyway_schema_history.installed_on', appliedAt: new Date('2024-05-01T00:00:00Z'), name: 'V4__rls.sql' };
    });
    expect(out.criteria.map((c) => [c.id, c.status])).toEqual([
      ['configs', 'PASS'],
      ['schema-stable', 'PASS'],
      ['round-trip', 'PASS'],
      ['audit-trail', 'PASS'],
    ]);
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe(
      'schema stable since 2024-05-01 (32 days; last migration 2024-05-01 (V4__rls.sql)); config change reached the app in 0.50 s (limit 1 s), canary restored exactly; 2 config changes in the last 1 days (audit table tenant_config_audit (changed_at))',
    );
  });

  it('the probe key is not in the snapshot the gate judges (it runs after the snapshot)', async () => {
    const { out } = await probe();
    expect(out.artifacts![0].content).not.toContain(KEY);
  });
});
