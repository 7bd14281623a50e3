/**
 * Gate 3 (`checkConfig`) through its ports with an in-memory config database, history and journal:
 * the `configs`, `schema-stable` and `audit-trail` criteria to every status, the stableDays boundary
 * (from the history and from a migration), changes named from the fingerprints, and the
 * tenant_configs.yaml artifact. The canary round trip has its own file (config-round-trip.test.ts).
 */
import { load } from 'js-yaml';
import { checkConfig, type ConfigCheckInput } from '../../../lambda/checks/config/check';
import type { GateOutcome } from '../../../lambda/core/result';
import { FakeClock, MemoryConfigDb, MemoryHistory, MemoryJournal } from '../fakes/config';

const DAY = 86_400_000;
const T0 = '2024-06-02T12:00:00.000Z';
const KEY = '_saasReadinessProbe';
const signal = new AbortController().signal;

interface World {
  clock: FakeClock;
  db: MemoryConfigDb;
  history: MemoryHistory;
}

function world(configs: Record<string, unknown> = { acme: { model: 'gpt', retrieval: { topK: 8 } }, globex: { model: 'gpt', retrieval: { topK: 4 } } }): World {
  const clock = new FakeClock(T0);
  return { clock, db: new MemoryConfigDb(clock, configs), history: new MemoryHistory() };
}

function input(w: World, over: Partial<ConfigCheckInput> = {}): ConfigCheckInput {
  return {
    store: w.db.configStore(),
    history: w.history,
    historyKey: 'acme#schema#appdb',
    stableDays: 30,
    reservedKey: KEY,
    probesAllowed: true,
    signal,
    probeSignal: signal,
    now: w.clock.now,
    ...over,
  };
}

/** Runs the check with the clock at `at` (ms after T0, or an ISO time). */
async function runAt(w: World, at: number | string, over: Partial<ConfigCheckInput> = {}): Promise<GateOutcome> {
  w.clock.ms = typeof at === 'number' ? Date.parse(T0) + at : Date.parse(at);
  return checkConfig(input(w, over));
}

const byId = (o: GateOutcome, id: string) => {
  const c = o.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id} in ${o.criteria.map((x) => x.id).join(', ')}`);
  return c;
};
const statuses = (o: GateOutcome) => Object.fromEntries(o.criteria.map((c) => [c.id, c.status]));

describe('checkConfig: the whole gate', () => {
  it('without a canary the gate cannot PASS: SKIP, with the other three criteria measured', async () => {
    const w = world();
    w.db.migration = { source: 'flyway_schema_history.installed_on', appliedAt: new Date('2024-01-01T00:00:00Z'), name: 'V4__rls.sql' };
    const out = await runAt(w, 0);
    expect(statuses(out)).toEqual({ configs: 'PASS', 'schema-stable': 'PASS', 'round-trip': 'SKIP', 'audit-trail': 'PASS' });
    expect(out.status).toBe('SKIP');
    expect(out.summary).toBe('no canary configured: no-deploy changes not tested');
    expect(out.remediation).toMatch(/Set gates\.config\.canary\.tenant/);
  });

  it('records the fingerprint in the history and shows it as evidence', async () => {
    const w = world();
    const out = await runAt(w, 0);
    expect(w.history.records).toHaveLength(1);
    const r = w.history.records[0];
    expect(r).toMatchObject({ pk: 'acme#schema#appdb', since: T0, fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(r.sk).toMatch(new RegExp(`^${T0}#[0-9a-f]{8}$`));
    expect(r.entries).toEqual([
      'column tenant_configs.config jsonb not null',
      'column tenant_configs.tenant_id text not null',
      'json model string',
      'json retrieval object',
      'json retrieval.topK number',
    ]);
    expect(out.evidence).toContain(`schema fingerprint ${(r.fingerprint as string).slice(0, 19)}… over 5 elements`);
  });

  it('an unreachable store is ERROR `configs` alone, naming the cause; nothing is recorded', async () => {
    const w = world();
    w.db.fail.snapshot = Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT', address: '10.0.0.5', port: 5432 });
    const out = await runAt(w, 0);
    expect(statuses(out)).toEqual({ configs: 'ERROR' });
    expect(out.summary).toBe('config store: connection timed out to 10.0.0.5:5432 (ETIMEDOUT)');
    expect(out.remediation).toMatch(/table mapping/);
    expect(w.history.records).toEqual([]);
  });

  it('reports progress', async () => {
    const progress: string[] = [];
    await runAt(world(), 0, { progress: (m) => progress.push(m) });
    expect(progress).toEqual(['reading tenant configs']);
  });
});

describe('criterion configs: every config parses (and validates)', () => {
  it('PASSes JSON text and parsed maps alike', async () => {
    const w = world({ acme: { a: 1 } });
    w.db.putRaw('globex', { a: 2 });
    const c = byId(await runAt(w, 0), 'configs');
    expect(c).toMatchObject({ status: 'PASS', summary: '2 tenant configs parse', title: 'Every config parses as a JSON object' });
    expect(c.measurements).toEqual([
      { name: 'tenantConfigs', value: 2, unit: 'tenants' },
      { name: 'invalidConfigs', value: 0, threshold: '0' },
    ]);
    expect(c.evidence).toEqual(['read from memory db tenant_configs']);
  });

  it('FAILs an empty store: nothing measured is not a pass', async () => {
    const c = byId(await runAt(world({}), 0), 'configs');
    expect(c).toMatchObject({ status: 'FAIL', summary: 'no tenant configs found in memory db tenant_configs' });
    expect(c.remediation).toMatch(/Point gates\.config/);
  });

  it.each([
    ['invalid JSON text', 'not json', /^not valid JSON \(/],
    ['an empty string', '', /^no config$/],
    ['a NULL', null, /^no config$/],
    ['a JSON array', '[1,2]', /^not a JSON object \(array\)$/],
    ['a JSON number', '5', /^not a JSON object \(number\)$/],
    ['a JSON string', '"x"', /^not a JSON object \(string\)$/],
    ['a number attribute', 7, /^not a JSON object \(number\)$/],
  ])('FAILs %s, naming the tenant and the problem', async (_why, raw, problem) => {
    const w = world({ acme: { a: 1 } });
    w.db.putRaw('broken', raw);
    const c = byId(await runAt(w, 0), 'configs');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('1 of 2 tenant configs do not parse: broken');
    expect(c.evidence![1]).toMatch(/^broken: /);
    expect(c.evidence![1].slice('broken: '.length)).toMatch(problem);
    expect(c.measurements).toContainEqual({ name: 'invalidConfigs', value: 1, threshold: '0' });
  });

  it('reports the problem the store itself found in a value', async () => {
    const w = world({ acme: { a: 1 } });
    w.db.putRaw('odd', undefined, { problem: 'tenantConfig is a number attribute (N)' });
    const c = byId(await runAt(w, 0), 'configs');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('1 of 2 tenant configs do not parse: odd');
    expect(c.evidence).toContain('odd: tenantConfig is a number attribute (N)');
  });

  it('validates each config without the reserved probe key, naming the schema', async () => {
    const w = world({ acme: { model: 'gpt', [KEY]: 'sr-leftover' }, globex: { model: 3 } });
    const seen: Record<string, unknown>[] = [];
    const validateConfig = (doc: Record<string, unknown>) => (seen.push(doc), typeof doc.model === 'string' ? undefined : '/model must be string');
    const out = await runAt(w, 0, { validateConfig, schemaName: 'tenant.schema.json' });
    const c = byId(out, 'configs');
    expect(c.title).toBe('Every config parses and validates against tenant.schema.json');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('1 of 2 tenant configs fail the schema: globex');
    expect(c.evidence).toContain('globex: /model must be string');
    expect(seen).toEqual([{ model: 'gpt' }, { model: 3 }]);
  });

  it('PASS names the schema; without a name it says "the schema"', async () => {
    const ok = () => undefined;
    expect(byId(await runAt(world(), 0, { validateConfig: ok, schemaName: 's.json' }), 'configs').summary).toBe(
      '2 tenant configs parse and validate against s.json',
    );
    const unnamed = byId(await runAt(world(), 0, { validateConfig: ok }), 'configs');
    expect(unnamed.summary).toBe('2 tenant configs parse and validate against the schema');
    expect(unnamed.title).toBe('Every config parses and validates against the JSON Schema');
  });

  it('broken and invalid configs together', async () => {
    const w = world({ good: { m: 'x' }, bad: { m: 1 } });
    w.db.putRaw('broken', '{');
    const c = byId(await runAt(w, 0, { validateConfig: (d) => (typeof d.m === 'string' ? undefined : 'bad m') }), 'configs');
    expect(c.summary).toBe('2 of 3 tenant configs do not parse or fail the schema: broken, bad');
  });

  it('names the first 10 offenders and the total; evidence keeps the first 10 problems', async () => {
    const w = world({});
    for (let i = 0; i < 12; i++) w.db.putRaw(`t${String(i).padStart(2, '0')}`, '{');
    const c = byId(await runAt(w, 0), 'configs');
    expect(c.summary).toBe('12 of 12 tenant configs do not parse: t00, t01, t02, t03, t04, t05, t06, t07, t08, t09 … (12 in total)');
    expect(c.evidence).toHaveLength(11);
  });
});

describe('criterion schema-stable: unchanged for ≥ stableDays, never PASS without proof', () => {
  it('first run without a migrations table: FAIL 0 of 30 days', async () => {
    const c = byId(await runAt(world(), 0), 'schema-stable');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('schema unchanged for 0 of 30 days (history since 2024-06-02, no migrations table)');
    expect(c.title).toBe('Config schema unchanged for ≥ 30 days');
    expect(c.remediation).toBe(
      'Stability must be proven: keep the history (memory history) across runs, or point gates.config.migrations at your migrations table.',
    );
    expect(c.evidence).toEqual([
      `fingerprint recorded in memory history; this fingerprint first recorded ${T0}`,
      'no migrations table found (flyway, prisma, knex, django or gates.config.migrations)',
    ]);
    expect(c.measurements).toEqual([
      { name: 'schemaStableDays', value: 0, unit: 'days', threshold: '>= 30' },
      { name: 'schemaStableSince', value: T0 },
    ]);
  });

  it('the history proves exactly stableDays: PASS at 30 days, FAIL 1 ms earlier', async () => {
    const w = world();
    await runAt(w, 0);
    const early = byId(await runAt(w, 30 * DAY - 1), 'schema-stable');
    expect(early.status).toBe('FAIL');
    expect(early.summary).toBe('schema unchanged for 29 of 30 days (history since 2024-06-02, no migrations table)');
    const exact = byId(await runAt(w, 30 * DAY), 'schema-stable');
    expect(exact.status).toBe('PASS');
    expect(exact.summary).toBe('schema stable since 2024-06-02 (30 days; history since 2024-06-02, no migrations table)');
  });

  it('carries "since" forward so sparse runs still prove it (the last run 100 days ago)', async () => {
    const w = world();
    await runAt(w, 0);
    expect(byId(await runAt(w, 100 * DAY), 'schema-stable').summary).toMatch(/^schema stable since 2024-06-02 \(100 days;/);
    expect(w.history.records.map((r) => r.since)).toEqual([T0, T0]);
  });

  it('a migration older than the history extends the proof', async () => {
    const w = world();
    w.db.migration = { source: 'flyway_schema_history.installed_on', appliedAt: new Date('2024-01-01T00:00:00Z'), name: 'V4__rls.sql' };
    const c = byId(await runAt(w, 0), 'schema-stable');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('schema stable since 2024-01-01 (153 days; last migration 2024-01-01 (V4__rls.sql))');
    expect(c.evidence![1]).toBe('last migration: V4__rls.sql applied 2024-01-01T00:00:00.000Z (flyway_schema_history.installed_on)');
  });

  it('a migration exactly stableDays old PASSes, 1 ms younger FAILs', async () => {
    const at = (ms: number) => ({ source: 'knex_migrations.migration_time', appliedAt: new Date(Date.parse(T0) - ms) });
    const w = world();
    w.db.migration = at(30 * DAY);
    expect(byId(await runAt(w, 0), 'schema-stable').status).toBe('PASS');
    const v = world();
    v.db.migration = at(30 * DAY - 1);
    const c = byId(await runAt(v, 0), 'schema-stable');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('schema unchanged for 29 of 30 days (last migration 2024-05-03)');
  });

  it('a migration newer than the history does not shorten it', async () => {
    const w = world();
    await runAt(w, 0);
    w.db.migration = { source: 'm', appliedAt: new Date(Date.parse(T0) + DAY) };
    expect(byId(await runAt(w, 31 * DAY), 'schema-stable').summary).toBe('schema stable since 2024-06-02 (31 days; history since 2024-06-02)');
  });

  it('a changed column FAILs naming the change and the day it passes; later it PASSes from the change', async () => {
    const w = world();
    w.db.migration = { source: 'm', appliedAt: new Date('2023-01-01T00:00:00Z') };
    await runAt(w, 0);
    w.db.structure.push('column tenant_configs.region text null');
    const changed = byId(await runAt(w, 40 * DAY), 'schema-stable');
    expect(changed.status).toBe('FAIL');
    expect(changed.summary).toBe('schema unchanged for 0 of 30 days (changed on 2024-07-12: column added: tenant_configs.region text null)');
    expect(changed.evidence).toContain(`schema changed between ${T0} and 2024-07-12T12:00:00.000Z: column added: tenant_configs.region text null`);
    expect(changed.remediation).toBe('Freeze the config schema: billing reads it. The gate passes 30 days after the last change (2024-08-11).');
    // The old migration no longer counts: the history saw a change.
    const later = byId(await runAt(w, 70 * DAY), 'schema-stable');
    expect(later.status).toBe('PASS');
    expect(later.summary).toBe('schema stable since 2024-07-12 (30 days; changed on 2024-07-12: column added: tenant_configs.region text null)');
  });

  it('names a renamed JSON key and a changed value type found in the configs', async () => {
    const w = world({ acme: { model: 'gpt', retrieval: { topK: 8 } } });
    await runAt(w, 0);
    w.db.put('acme', { model: 1, retrieval: { top_k: 8 } });
    const c = byId(await runAt(w, DAY), 'schema-stable');
    expect(c.summary).toBe(
      'schema unchanged for 0 of 30 days (changed on 2024-06-03: json model changed: string → number, JSON key renamed: retrieval.topK → retrieval.top_k)',
    );
  });

  it('names a removed column', async () => {
    const w = world();
    await runAt(w, 0);
    w.db.structure.pop();
    expect(byId(await runAt(w, DAY), 'schema-stable').summary).toBe(
      'schema unchanged for 0 of 30 days (changed on 2024-06-03: column removed: tenant_configs.tenant_id text not null)',
    );
  });

  it('names at most three changes, then the total', async () => {
    const w = world();
    await runAt(w, 0);
    w.db.structure.push('column t.a text null', 'column t.b text null', 'column t.c text null', 'column t.d text null');
    expect(byId(await runAt(w, DAY), 'schema-stable').summary).toMatch(/column added: t\.c text null … \(4 in total\)\)$/);
  });

  it('the probe key in a config is not part of the schema', async () => {
    const w = world({ acme: { model: 'gpt' } });
    await runAt(w, 0);
    w.db.put('acme', { model: 'gpt', [KEY]: 'sr-left-by-a-killed-run' });
    expect(byId(await runAt(w, 30 * DAY), 'schema-stable').status).toBe('PASS');
  });

  it('keys below fingerprintDepth are data, not schema', async () => {
    const w = world({ acme: { shards: { s1: 1 } } });
    await runAt(w, 0, { fingerprintDepth: 1 });
    w.db.put('acme', { shards: { s2: 1 } });
    expect(byId(await runAt(w, 30 * DAY, { fingerprintDepth: 1 }), 'schema-stable').status).toBe('PASS');
    const v = world({ acme: { shards: { s1: 1 } } });
    await runAt(v, 0);
    v.db.put('acme', { shards: { s2: 1 } });
    expect(byId(await runAt(v, 30 * DAY), 'schema-stable').status).toBe('FAIL');
  });

  it('honours stableDays', async () => {
    const w = world();
    await runAt(w, 0, { stableDays: 7 });
    expect(byId(await runAt(w, 7 * DAY, { stableDays: 7 }), 'schema-stable').status).toBe('PASS');
  });

  it.each([
    [
      'the history cannot be read',
      (w: World) => (w.history.fail.query = new Error('AccessDeniedException: dynamodb:Query')),
      'schema history: AccessDeniedException: dynamodb:Query',
    ],
    [
      'the history cannot be written',
      (w: World) => (w.history.fail.append = new Error('EROFS: read-only file system')),
      'schema history: EROFS: read-only file system',
    ],
    [
      'the migrations table cannot be read',
      (w: World) => (w.db.fail.lastMigration = new Error('permission denied for table flyway_schema_history')),
      'schema history: permission denied for table flyway_schema_history',
    ],
  ])('is ERROR when %s', async (_why, breakIt, summary) => {
    const w = world();
    breakIt(w);
    const c = byId(await runAt(w, 0), 'schema-stable');
    expect(c).toMatchObject({ status: 'ERROR', summary, remediation: 'Check access to the history store (memory history).' });
  });
});

describe('criterion audit-trail', () => {
  it('PASSes with the count of changes in the last stableDays, asking from now − stableDays', async () => {
    const w = world();
    w.clock.ms = Date.parse(T0) + 10 * DAY;
    w.db.put('acme', { model: 'x', retrieval: { topK: 1 } });
    const out = await runAt(w, 35 * DAY);
    const c = byId(out, 'audit-trail');
    // The two initial inserts at T0 are outside the 30 days; the edit at T0+10d is inside.
    expect(c).toMatchObject({ status: 'PASS', summary: '1 config changes in the last 30 days (audit table tenant_config_audit (changed_at))' });
    expect(c.measurements).toEqual([{ name: 'configChanges', value: 1, unit: 'changes' }]);
    expect(c.evidence).toEqual(['audit trail: audit table tenant_config_audit (changed_at)', 'entries since 2024-06-07T12:00:00.000Z']);
    expect(w.db.auditCalls).toEqual([{ since: new Date('2024-06-07T12:00:00.000Z'), reservedKey: KEY, nonce: undefined }]);
  });

  it('PASSes when the trail exists but cannot count (e.g. point-in-time recovery)', async () => {
    const w = world();
    const store = {
      ...w.db.configStore(),
      auditTrail: async () => ({
        present: true,
        where: 'DynamoDB point-in-time recovery',
        changes: null,
        countNote: 'set updatedAtAttribute to count changes',
      }),
    };
    const c = byId(await runAt(w, 0, { store }), 'audit-trail');
    expect(c).toMatchObject({ status: 'PASS', summary: 'change count not available (DynamoDB point-in-time recovery)' });
    expect(c.evidence).toContain('set updatedAtAttribute to count changes');
    expect(c.measurements).toEqual([{ name: 'configChanges', value: null, unit: 'changes' }]);
  });

  it('FAILs without a trail, saying where it looked', async () => {
    const w = world();
    w.db.audit = undefined;
    const c = byId(await runAt(w, 0), 'audit-trail');
    expect(c).toMatchObject({ status: 'FAIL', summary: 'no audit trail for config changes (looked for table tenant_config_audit)' });
    expect(c.remediation).toMatch(/audit table filled by a trigger/);
  });

  it('is ERROR when the trail cannot be read', async () => {
    const w = world();
    w.db.fail.auditTrail = new Error('audit table has no timestamp column (set gates.config.audit.timeColumn)');
    expect(byId(await runAt(w, 0), 'audit-trail')).toMatchObject({
      status: 'ERROR',
      summary: 'audit trail: audit table has no timestamp column (set gates.config.audit.timeColumn)',
    });
  });
});

describe('tenant_configs.yaml', () => {
  it('has tier and updated_at where known, redacts secret-looking keys, leaves out the probe key, lists problems', async () => {
    const w = world({});
    w.db.put('acme', { apiKey: 'sk-live-123', monthly_token_quota: 5, db: { password: 'hunter2', host: 'h' }, [KEY]: 'sr-x' }, { tier: 'gold' });
    w.db.put('globex', { model: 'm' }, { tier: null });
    w.db.putRaw('broken', '{');
    const out = await runAt(w, 0);
    const [file] = out.artifacts!;
    expect(file.name).toBe('tenant_configs.yaml');
    expect(file.contentType).toBe('application/yaml');
    expect(file.content).not.toContain('sk-live-123');
    expect(file.content).not.toContain('hunter2');
    expect(file.content).not.toContain(KEY);
    expect(load(file.content)).toEqual({
      acme: {
        tier: 'gold',
        updated_at: '2024-01-01T00:00:01.000Z',
        config: { apiKey: '***redacted***', monthly_token_quota: 5, db: { password: '***redacted***', host: 'h' } },
      },
      globex: { updated_at: '2024-01-01T00:00:01.000Z', config: { model: 'm' } },
      broken: { updated_at: '2024-01-01T00:00:01.000Z', problem: expect.stringMatching(/^not valid JSON/) },
    });
  });

  it('redacts inside arrays too, and leaves out updated_at where the store has no stamp', async () => {
    const w = world({ acme: { webhooks: [{ url: 'https://h', signingSecret: 's3' }] } });
    const store = w.db.configStore();
    const snapshot = store.snapshot.bind(store);
    store.snapshot = async (s) => {
      const snap = await snapshot(s);
      return { ...snap, configs: snap.configs.map((c) => ({ ...c, updatedAt: null })) };
    };
    const out = await runAt(w, 0, { store });
    expect(load(out.artifacts![0].content)).toEqual({ acme: { config: { webhooks: [{ url: 'https://h', signingSecret: '***redacted***' }] } } });
  });

  it('is not built when nothing writes it (the CLI without --out), and the verdict is the same', async () => {
    const built = await runAt(world({ acme: { model: 'm' } }), 0);
    const skipped = await runAt(world({ acme: { model: 'm' } }), 0, { buildArtifact: false });
    expect(skipped.artifacts).toBeUndefined();
    expect(skipped.criteria.map((c) => [c.id, c.status])).toEqual(built.criteria.map((c) => [c.id, c.status]));
  });

  it('is an empty map when there are no configs', async () => {
    expect((await runAt(world({}), 0)).artifacts).toEqual([{ name: 'tenant_configs.yaml', contentType: 'application/yaml', content: '{}\n' }]);
  });
});

describe('--no-probes with a canary configured', () => {
  it('SKIPs the round trip, writes nothing and reports unfinished probes instead of repairing them', async () => {
    const w = world({ acme: { a: 1 }, canary: { a: 1 } });
    const journal = new MemoryJournal();
    await journal.begin({
      id: 'j1',
      tenant: 'canary',
      key: KEY,
      nonce: 'sr-old',
      original: { config: '{"a":1}', stamp: '1' },
      written: '{"a":1,"_saasReadinessProbe":"sr-old"}',
      startedAt: '2024-06-01T00:00:00.000Z',
    });
    const before = w.db.text('canary');
    const out = await runAt(w, 0, {
      probesAllowed: false,
      roundTrip: { canary: w.db.canaryStore(), journal, tenant: 'canary', propagationLimitMs: 10_000, pollIntervalMs: 250 },
    });
    expect(byId(out, 'round-trip')).toMatchObject({ status: 'SKIP', summary: 'canary round trip configured but not run (--no-probes)' });
    expect(out.evidence[0]).toBe('1 unfinished probe(s) on canary await repair; run once without --no-probes to repair');
    expect(w.db.text('canary')).toBe(before);
    expect(w.db.writes).toBe(0);
    expect(await journal.pending()).toHaveLength(1);
    expect(w.db.auditCalls[0].nonce).toBeUndefined();
  });
});

describe('edge messages', () => {
  it('a stored config of JSON null is named as null, not "object"', async () => {
    const w = world({ acme: 'null' });
    const out = await runAt(w, 0);
    expect(byId(out, 'configs').evidence?.join('\n')).toMatch(/not a JSON object \(null\)/);
  });

  it('--no-probes with an unreadable journal says so instead of hiding it', async () => {
    const w = world();
    const journal = new MemoryJournal();
    journal.fail.pending = new Error('history table not readable');
    const out = await runAt(w, 0, {
      probesAllowed: false,
      roundTrip: { canary: w.db.canaryStore(), journal, tenant: 'acme', propagationLimitMs: 10_000, pollIntervalMs: 250 },
    });
    expect(byId(out, 'round-trip')).toMatchObject({
      status: 'SKIP',
      summary: expect.stringMatching(/--no-probes\); the probe journal could not be read \(history table not readable\)/),
    });
  });
});
