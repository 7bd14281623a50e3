import { serverReachable } from './postgres';

/** Decides once per run whether the local PostgreSQL server joins PGlite as a test target. */
export default async function globalSetup(): Promise<void> {
  process.env.SR_TEST_PG_SERVER = (await serverReachable()) ? '1' : '0';
  if (process.env.SR_TEST_PG_SERVER === '0') {
    process.stderr.write('\n[saas-readiness tests] PostgreSQL server on 127.0.0.1:5432 not reachable: PostgreSQL tests run on PGlite only\n');
  }
}
