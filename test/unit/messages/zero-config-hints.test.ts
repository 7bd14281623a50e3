import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate as cost } from '../../../lambda/checks/cost/gate';
import { runCli } from '../../support/cli';

describe('the cost SKIP hint names what is missing', () => {
  it('asks for DATABASE_URL only when it is not set', () => {
    const unset = cost.fromEnvironment({});
    expect('skip' in unset && unset.skip).toMatch(/^not configured: set DATABASE_URL \(ledger table tenant_costs\) plus OPENAI_ADMIN_KEY/);
    const set = cost.fromEnvironment({ DATABASE_URL: 'postgres://u:p@h/db' });
    expect('skip' in set && set.skip).toBe(
      'not configured: DATABASE_URL is set (the ledger), but no bill to compare it with: set OPENAI_ADMIN_KEY and/or SAAS_READINESS_COST_TAG=tenant_id (Cost Explorer, $0.01 per request) or SAAS_READINESS_BILL_EXPORT=path/to/cur.csv; or write gates.cost in readiness.yaml',
    );
  });
});

describe('init says what validate needs', () => {
  it('the starter file and the next step name DATABASE_URL, which validate stops at when unset', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'init-'));
    const init = await runCli(['init'], { cwd });
    expect(init.stdout).toMatch(/next: edit it, set DATABASE_URL \(and every other \$\{env:NAME\} it uses\), then run `saas-readiness validate`/);
    const starter = readFileSync(join(cwd, 'readiness.yaml'), 'utf8');
    expect(starter).toMatch(
      /# Both need DATABASE_URL set first .*: validate\n# resolves every \$\{env:NAME\} in this file and stops \(exit 2\) at one that is not set\./,
    );
    const validate = await runCli(['validate'], { cwd, env: {} });
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/sources\.appdb\.url: environment variable DATABASE_URL is not set/);
    expect((await runCli(['validate'], { cwd, env: { DATABASE_URL: 'postgres://u:p@h/db' } })).code).toBe(0);
  });
});
