import { ensurePgliteData } from './pglite-data';
import { serverReachable } from './postgres';

/**
 * Once per run (per jest project that has it): decides whether the local PostgreSQL server joins
 * PGlite as a test target, and makes the PGlite data folder every suite starts from.
 */
export default async function globalSetup(): Promise<void> {
  const [reachable, pgliteData] = await Promise.all([serverReachable(), ensurePgliteData()]);
  process.env.SR_TEST_PG_SERVER = reachable ? '1' : '0';
  process.env.SR_TEST_PGLITE_DATA = pgliteData;
  if (process.env.SR_TEST_PG_SERVER === '0') {
    process.stderr.write('\n[saas-readiness tests] PostgreSQL server on 127.0.0.1:5432 not reachable: PostgreSQL tests run on PGlite only\n');
  }
}
