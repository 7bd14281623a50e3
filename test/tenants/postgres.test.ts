import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { clientConfig } from '../../lambda/sources/postgres/connection';
import type { SecretResolver } from '../../lambda/core/secrets';
import { DEMO_TENANTS, demoSchemaSql, type DemoTenant } from '../../demo/dataset';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';
import { runGate } from '../support/gate';
import { runCli } from '../support/cli';

const tenantsGate = (extra: Record<string, unknown> = {}) => ({ source: 'appdb', minTenants: 10, ...extra });

describe.each(postgresTargetNames())('gate 1 on PostgreSQL (%s)', (name) => {
  let pg: PostgresTarget;
  beforeAll(async () => {
    pg = await startTarget(name);
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const run = (gate: Record<string, unknown> = {}, probes = true) =>
    runGate({ sources: { appdb: { type: 'postgres', url: pg.url } }, gates: { tenants: tenantsGate(gate) } }, 'tenants', { probes });

  it('PASSes on the demo dataset with counts and evidence', async () => {
    await pg.exec(demoSchemaSql());
    const { result } = await run();
    expect(result.status).toBe('PASS');
    expect(result.summary).toBe('12 active tenants with unique IDs, config records and positive quotas');
    expect(result.measurements).toContainEqual({ name: 'activeTenants', value: 12, unit: 'tenants', threshold: '>= 10' });
    expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
      ['active-tenants', 'PASS'],
      ['unique-ids', 'PASS'],
      ['config-records', 'PASS'],
      ['quotas', 'PASS'],
    ]);
    expect(result.criteria[0].evidence?.[0]).toMatch(/^14 tenants in PostgreSQL .*table tenants; active means status in \(active\)$/);
    expect(result.criteria[3].summary).toBe('every active tenant has a positive quota (monthly_token_quota, rate_limit_rpm)');
  });

  it('FAILs naming the shortfall with 9 active tenants (suspended and deleted not counted)', async () => {
    const nine = DEMO_TENANTS.filter((t) => t.status !== 'active').concat(DEMO_TENANTS.filter((t) => t.status === 'active').slice(0, 9));
    await pg.exec(demoSchemaSql(nine));
    const { result } = await run();
    expect(result.status).toBe('FAIL');
    expect(result.summary).toBe('only 9 active tenants, need ≥ 10 (short by 1) (2 more not active)');
    expect(result.remediation).toMatch(/Onboard 1 more tenant /);
  });

  it('FAILs naming the tenant that lacks a quota, and the one without a config record', async () => {
    await pg.exec(demoSchemaSql());
    await pg.exec(`UPDATE tenants SET rate_limit_rpm = NULL WHERE tenant_id = 'initech';
                   UPDATE tenants SET monthly_token_quota = 0 WHERE tenant_id = 'hooli-docs';
                   DELETE FROM tenant_configs WHERE tenant_id = 'wonka-labs';`);
    const { result } = await run();
    expect(result.status).toBe('FAIL');
    const byId = Object.fromEntries(result.criteria.map((c) => [c.id, c]));
    expect(byId.quotas.summary).toBe(
      '2 active tenants lack a positive quota in monthly_token_quota, rate_limit_rpm: hooli-docs (monthly_token_quota is 0), initech (rate_limit_rpm is NULL)',
    );
    expect(byId['config-records'].summary).toBe('1 active tenant has no config record: wonka-labs');
    expect(byId['active-tenants'].status).toBe('PASS');
  });

  it('finds IDs that collide after trim, NFKC and lower-casing', async () => {
    const extra: DemoTenant[] = [
      { id: 'Acme-Legal ', name: 'dup by case and space', tier: 'pro', status: 'active' },
      { id: 'ｉｎｉｔｅｃｈ', name: 'dup by width (NFKC)', tier: 'pro', status: 'active' },
      { id: ' ', name: 'blank id', tier: 'free', status: 'active' },
    ];
    await pg.exec(demoSchemaSql([...DEMO_TENANTS, ...extra]));
    const { result } = await run();
    const ids = result.criteria.find((c) => c.id === 'unique-ids')!;
    expect(ids.status).toBe('FAIL');
    expect(ids.summary).toBe(
      'tenant IDs not usable: 1 without an ID, 2 IDs used by more than one tenant: "Acme-Legal " = "acme-legal", "initech" = "ｉｎｉｔｅｃｈ"',
    );
    expect(ids.evidence).toEqual([
      '15 active IDs checked after normalisation (trim, NFKC, lower-case)',
      '1 active tenant has an empty or missing ID',
      'duplicates: "Acme-Legal " = "acme-legal", "initech" = "ｉｎｉｔｅｃｈ"',
    ]);
  });

  it('pages through more IDs than one page holds and still finds a late duplicate', async () => {
    await pg.exec(demoSchemaSql());
    await pg.exec(`INSERT INTO tenants (tenant_id, name, tier, status, monthly_token_quota, rate_limit_rpm)
                   SELECT 'bulk-' || lpad(g::text, 6, '0'), 'Bulk', 'free', 'active', 1000, 10 FROM generate_series(1, 25000) g;
                   INSERT INTO tenant_configs (tenant_id, config) SELECT tenant_id, '{}'::jsonb FROM tenants WHERE tenant_id LIKE 'bulk-%';
                   INSERT INTO tenants (tenant_id, name, tier, status, monthly_token_quota, rate_limit_rpm) VALUES ('zz-BULK-024999', 'late', 'free', 'active', 1, 1);
                   UPDATE tenants SET tenant_id = 'zzz' WHERE tenant_id = 'zz-BULK-024999';
                   UPDATE tenants SET tenant_id = 'BULK-024999 ' WHERE tenant_id = 'zzz';
                   INSERT INTO tenant_configs (tenant_id, config) VALUES ('BULK-024999 ', '{}');`);
    const { result } = await run();
    // 25,013 active rows; the late duplicate is the same tenant as bulk-024999, counted once.
    expect(result.measurements[0]).toMatchObject({ name: 'activeTenants', value: 25012 });
    const ids = result.criteria.find((c) => c.id === 'unique-ids')!;
    expect(ids.evidence).toContain('duplicates: "BULK-024999 " = "bulk-024999"');
  });

  it('follows a custom mapping: schema-qualified table, uuid ids, other status values, named quota columns', async () => {
    await pg.exec(`DROP SCHEMA IF EXISTS crm CASCADE; CREATE SCHEMA crm;
      CREATE TABLE crm.customers (id uuid PRIMARY KEY, state text, plan_limit integer, settings jsonb);
      INSERT INTO crm.customers SELECT gen_random_uuid(), CASE WHEN g <= 11 THEN 'LIVE' ELSE 'churned' END, 100, '{"a":1}' FROM generate_series(1, 13) g;`);
    const { result } = await run({
      table: 'crm.customers',
      idColumn: 'id',
      statusColumn: 'state',
      activeValues: ['live'],
      quotaColumns: ['plan_limit'],
      configColumn: 'settings',
    });
    expect(result.status).toBe('PASS');
    expect(result.criteria[0].evidence?.[0]).toMatch(/13 tenants in .*table crm\.customers; active means state in \(live\)/);
    expect(result.criteria[2].summary).toBe('every active tenant has a config record (settings column not null)');
  });

  it('is ERROR naming the table when it does not exist, and the column when it is missing', async () => {
    const missing = await run({ table: 'nope' });
    expect(missing.result).toMatchObject({ status: 'ERROR' });
    expect(missing.result.summary).toMatch(/tenant store: table 'nope' not found in postgres@127\.0\.0\.1|tenant store: table 'nope' not found in sr_test_/);
    await pg.exec(demoSchemaSql());
    const col = await run({ idColumn: 'uid' });
    expect(col.result.summary).toMatch(/ID column 'uid' \(idColumn\) not found in tenants \(columns: tenant_id, name, /);
  });

  it("uses the source's ssl setting even when the URL carries an sslmode (pg lets the URL win)", async () => {
    await pg.exec(demoSchemaSql());
    const url = `${pg.url}${pg.url.includes('?') ? '&' : '?'}sslmode=require`;
    const { result } = await runGate({ sources: { appdb: { type: 'postgres', url, ssl: 'disable' } }, gates: { tenants: tenantsGate() } }, 'tenants');
    expect(result.status).toBe('PASS');
  });

  (name === 'server' ? it : it.skip)(
    'is ERROR, not a count of what row-level security lets the login see, when a policy on tenants applies to it',
    async () => {
      await pg.exec(demoSchemaSql());
      const login = `sr_census_${Date.now()}`;
      // The policy hides the one tenant without a config record: counted through it, the gate PASSed.
      await pg.exec(`CREATE ROLE ${login} LOGIN; GRANT SELECT ON tenants, tenant_configs TO ${login};
                   DELETE FROM tenant_configs WHERE tenant_id = 'wonka-labs';
                   ALTER TABLE tenants ENABLE ROW LEVEL SECURITY; CREATE POLICY hide ON tenants USING (tenant_id <> 'wonka-labs')`);
      try {
        const url = pg.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${login}@`);
        const { result } = await runGate({ sources: { appdb: { type: 'postgres', url } }, gates: { tenants: tenantsGate() } }, 'tenants');
        expect(result).toMatchObject({
          status: 'ERROR',
          summary:
            'tenant store: table tenants has row-level security that applies to this login, which would see only some of its rows; connect as a role with BYPASSRLS (or a superuser): the check only reads',
        });
      } finally {
        await pg.exec(`DROP OWNED BY ${login}; DROP ROLE ${login}`);
      }
    },
  );

  describe('isolation probe', () => {
    const probe = { isolationProbe: { role: 'app_user', tables: ['documents'], setting: 'app.current_tenant', tenant: 'initech' } };
    const isolation = async (gate: Record<string, unknown>) => (await run(gate)).result.criteria.find((c) => c.id === 'isolation')!;

    it('PASSes when RLS is enabled, forced, shows the tenant its own rows and hides the others', async () => {
      await pg.exec(demoSchemaSql());
      const iso = await isolation(probe);
      expect(iso.status).toBe('PASS');
      expect(iso.summary).toBe("initech sees its own rows and no other tenant's in 1 table(s), and a tenant that does not exist sees none");
      expect(iso.evidence?.[0]).toMatch(
        /^documents: RLS enabled, forced; 1 SELECT policy for app_user \(reading app\.current_tenant\); as app_user with app\.current_tenant = 'initech': (\d+) of \1 own rows and 0 of \d+ other-tenant rows visible; with a tenant that does not exist: 0 rows visible$/,
      );
    });
    it('FAILs when RLS is not forced', async () => {
      await pg.exec(demoSchemaSql());
      await pg.exec('ALTER TABLE documents NO FORCE ROW LEVEL SECURITY');
      expect((await isolation(probe)).summary).toBe('tenant isolation broken: documents: row-level security not forced (the table owner bypasses it)');
    });
    it('FAILs naming the leak when a policy lets other tenants through', async () => {
      await pg.exec(demoSchemaSql());
      await pg.exec(
        "DROP POLICY tenant_isolation ON documents; CREATE POLICY leaky ON documents USING (tenant_id = current_setting('app.current_tenant', true) OR tenant_id = 'acme-legal')",
      );
      const iso = await isolation(probe);
      expect(iso.status).toBe('FAIL');
      expect(iso.summary).toMatch(
        /^tenant isolation broken: documents: \d+ rows of other tenants visible to initech; documents: \d+ rows visible with app\.current_tenant naming a tenant that does not exist/,
      );
    });
    it('is ERROR, not PASS, with a setting the policies do not read (set_config accepts any two-part name)', async () => {
      await pg.exec(demoSchemaSql());
      const iso = await isolation({ isolationProbe: { ...probe.isolationProbe, setting: 'app.tenant_id' } });
      expect(iso.status).toBe('ERROR');
      expect(iso.summary).toMatch(
        /^isolation not measured: documents: none of initech's \d+ rows visible as app_user with app\.tenant_id = 'initech' \(the policies read app\.current_tenant, not app\.tenant_id; PostgreSQL accepts any two-part setting name as a placeholder, so a wrong name is not an error\)$/,
      );
    });
    it('is ERROR, not PASS, for a tenant that does not exist', async () => {
      await pg.exec(demoSchemaSql());
      const iso = await isolation({ isolationProbe: { ...probe.isolationProbe, tenant: 'initec' } });
      expect(iso.status).toBe('ERROR');
      expect(iso.summary).toBe("isolation not measured: documents has no rows of tenant 'initec' (no such tenant there), so its view shows nothing");
    });
    it('is ERROR naming the cause when no SELECT policy applies to the app role (RLS then hides every row)', async () => {
      await pg.exec(demoSchemaSql());
      await pg.exec('DROP POLICY tenant_isolation ON documents');
      const iso = await isolation(probe);
      expect(iso.status).toBe('ERROR');
      expect(iso.summary).toMatch(/\(no SELECT policy applies to app_user: row-level security then hides every row\)$/);
    });
    it('FAILs when what the role sees does not follow the setting (a policy on a fixed tenant)', async () => {
      await pg.exec(demoSchemaSql());
      await pg.exec("DROP POLICY tenant_isolation ON documents; CREATE POLICY fixed ON documents USING (tenant_id = 'initech')");
      const iso = await isolation(probe);
      expect(iso.status).toBe('FAIL');
      expect(iso.summary).toMatch(
        /^tenant isolation broken: documents: \d+ rows visible with app\.current_tenant naming a tenant that does not exist \(visibility does not follow the setting\)$/,
      );
    });
    it('by default probes the busiest tenant among those with rows in every listed table', async () => {
      await pg.exec(demoSchemaSql());
      await pg.exec(`CREATE TABLE notes (tenant_id text NOT NULL, body text);
        INSERT INTO notes VALUES ('initech', 'a'), ('acme-legal', 'b');
        GRANT SELECT ON notes TO app_user;
        ALTER TABLE notes ENABLE ROW LEVEL SECURITY; ALTER TABLE notes FORCE ROW LEVEL SECURITY;
        CREATE POLICY tenant_isolation ON notes USING (tenant_id = current_setting('app.current_tenant', true));
        INSERT INTO documents (tenant_id, title) SELECT 'cyberdyne', 'bulk ' || g FROM generate_series(1, 20) g;`);
      try {
        const iso = await isolation({ isolationProbe: { role: 'app_user', tables: ['documents', 'notes'], setting: 'app.current_tenant' } });
        expect(iso.status).toBe('PASS');
        expect(iso.summary).toMatch(/^(initech|acme-legal) sees its own rows/);
      } finally {
        await pg.exec('DROP TABLE notes');
      }
    });
    it('is not run with --no-probes, and the gate then cannot PASS', async () => {
      await pg.exec(demoSchemaSql());
      const { result } = await run(probe, false);
      expect(result.criteria.find((c) => c.id === 'isolation')).toMatchObject({
        status: 'SKIP',
        summary: 'isolation probe configured but not run (--no-probes)',
      });
      expect(result.status).toBe('SKIP');
    });
    (name === 'server' ? it : it.skip)("is ERROR naming BYPASSRLS when the probe's own login is subject to row security", async () => {
      await pg.exec(demoSchemaSql());
      const owner = `sr_owner_${Date.now()}`;
      await pg.exec(`CREATE ROLE ${owner} LOGIN NOBYPASSRLS; ALTER TABLE documents OWNER TO ${owner}; GRANT app_user TO ${owner};
                     GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${owner}; GRANT USAGE ON SCHEMA public TO ${owner}`);
      try {
        const url = pg.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${owner}@`);
        const { result } = await runGate({ sources: { appdb: { type: 'postgres', url } }, gates: { tenants: tenantsGate(probe) } }, 'tenants');
        const iso = result.criteria.find((c) => c.id === 'isolation')!;
        expect(iso.status).toBe('ERROR');
        expect(iso.summary).toBe(
          'isolation probe: table documents has row-level security that applies to this login, which would see only some of its rows; connect as a role with BYPASSRLS (or a superuser): the check only reads',
        );
      } finally {
        await pg.exec(`ALTER TABLE documents OWNER TO CURRENT_USER; DROP OWNED BY ${owner}; DROP ROLE ${owner}`);
      }
    });
  });
});

describe("PostgreSQL TLS settings (pg lets a connection string's TLS parameters override the ssl object)", () => {
  const secrets = { resolve: async (v: string) => v, json: async () => ({}) } as unknown as SecretResolver;
  it("caFile is trusted in addition to Node's CAs, and the URL's sslmode cannot drop it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-ca-'));
    const pem = '-----BEGIN CERTIFICATE-----\nMIIBlocal\n-----END CERTIFICATE-----\n';
    writeFileSync(join(dir, 'ca.pem'), pem);
    const cfg = await clientConfig({ type: 'postgres', url: 'postgres://app@db.example:5432/app?sslmode=verify-full', caFile: join(dir, 'ca.pem') }, secrets);
    expect(cfg.connectionString).toBe('postgres://app@db.example:5432/app');
    expect(cfg.ssl).toEqual({ rejectUnauthorized: true, ca: [...rootCertificates, pem] });
  });
});

describe('gate 1 with the database unreachable', () => {
  it('is ERROR naming host and cause, and the CLI exits 1', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    // An empty working directory: the zero-config default, not a readiness.yaml lying around.
    const cwd = mkdtempSync(join(tmpdir(), 'sr-zero-'));
    const res = await runCli(['run', '--format', 'json'], { cwd, env: { DATABASE_URL: `postgres://app:s3cret-pw@127.0.0.1:${port}/app` } });
    expect(res.code).toBe(1);
    const report = JSON.parse(res.stdout);
    expect(report.results[0]).toMatchObject({ gate: 'tenants', status: 'ERROR' });
    expect(report.results[0].summary).toBe(`tenant store: PostgreSQL app@127.0.0.1:${port}: connection refused to 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(res.stdout + res.stderr).not.toContain('s3cret-pw');
  });
});
