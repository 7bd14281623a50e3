import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CanaryDocument, CanaryStore, ProbeJournalEntry } from '../../lambda/checks/config/ports';
import { repairPending } from '../../lambda/checks/config/round-trip';
import { FileHistoryStore } from '../../lambda/sources/file/history';
import { HistoryProbeJournal } from '../../lambda/checks/config/probe-journal';

/**
 * The probe journal (`.saas-readiness/history.jsonl`) used to hold the canary's whole config, API
 * keys included, in a folder git did not ignore. It now keeps only what a repair needs, with every
 * string value of the config blanked, in a private, git-ignored folder — and a repair after a hard
 * kill is still exact.
 */
const KEY = 'sk-live-hostile-journal-4242';
const HOOK = 'https://hooks.example.com/services/T0/B0/hostile-webhook-path';
// Formatted by hand (spaces, key order), as a text column may hold it.
const ORIGINAL = `{"tier": "pro", "apiKey": "${KEY}", "limits": {"rpm": 60, "burst": 10}, "hooks": ["${HOOK}"], "note": "café"}`;

function entry(): ProbeJournalEntry {
  const nonce = 'sr-2026-11-28T00:00:00.000Z-abcdef';
  return {
    id: 'j1',
    tenant: 'test-canary',
    key: '_saasReadinessProbe',
    nonce,
    original: { config: ORIGINAL, stamp: '2026-11-01 10:00:00+00' },
    written: JSON.stringify({ ...JSON.parse(ORIGINAL), _saasReadinessProbe: nonce }),
    startedAt: '2026-11-28T00:00:00.000Z',
  };
}

/** One canary in memory, with compare-and-set as the real stores do it. */
function memoryCanary(doc: CanaryDocument): CanaryStore & { doc: CanaryDocument } {
  return {
    doc,
    describe: () => 'memory',
    async read() {
      return { ...this.doc };
    },
    async write() {
      return false;
    },
    async restore(_tenant, current, original) {
      if (this.doc.config !== current) return false;
      this.doc = { ...original };
      return true;
    },
    close: async () => undefined,
  };
}

describe('probe journal: only what a repair needs, private and git-ignored', () => {
  const t0 = Date.now();
  afterAll(() => expect(Date.now() - t0).toBeLessThan(5_000));

  it('keeps no string value of the canary config, in a 0700 folder with a .gitignore and a 0600 file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sr-journal-'));
    const file = join(root, '.saas-readiness', 'history.jsonl');
    await new HistoryProbeJournal(new FileHistoryStore(file), 'acme#probe#appdb').begin(entry());
    const text = readFileSync(file, 'utf8');
    for (const secret of [KEY, HOOK, 'hostile', '"pro"', 'caf']) expect(text).not.toContain(secret);
    expect(text).toContain('"apiKey"');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, '.saas-readiness')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(root, '.saas-readiness', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('a repair after a hard kill restores the exact text and stamp from the canary as the probe left it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-journal-')), 'history.jsonl');
    const journal = new HistoryProbeJournal(new FileHistoryStore(file), 'acme#probe#appdb');
    const e = entry();
    await journal.begin(e);
    const canary = memoryCanary({ config: e.written, stamp: '2026-11-28 00:00:01+00' });
    const lines = await repairPending(canary, journal);
    expect(lines).toEqual([expect.stringMatching(/^repaired the unfinished probe of \S+ on test-canary \(exact: /)]);
    expect(canary.doc).toEqual(e.original);
    expect(await journal.pending()).toEqual([]);
  });

  it('when someone changed a value of the canary meanwhile, only the probe key is removed: their change and stamp are kept', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-journal-')), 'history.jsonl');
    const journal = new HistoryProbeJournal(new FileHistoryStore(file), 'acme#probe#appdb');
    const e = entry();
    await journal.begin(e);
    const changed = JSON.stringify({ ...JSON.parse(e.written), apiKey: 'sk-live-rotated-9999' });
    const canary = memoryCanary({ config: changed, stamp: '2026-11-28 00:00:05+00' });
    const lines = await repairPending(canary, journal);
    expect(lines).toEqual([expect.stringMatching(/\(surgical: /)]);
    expect(JSON.parse(canary.doc.config)).toEqual({ ...JSON.parse(ORIGINAL), apiKey: 'sk-live-rotated-9999' });
    expect(canary.doc.stamp).toBe('2026-11-28 00:00:05+00');
  });

  it('a journal written by an earlier version (whole config) is still repaired', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-journal-')), 'history.jsonl');
    const store = new FileHistoryStore(file);
    const e = entry();
    await store.append({ pk: 'acme#probe#appdb', sk: `${e.startedAt}#begin#${e.id}`, event: 'begin', entry: e });
    const canary = memoryCanary({ config: e.written, stamp: 'later' });
    expect(await repairPending(canary, new HistoryProbeJournal(store, 'acme#probe#appdb'))).toEqual([expect.stringMatching(/\(exact: /)]);
    expect(canary.doc).toEqual(e.original);
  });
});
