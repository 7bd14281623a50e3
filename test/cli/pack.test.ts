import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The published artifact, not the source tree: `npm pack` builds dist/ (prepack), the tarball is
 * installed into an empty folder, and its bin runs with plain node (no ts-node/tsx at run time).
 */
describe('packed package', () => {
  it('installs into an empty folder and its bin runs', () => {
    const root = join(__dirname, '..', '..');
    const dest = mkdtempSync(join(tmpdir(), 'sr-pack-'));
    execFileSync('npm', ['pack', '--pack-destination', dest, '--silent'], { cwd: root, stdio: 'pipe' });
    const tarball = readdirSync(dest).find((f) => f.endsWith('.tgz'))!;
    const app = mkdtempSync(join(tmpdir(), 'sr-app-'));
    writeFileSync(join(app, 'package.json'), '{"name":"consumer","private":true}');
    execFileSync('npm', ['install', join(dest, tarball), '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund', '--silent'], {
      cwd: app,
      stdio: 'pipe',
    });

    const bin = join(app, 'node_modules', '.bin', 'saas-readiness');
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      execFileSync(bin, args, { cwd: app, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(run(['--version']).trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run(['init'])).toMatch(/wrote .*readiness\.yaml/);
    expect(run(['validate'], { DATABASE_URL: 'postgres://u@db.internal:5432/app' })).toMatch(/readiness\.yaml: valid/);

    // The engine is importable from the package entry point without aws-cdk-lib installed.
    const api = execFileSync(
      'node',
      ['-e', "const m=require('saas-readiness'); console.log(typeof m.runGates, typeof m.cli, m.GATES.map(g=>g.id).join(','))"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(api).toMatch(/^function function tenants/);
    // The CDK constructs and the rule pack are subpath entry points that need the optional peers.
    const sub = execFileSync('node', ['-e', "for (const p of ['saas-readiness/cdk','saas-readiness/nag']) console.log(require.resolve(p))"], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(sub).toMatch(/dist\/lib\/cdk\.js\n.*dist\/lib\/nag\/index\.js/);
  }, 180_000);
});
