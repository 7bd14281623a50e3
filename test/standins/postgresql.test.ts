import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { pgErrorResponse, tcpFaultServer } from '../support/faults';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';

/**
 * One test per rule of docs/contracts/postgresql.md that the PostgreSQL adapters rely on, on the
 * real engines (PGlite always, the local server when reachable) through the pg driver. Role-based
 * rules switch roles with SET ROLE inside a transaction, so they hold on PGlite's single session.
 */
describe.each(postgresTargetNames())('PostgreSQL contract rules (%s, through pg)', (name) => {
  let pg: PostgresTarget;
  let client: Client;
  const suffix = randomBytes(4).toString('hex');
  const app = `sr_rule_app_${suffix}`;
  const owner = `sr_rule_owner_${suffix}`;
  const other = `sr_rule_other_${suffix}`;

  beforeAll(async () => {
    pg = await startTarget(name);
    client = new Client({ connectionString: pg.url });
    await client.connect();
    await client.query(`CREATE ROLE ${app} NOLOGIN NOBYPASSRLS; CREATE ROLE ${owner} NOLOGIN NOBYPASSRLS; CREATE ROLE ${other} NOLOGIN;
      GRANT ${app} TO ${owner};
      CREATE TABLE rule_docs (tenant_id text, title text);
      INSERT INTO rule_docs VALUES ('a', 'a1'), ('a', 'a2'), ('b', 'b1'), (NULL, 'shared');
      ALTER TABLE rule_docs OWNER TO ${owner};
      GRANT SELECT ON rule_docs TO ${app};
      ALTER TABLE rule_docs ENABLE ROW LEVEL SECURITY;
      CREATE POLICY by_tenant ON rule_docs FOR SELECT USING (tenant_id = current_setting('app.current_tenant', true));`);
  });
  afterAll(async () => {
    await client
      ?.query(`DROP TABLE IF EXISTS rule_docs; DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${owner}; DROP ROLE IF EXISTS ${other}`)
      .catch(() => undefined);
    await client?.end();
    await pg?.stop();
  });

  /** Runs statements in a transaction that is always rolled back; returns the last result's rows. */
  const inTransaction = async (statements: string[]) => {
    await client.query('BEGIN');
    try {
      let rows: Record<string, unknown>[] = [];
      for (const s of statements) rows = (await client.query(s)).rows;
      return rows;
    } finally {
      await client.query('ROLLBACK');
    }
  };
  const sqlstate = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      const e = err as { code?: string; message: string; severity?: string };
      return { code: e.code, message: e.message, severity: e.severity };
    }
    throw new Error('expected an error');
  };

  it('[P1] set_config accepts any two-part name as a placeholder; a one-part unknown name is 42704; a reserved prefix is 42602', async () => {
    expect(await inTransaction([`SELECT set_config('app.no_policy_reads_this_${suffix}', 'x', true) AS v`])).toEqual([{ v: 'x' }]);
    expect(await sqlstate(inTransaction(["SELECT set_config('nodot', 'x', true)"]))).toMatchObject({ code: '42704' });
    await client.query('DO $$ BEGIN END $$'); // loads plpgsql, which reserves its prefix
    expect(await sqlstate(inTransaction([`SELECT set_config('plpgsql.no_such_${suffix}', 'x', true)`]))).toMatchObject({ code: '42602' });
  });

  it("[P2] current_setting(name, true) is NULL for a never-set name, '' once a transaction-local value has ended; without missing_ok it is 42704", async () => {
    const setting = `app.rule_p2_${suffix}`;
    expect((await client.query('SELECT current_setting($1, true) AS v', [setting])).rows).toEqual([{ v: null }]);
    expect(await sqlstate(client.query('SELECT current_setting($1) AS v', [setting]))).toMatchObject({ code: '42704' });
    expect(await inTransaction([`SELECT set_config('${setting}', 'tenant-a', true)`, `SELECT current_setting('${setting}', true) AS v`])).toEqual([
      { v: 'tenant-a' },
    ]);
    expect((await client.query('SELECT current_setting($1, true) AS v', [setting])).rows).toEqual([{ v: '' }]);
  });

  it('[P3] with RLS enabled, a role sees what the policies allow; no policy means no row; the owner bypasses unless FORCE; a superuser always', async () => {
    const count = (role: string, tenant: string | null, force = false) =>
      inTransaction([
        ...(force ? ['ALTER TABLE rule_docs FORCE ROW LEVEL SECURITY'] : []),
        ...(tenant ? [`SELECT set_config('app.current_tenant', '${tenant}', true)`] : []),
        ...(role ? [`SET LOCAL ROLE ${role}`] : []),
        'SELECT count(*)::int AS n FROM rule_docs',
      ]);
    expect(await count(app, 'a')).toEqual([{ n: 2 }]);
    expect(await count(app, null)).toEqual([{ n: 0 }]);
    expect(await count(owner, null)).toEqual([{ n: 4 }]);
    expect(await count(owner, null, true)).toEqual([{ n: 0 }]);
    expect(await count('', null, true)).toEqual([{ n: 4 }]); // the test login is a superuser
    expect(
      await inTransaction([
        'DROP POLICY by_tenant ON rule_docs',
        `SELECT set_config('app.current_tenant', 'a', true)`,
        `SET LOCAL ROLE ${app}`,
        'SELECT count(*)::int AS n FROM rule_docs',
      ]),
    ).toEqual([{ n: 0 }]);
  });

  it("[P4] row_security_active(table) is true exactly when the current user's reads of it are filtered by row security", async () => {
    const active = (role: string, force = false) =>
      inTransaction([
        ...(force ? ['ALTER TABLE rule_docs FORCE ROW LEVEL SECURITY'] : []),
        ...(role ? [`SET LOCAL ROLE ${role}`] : []),
        "SELECT row_security_active('rule_docs') AS on",
      ]);
    expect(await active(app)).toEqual([{ on: true }]);
    expect(await active(owner)).toEqual([{ on: false }]);
    expect(await active(owner, true)).toEqual([{ on: true }]);
    expect(await active('', true)).toEqual([{ on: false }]); // the test login is a superuser
    expect((await client.query("SELECT row_security_active('pg_class') AS on")).rows).toEqual([{ on: false }]);
  });

  it('[P5] the catalog names the RLS flags, role attributes and policies (cmd, roles, USING expression)', async () => {
    const flags = await client.query("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'rule_docs'::regclass");
    expect(flags.rows).toEqual([{ relrowsecurity: true, relforcerowsecurity: false }]);
    const roles = await client.query('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1', [app]);
    expect(roles.rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
    const policy = await client.query(
      "SELECT polcmd, polroles::oid[] AS roles, pg_get_expr(polqual, polrelid) AS qual FROM pg_policy WHERE polrelid = 'rule_docs'::regclass",
    );
    expect(policy.rows).toEqual([{ polcmd: 'r', roles: [0], qual: "(tenant_id = current_setting('app.current_tenant'::text, true))" }]);
    expect((await client.query('SELECT pg_has_role($1, $2::regrole, $3) AS m', [owner, app, 'MEMBER'])).rows).toEqual([{ m: true }]);
  });

  it('[P6] SET LOCAL ROLE lasts until the end of the transaction', async () => {
    expect(await inTransaction([`SET LOCAL ROLE ${app}`, 'SELECT current_user AS u'])).toEqual([{ u: app }]);
    expect((await client.query('SELECT current_user = session_user AS same')).rows).toEqual([{ same: true }]);
  });

  (name === 'server' ? it : it.skip)('[P6] SET ROLE needs the session user (the login) to be a member of the role: 42501 otherwise', async () => {
    const login = `sr_rule_login_${suffix}`;
    await client.query(`CREATE ROLE ${login} LOGIN`);
    const asLogin = new Client({ connectionString: pg.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${login}@`) });
    await asLogin.connect();
    try {
      expect(await sqlstate(asLogin.query(`SET ROLE ${app}`))).toMatchObject({ code: '42501', message: `permission denied to set role "${app}"` });
      await client.query(`GRANT ${app} TO ${login}`);
      await asLogin.query(`SET ROLE ${app}`);
    } finally {
      await asLogin.end();
      await client.query(`DROP ROLE ${login}`);
    }
  });

  it('[P7] to_regclass answers NULL for a name that does not exist (no error)', async () => {
    expect((await client.query('SELECT to_regclass($1) AS r', ['no_such_table'])).rows).toEqual([{ r: null }]);
    expect(await sqlstate(client.query('SELECT * FROM no_such_table'))).toMatchObject({ code: '42P01' });
  });

  (name === 'server' ? it : it.skip)(
    '[P8, P9] pg reports server errors with their SQLSTATE: 57014 for statement_timeout, 3D000 for an unknown database',
    async () => {
      const timed = new Client({ connectionString: pg.url, statement_timeout: 50 });
      await timed.connect();
      try {
        expect(await sqlstate(timed.query('SELECT pg_sleep(2)'))).toMatchObject({
          code: '57014',
          message: 'canceling statement due to statement timeout',
          severity: 'ERROR',
        });
      } finally {
        await timed.end();
      }
      const nowhere = new Client({ connectionString: pg.url.replace(/\/[^/?]+(\?|$)/, '/sr_no_such_database$1') });
      expect(await sqlstate(nowhere.connect())).toMatchObject({ code: '3D000', message: 'database "sr_no_such_database" does not exist' });
    },
  );
});

describe('PostgreSQL contract rules (wire stand-in, through pg)', () => {
  it("[P8] a rejected password (28P01) rejects connect() with the SQLSTATE and the server's message", async () => {
    const server = await tcpFaultServer((s) => s.once('data', () => s.end(pgErrorResponse('28P01', 'password authentication failed for user "app"'))));
    const client = new Client({ connectionString: `postgres://app:pw@127.0.0.1:${server.port}/app`, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "app"' });
    } finally {
      await server.close();
    }
  });
});
