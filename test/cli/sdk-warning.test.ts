import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { suppressSdkNodeVersionWarning } from '../../lambda/cli/warnings';

const ROOT = resolve(__dirname, '../..');

describe("the AWS SDK's NodeVersionSupportWarning", () => {
  it('is dropped by the filter; other warnings pass through', () => {
    const seen: unknown[] = [];
    const proc = { emitWarning: ((w: unknown) => seen.push(w)) as NodeJS.Process['emitWarning'] };
    const undo = suppressSdkNodeVersionWarning(proc);
    proc.emitWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after …');
    proc.emitWarning('something else', 'DeprecationWarning');
    expect(seen).toEqual(['something else']);
    undo();
    proc.emitWarning('NodeVersionSupportWarning: again');
    expect(seen).toHaveLength(2);
  });

  it('never reaches stderr of a CLI run that builds an AWS client, also with --quiet', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sdk-warning-'));
    const config = join(dir, 'readiness.yaml');
    writeFileSync(
      config,
      'version: 1\nsuite: acme\nsources:\n  reg: { type: dynamodb, table: TenantDetails, layout: sbt-aws }\ngates:\n  tenants: { source: reg, timeoutSeconds: 5 }\n',
    );
    for (const quiet of [[], ['--quiet']]) {
      const run = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(ROOT, 'bin/cli.ts'), 'run', '--config', config, ...quiet], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
        // A closed local port: the client is built and the request refused at once.
        env: { PATH: process.env.PATH, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
      });
      expect(run.stdout).toMatch(/tenants\s+ERROR/);
      expect(run.stderr).not.toMatch(/NodeVersionSupportWarning|Warning:/);
    }
  }, 60_000);
});
