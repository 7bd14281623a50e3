import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { demoSchemaSql } from '../../demo/dataset';
import { demoConfigSql } from '../../demo/dataset-configs';
import type { CanaryStore } from '../../lambda/checks/config/ports';
import { runRoundTrip } from '../../lambda/checks/config/round-trip';
import { connectPostgres } from '../../lambda/sources/postgres/connection';
import { PostgresCanaryStore } from '../../lambda/sources/postgres/config-store';
import { FileHistoryStore } from '../../lambda/sources/file/history';
import { HistoryProbeJournal } from '../../lambda/checks/config/probe-journal';
import { plainSecrets } from '../support/gate';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { canaryFromDb, configTable, runConfigGate, tempHistoryFile } from './support';
import { startEffectiveConfigApp } from '../standins/app-config';

/** Starts the child probe and resolves once it is mid-probe (the app was polled for the nonce). */
async function childMidProbe(url: string, history: string) {
  let polled!: () => void;
  const midProbe = new Promise<void>((r) => (polled = r));
  const app = await startEffectiveConfigApp(() => {
    polled();
    return '{}';
  });
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures/probe-child.ts'), url, history, app.url], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  await Promise.race([midProbe, exited.then((e) => Promise.reject(new Error(`child exited early (${e.code ?? e.signal}): ${stderr}`)))]);
  return { child, exited, app };
}

describe('gate 3 canary probe: interruption and safety (PGlite)', () => {
  let pg: PostgresTarget;
  beforeAll(async () => {
    pg = await startPglite();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  beforeEach(async () => {
    await pg.exec(demoSchemaSql());
    await pg.exec(demoConfigSql());
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('restores the canary on %s mid-probe, then ends by that signal', async (signal) => {
    const before = await configTable(pg.url);
    const history = tempHistoryFile();
    const { child, exited, app } = await childMidProbe(pg.url, history);
    try {
      expect(await canaryFromDb(pg.url)).toContain('_saasReadinessProbe');
      child.kill(signal);
      expect(await exited).toEqual({ code: null, signal });
    } finally {
      await app.stop();
    }
    expect(await configTable(pg.url)).toBe(before);
    const journal = readFileSync(history, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((r) => r.pk === 'test#probe#appdb');
    expect(journal.map((r) => [r.event, r.outcome])).toEqual([
      ['begin', undefined],
      ['end', 'restored: exact'],
    ]);
  });

  it('after SIGKILL mid-probe, the next run repairs the canary from the journal', async () => {
    const before = await configTable(pg.url);
    const history = tempHistoryFile();
    const { child, exited, app } = await childMidProbe(pg.url, history);
    try {
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
    } finally {
      await app.stop();
    }
    const dirty = await configTable(pg.url);
    expect(dirty).not.toBe(before);
    // --no-probes writes nothing, not even the repair; it reports the open journal entry.
    const readOnly = await runConfigGate(
      { appdb: { type: 'postgres', url: pg.url } },
      { history: { file: history }, canary: { tenant: 'test-canary' } },
      { probes: false },
    );
    expect(readOnly.evidence).toContain('1 unfinished probe(s) on test-canary await repair; run once without --no-probes to repair');
    expect(readOnly.criteria.find((c) => c.id === 'round-trip')).toMatchObject({
      status: 'SKIP',
      summary: 'canary round trip configured but not run (--no-probes)',
    });
    expect(await configTable(pg.url)).toBe(dirty);
    const result = await runConfigGate({ appdb: { type: 'postgres', url: pg.url } }, { history: { file: history }, canary: { tenant: 'test-canary' } });
    expect(result.evidence.join('\n')).toMatch(/^repaired the unfinished probe of \S+ on test-canary \(exact: config and change stamp restored exactly\)$/m);
    expect(result.criteria.find((c) => c.id === 'round-trip')?.status).toBe('PASS');
    expect(await configTable(pg.url)).toBe(before);
  });

  it('stops the probe before the gate deadline and restores (ERROR naming the cause)', async () => {
    const before = await configTable(pg.url);
    const app = await startEffectiveConfigApp(() => '{}');
    try {
      const result = await runConfigGate(
        { appdb: { type: 'postgres', url: pg.url } },
        {
          timeoutSeconds: 6,
          history: { file: tempHistoryFile() },
          canary: { tenant: 'test-canary', effectiveConfigUrl: app.url, propagationLimitSeconds: 60 },
        },
      );
      const trip = result.criteria.find((c) => c.id === 'round-trip')!;
      expect(trip.status).toBe('ERROR');
      expect(trip.summary).toBe(
        'canary round trip: probe stopped 5 s before the gate deadline to restore the canary (raise gates.config.timeoutSeconds); canary restored exactly',
      );
    } finally {
      await app.stop();
    }
    expect(await configTable(pg.url)).toBe(before);
  });

  it('restores the canary when the read-back does not return the nonce (stale reader)', async () => {
    const before = await configTable(pg.url);
    const real = new PostgresCanaryStore((signal) => connectPostgres({ type: 'postgres', url: pg.url }, plainSecrets, signal), {}, 'pglite');
    const firstRead = await real.read('test-canary');
    // A reader behind a cache or replica: keeps answering the value from before the write.
    const stale: CanaryStore = {
      ...real,
      describe: () => 'stale',
      read: async (t, s) => (await real.read(t, s)) && firstRead,
      write: real.write.bind(real),
      restore: real.restore.bind(real),
      close: real.close.bind(real),
    };
    const journal = new HistoryProbeJournal(new FileHistoryStore(tempHistoryFile()), 'test#probe#appdb');
    try {
      const r = await runRoundTrip({
        canary: stale,
        journal,
        tenant: 'test-canary',
        key: '_saasReadinessProbe',
        propagationLimitMs: 1000,
        pollIntervalMs: 100,
        signal: new AbortController().signal,
        now: () => new Date(),
      });
      expect(r.readBack).toMatchObject({ ok: false, detail: 'read back no probe key' });
      expect(r.restore).toEqual({ how: 'exact', detail: 'config and change stamp restored exactly' });
      expect(await journal.pending()).toEqual([]);
    } finally {
      await real.close();
    }
    expect(await configTable(pg.url)).toBe(before);
  });

  it('never overwrites a concurrent real change: only the probe key is removed', async () => {
    const real = new PostgresCanaryStore((signal) => connectPostgres({ type: 'postgres', url: pg.url }, plainSecrets, signal), {}, 'pglite');
    const journal = new HistoryProbeJournal(new FileHistoryStore(tempHistoryFile()), 'test#probe#appdb');
    const admin = new Client({ connectionString: pg.url });
    await admin.connect();
    // The operator changes the canary's model while the probe waits for the app.
    const app = await startEffectiveConfigApp(async (n) => {
      if (n === 1) await admin.query(`UPDATE tenant_configs SET config = jsonb_set(config, '{model}', '"operator-choice"') WHERE tenant_id = 'test-canary'`);
      return '{}';
    });
    try {
      const r = await runRoundTrip({
        canary: real,
        journal,
        tenant: 'test-canary',
        key: '_saasReadinessProbe',
        effectiveConfig: { url: app.url, fetch: (s) => fetch(app.url, { signal: s }).then((x) => x.text()) },
        propagationLimitMs: 300,
        pollIntervalMs: 100,
        signal: new AbortController().signal,
        now: () => new Date(),
      });
      expect(r.restore?.how).toBe('surgical');
      const after = JSON.parse(await canaryFromDb(pg.url));
      expect(after.model).toBe('operator-choice');
      expect(after).not.toHaveProperty('_saasReadinessProbe');
    } finally {
      await app.stop();
      await admin.end();
      await real.close();
    }
  });

  it('refuses to probe a canary that already holds a probe value (another run in flight), writing nothing', async () => {
    await pg.exec(`UPDATE tenant_configs SET config = config || '{"_saasReadinessProbe": "sr-other-run"}' WHERE tenant_id = 'test-canary'`);
    const before = await configTable(pg.url);
    const history = tempHistoryFile();
    const result = await runConfigGate({ appdb: { type: 'postgres', url: pg.url } }, { history: { file: history }, canary: { tenant: 'test-canary' } });
    const trip = result.criteria.find((c) => c.id === 'round-trip')!;
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toMatch(/^canary round trip: canary 'test-canary' already holds _saasReadinessProbe \(another run is probing/);
    expect(await configTable(pg.url)).toBe(before);
    // The stray key is not part of the schema fingerprint nor of the artifact.
    expect(result.artifacts?.[0].content).not.toContain('sr-other-run');
  });
});
