import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { demoSchemaSql } from '../../demo/dataset';
import { demoConfigSql } from '../../demo/dataset-configs';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';
import { canaryFromDb, configTable, DAY, runConfigGate, tempHistoryFile } from './support';
import { startEffectiveConfigApp } from '../standins/app-config';

describe.each(postgresTargetNames())('gate 3 on PostgreSQL (%s)', (name) => {
  let pg: PostgresTarget;
  beforeAll(async () => {
    pg = await startTarget(name);
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const seed = async (migratedDaysAgo = 45) => {
    await pg.exec(demoSchemaSql());
    await pg.exec(demoConfigSql(new Date(), migratedDaysAgo));
  };
  const run = (gate: Record<string, unknown>, opts: { now?: Date; probes?: boolean } = {}) =>
    runConfigGate({ appdb: { type: 'postgres', url: pg.url } }, gate, opts);

  it('PASSes when migrations last ran 45 days ago and the canary round trip works; the table is unchanged after', async () => {
    await seed(45);
    const app = await startEffectiveConfigApp(() => canaryFromDb(pg.url));
    const before = await configTable(pg.url);
    try {
      const history = tempHistoryFile();
      const result = await run({ history: { file: history }, canary: { tenant: 'test-canary', effectiveConfigUrl: app.url } });
      expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
        ['configs', 'PASS'],
        ['schema-stable', 'PASS'],
        ['round-trip', 'PASS'],
        ['audit-trail', 'PASS'],
      ]);
      expect(result.status).toBe('PASS');
      const stableSince = new Date(Date.now() - 45 * DAY).toISOString().slice(0, 10);
      expect(result.summary).toContain(`schema stable since ${stableSince} (45 days; last migration ${stableSince} (V4__documents_rls.sql))`);
      expect(result.summary).toMatch(/config change reached the app in \d+\.\d\d s \(limit 10 s\), canary restored exactly/);
      // 5 seeded changes inside 30 days; the probe's write and restore are left out of the count.
      expect(result.summary).toContain('5 config changes in the last 30 days (audit table tenant_config_audit (changed_at))');
      expect(result.measurements).toContainEqual({ name: 'schemaStableDays', value: 45, unit: 'days', threshold: '>= 30' });
      expect(result.measurements.find((m) => m.name === 'propagationSeconds')?.value).toBeLessThan(10);
      expect(result.criteria[3].evidence).toContain('the canary write was recorded by the audit trail');
      expect(app.requests()).toBeGreaterThan(0);
      expect(await configTable(pg.url)).toBe(before);
      // The fingerprint is in the history, the journal entry is closed.
      const records = readFileSync(history, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(records.filter((r) => r.pk === 'test#schema#appdb')).toHaveLength(1);
      expect(records.filter((r) => r.pk === 'test#probe#appdb').map((r) => r.event)).toEqual(['begin', 'end']);
      // tenant_configs.yaml: tier, updated_at and config per tenant, nonce left out.
      const yaml = result.artifacts?.find((a) => a.name === 'tenant_configs.yaml')?.content ?? '';
      expect(yaml).toMatch(/^acme-legal:\n {2}tier: enterprise\n {2}updated_at: .+\n {2}config:\n {4}model: gpt-4o/m);
      expect(yaml).not.toContain('_saasReadinessProbe');
    } finally {
      await app.stop();
    }
  });

  (name === 'server' ? it : it.skip)('is ERROR, not a fingerprint of the configs row-level security lets the login see', async () => {
    await seed(45);
    const login = `sr_configs_${Date.now()}`;
    await pg.exec(`CREATE ROLE ${login} LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${login};
                   ALTER TABLE tenant_configs ENABLE ROW LEVEL SECURITY; CREATE POLICY own ON tenant_configs USING (tenant_id = current_setting('app.current_tenant', true))`);
    try {
      const url = pg.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${login}@`);
      const result = await runConfigGate({ appdb: { type: 'postgres', url } }, { history: { file: tempHistoryFile() } });
      expect(result.status).toBe('ERROR');
      expect(result.summary).toBe(
        'config store: table tenant_configs has row-level security that applies to this login, which would see only some of its rows; connect as a role with BYPASSRLS (or a superuser): the check only reads',
      );
    } finally {
      await pg.exec(`ALTER TABLE tenant_configs DISABLE ROW LEVEL SECURITY; DROP OWNED BY ${login}; DROP ROLE ${login}`);
    }
  });

  it('FAILs with "12 of 30 days" when the last migration ran 12 days ago; the canary is unchanged', async () => {
    await seed(12);
    const before = await configTable(pg.url);
    const result = await run({ history: { file: tempHistoryFile() }, canary: { tenant: 'test-canary' } });
    expect(result.status).toBe('FAIL');
    const stable = result.criteria.find((c) => c.id === 'schema-stable')!;
    expect(stable.summary).toMatch(/^schema unchanged for 12 of 30 days \(last migration \d{4}-\d\d-\d\d \(V4__documents_rls.sql\)\)$/);
    expect(result.criteria.find((c) => c.id === 'round-trip')?.status).toBe('PASS');
    expect(await configTable(pg.url)).toBe(before);
  });

  it('FAILs without migrations table on a fresh history, never PASS', async () => {
    await seed();
    await pg.exec('DROP TABLE flyway_schema_history');
    const result = await run({ history: { file: tempHistoryFile() } });
    const stable = result.criteria.find((c) => c.id === 'schema-stable')!;
    expect(stable.status).toBe('FAIL');
    expect(stable.summary).toMatch(/^schema unchanged for 0 of 30 days \(history since \d{4}-\d\d-\d\d, no migrations table\)$/);
    // Without a canary the no-deploy claim is untested: the gate cannot PASS.
    expect(result.criteria.find((c) => c.id === 'round-trip')?.status).toBe('SKIP');
  });

  it.each([
    [
      'a column added',
      'ALTER TABLE tenant_configs ADD COLUMN region text',
      /column tenant_configs\.region added: text null|column added: tenant_configs\.region text null/,
    ],
    [
      'a type changed',
      'ALTER TABLE tenant_configs ALTER COLUMN updated_at TYPE timestamp',
      /column tenant_configs\.updated_at changed: timestamp with time zone not null → timestamp without time zone not null/,
    ],
    [
      'a JSON key renamed',
      "UPDATE tenant_configs SET config = jsonb_set(config #- '{retrieval,topK}', '{retrieval,top_k}', config #> '{retrieval,topK}')",
      /JSON key renamed: retrieval\.topK → retrieval\.top_k/,
    ],
  ])('FAILs naming the change and its date after %s inside the window', async (_what, ddl, change) => {
    await seed(80);
    const history = tempHistoryFile();
    const first = await run({ history: { file: history } }, { now: new Date(Date.now() - 40 * DAY) });
    expect(first.criteria.find((c) => c.id === 'schema-stable')?.status).toBe('PASS');
    await run({ history: { file: history } }, { now: new Date(Date.now() - 6 * DAY) });
    await pg.exec(ddl);
    const changedOn = new Date(Date.now() - 5 * DAY);
    await run({ history: { file: history } }, { now: changedOn });
    const result = await run({ history: { file: history } });
    const stable = result.criteria.find((c) => c.id === 'schema-stable')!;
    expect(stable.status).toBe('FAIL');
    expect(stable.summary).toMatch(new RegExp(`^schema unchanged for 5 of 30 days \\(changed on ${changedOn.toISOString().slice(0, 10)}: `));
    expect(stable.summary).toMatch(change);
    expect(stable.remediation).toMatch(/passes 30 days after the last change/);
  });

  it('restores the canary when the app never shows the nonce (FAIL naming the URL and limit)', async () => {
    await seed();
    const app = await startEffectiveConfigApp(() => '{"model":"stale"}');
    const before = await configTable(pg.url);
    try {
      const result = await run({
        history: { file: tempHistoryFile() },
        canary: { tenant: 'test-canary', effectiveConfigUrl: app.url, propagationLimitSeconds: 0.5, pollIntervalMs: 100 },
      });
      const trip = result.criteria.find((c) => c.id === 'round-trip')!;
      expect(trip.status).toBe('FAIL');
      expect(trip.summary).toBe(`config change not visible to the app within 0.5 s at ${app.url}`);
      expect(trip.evidence).toContain('canary restored exactly');
      expect(app.requests()).toBeGreaterThanOrEqual(3);
      expect(await configTable(pg.url)).toBe(before);
    } finally {
      await app.stop();
    }
  });

  it('is ERROR (not FAIL) when the effective-config endpoint is unreachable, and restores', async () => {
    await seed();
    const before = await configTable(pg.url);
    const closed = await startEffectiveConfigApp(() => '{}');
    await closed.stop();
    const result = await run({
      history: { file: tempHistoryFile() },
      canary: { tenant: 'test-canary', effectiveConfigUrl: closed.url, propagationLimitSeconds: 0.3, pollIntervalMs: 100 },
    });
    const trip = result.criteria.find((c) => c.id === 'round-trip')!;
    const port = new URL(closed.url).port;
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toBe(
      `effective config not readable at ${closed.url}: last poll: GET ${closed.url}: connection refused to 127.0.0.1:${port} (ECONNREFUSED)`,
    );
    expect(await configTable(pg.url)).toBe(before);
  });

  it('names tenants whose config fails the JSON Schema or does not parse', async () => {
    await seed();
    await pg.exec(`UPDATE tenant_configs SET config = '{"model": 4, "retrieval": {"topK": 8, "shard": "s1"}, "features": {}}' WHERE tenant_id = 'initech';
                   UPDATE tenant_configs SET config = '[]' WHERE tenant_id = 'cyberdyne';`);
    const schemaFile = join(dirname(tempHistoryFile()), 'schema.json');
    writeFileSync(schemaFile, JSON.stringify({ type: 'object', required: ['model'], properties: { model: { type: 'string' } } }));
    const result = await run({ history: { file: tempHistoryFile() }, schemaFile });
    const configs = result.criteria.find((c) => c.id === 'configs')!;
    expect(configs.status).toBe('FAIL');
    expect(configs.summary).toBe('2 of 13 tenant configs do not parse or fail the schema: cyberdyne, initech');
    expect(configs.evidence).toContain('initech: /model must be string');
    expect(configs.evidence).toContain('cyberdyne: not a JSON object (array)');
  });

  it('FAILs the audit criterion when no audit table exists', async () => {
    await seed();
    await pg.exec('DROP TABLE tenant_config_audit CASCADE');
    const result = await run({ history: { file: tempHistoryFile() } });
    const audit = result.criteria.find((c) => c.id === 'audit-trail')!;
    expect(audit.status).toBe('FAIL');
    expect(audit.summary).toMatch(/^no audit trail for config changes \(looked for tables tenant_config_audit, /);
  });

  it('FAILs the audit criterion when the audit table exists but did not record the canary write', async () => {
    await seed();
    await pg.exec('DROP TRIGGER tenant_config_audit ON tenant_configs');
    const result = await run({ history: { file: tempHistoryFile() }, canary: { tenant: 'test-canary' } });
    const audit = result.criteria.find((c) => c.id === 'audit-trail')!;
    expect(audit.status).toBe('FAIL');
    expect(audit.summary).toBe('the audit trail (audit table tenant_config_audit (changed_at)) did not record the canary write');
  });

  it('ERRORs naming host and port when the database is unreachable', async () => {
    const result = await runConfigGate({ appdb: { type: 'postgres', url: 'postgres://u:hunter2pw@127.0.0.1:9/db' } }, { history: { file: tempHistoryFile() } });
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/^config store: PostgreSQL db@127\.0\.0\.1:9: connection refused to 127\.0\.0\.1:9/);
    expect(JSON.stringify(result)).not.toContain('hunter2pw');
  });
});
