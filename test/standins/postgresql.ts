import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * PostgreSQL for tests and benchmarks: the local PostgreSQL server (CI has one on 127.0.0.1:5432;
 * a laptop may not), one fresh database per user. PGlite, the embedded engine every test can rely
 * on, starts through test/support/postgres.ts.
 */

/** A database to test against: PGlite always, the local PostgreSQL server when one is reachable. */
export interface PostgresTarget {
  name: 'pglite' | 'server';
  url: string;
  /** Runs SQL as the owner (superuser). */
  exec(sql: string): Promise<void>;
  stop(): Promise<void>;
}

export const SERVER_ADMIN_URL = process.env.SAAS_READINESS_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** True when the local PostgreSQL server accepts connections (it does in CI; a laptop may have none). */
export async function serverReachable(): Promise<boolean> {
  const client = new Client({ connectionString: SERVER_ADMIN_URL, connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** A fresh database on the local server, dropped again by stop(). */
export async function startServerDatabase(): Promise<PostgresTarget> {
  const dbName = `sr_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: SERVER_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  await admin.end();
  const url = SERVER_ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${dbName}$1`);
  const owner = new Client({ connectionString: url });
  await owner.connect();
  return {
    name: 'server',
    url,
    exec: async (sql) => void (await owner.query(sql)),
    async stop() {
      await owner.end();
      const a = new Client({ connectionString: SERVER_ADMIN_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await a.end();
    },
  };
}
