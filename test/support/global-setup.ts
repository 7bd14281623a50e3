import { execFile } from 'node:child_process';
import { CFN_LINT } from './cfn-lint';
import { PYTHON } from './moto';
import { ensurePgliteData } from './pglite-data';
import { serverReachable } from './postgres';

/** The trimmed stdout of a command that succeeded, else undefined. */
const probe = (cmd: string, args: string[]) =>
  new Promise<string | undefined>((resolve) =>
    execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout) => resolve(err ? undefined : stdout.trim())),
  );

/**
 * Once per run (per jest project that has it), all at once: whether the local PostgreSQL server
 * joins PGlite as a test target; the PGlite data folder every suite starts from; whether moto and
 * cfn-lint run here (Python imports of seconds each, which every suite using them made itself).
 */
export default async function globalSetup(): Promise<void> {
  const [reachable, pgliteData, moto, cfnLint] = await Promise.all([
    serverReachable(),
    ensurePgliteData(),
    process.env.SR_TEST_MOTO ?? probe(PYTHON, ['-c', 'import moto.server, sys; sys.stdout.write(moto.__version__)']),
    process.env.SR_TEST_CFN_LINT ?? probe(CFN_LINT, ['--version']),
  ]);
  process.env.SR_TEST_PG_SERVER = reachable ? '1' : '0';
  process.env.SR_TEST_PGLITE_DATA = pgliteData;
  process.env.SR_TEST_MOTO = moto === '1' || (moto !== undefined && moto !== '0') ? '1' : '0';
  process.env.SR_TEST_CFN_LINT = cfnLint ?? '';
  if (process.env.SR_TEST_PG_SERVER === '0') {
    process.stderr.write('\n[saas-readiness tests] PostgreSQL server on 127.0.0.1:5432 not reachable: PostgreSQL tests run on PGlite only\n');
  }
}
