import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../demo/embedded-postgres';
import { type PostgresTarget, startServerDatabase } from '../standins/postgresql';
import { pgliteData } from './pglite-data';

export { type PostgresTarget, SERVER_ADMIN_URL, serverReachable, startServerDatabase } from '../standins/postgresql';

/** PGlite from the data folder the global setup dumped (test/support/pglite-data.ts). */
export async function startPglite(): Promise<PostgresTarget> {
  const pg: EmbeddedPostgres = await startEmbeddedPostgres({ loadDataDir: pgliteData() });
  return { name: 'pglite', url: pg.url, exec: async (sql) => void (await pg.db.exec(sql)), stop: () => pg.stop() };
}

/** The targets for this run: PGlite, plus the server when the global setup found it reachable. */
export function postgresTargetNames(): PostgresTarget['name'][] {
  return process.env.SR_TEST_PG_SERVER === '1' ? ['pglite', 'server'] : ['pglite'];
}

export function startTarget(name: PostgresTarget['name']): Promise<PostgresTarget> {
  return name === 'pglite' ? startPglite() : startServerDatabase();
}
