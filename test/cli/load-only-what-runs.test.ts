/**
 * Issue 15, "load only what runs": each command is run in a fresh Node process (TypeScript through
 * tsx) and the modules it loaded are listed from require.cache.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function modulesLoadedBy(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}, exitCodes = [0]): string[] {
  const script = `
    const { main } = require(${JSON.stringify(join(ROOT, 'lambda', 'cli', 'main.ts'))});
    main(${JSON.stringify(argv)}, { stdout: () => {}, stderr: (t) => process.stderr.write(t), cwd: process.cwd(), env: process.env }).then((code) => {
      process.stdout.write(JSON.stringify({ code, modules: Object.keys(require.cache) }));
    });`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  const { code, modules } = JSON.parse(out) as { code: number; modules: string[] };
  expect(exitCodes).toContain(code);
  return modules.map((m) => m.replace(`${ROOT}/`, ''));
}

const sdkClients = (modules: string[]) => modules.filter((m) => /node_modules\/@aws-sdk\/client-/.test(m));
const ajvCompiler = (modules: string[]) => modules.filter((m) => /node_modules\/ajv\/dist\/(ajv|core|compile)/.test(m));
const ownOf = (modules: string[]) => modules.filter((m) => m.startsWith('lambda/'));

describe('each command loads only what it runs', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'load-'));
  writeFileSync(
    join(cwd, 'readiness.yaml'),
    [
      'version: 1',
      'suite: load-test',
      'sources:',
      '  appdb: { type: postgres, url: "postgres://app@127.0.0.1:1/db" }',
      '  registry: { type: dynamodb, table: TenantDetails }',
      '  ce: { type: costexplorer }',
      '  dd: { type: datadog, apiKey: "" }',
      'gates:',
      '  tenants: { source: registry }',
      '  cost: { ledger: { source: appdb }, aws: { source: ce } }',
      '  config: { source: appdb }',
      '  monitoring: { datadog: { source: dd } }',
      '',
    ].join('\n'),
  );

  it('--version loads no gate, source, YAML parser or validator', () => {
    const own = ownOf(modulesLoadedBy(['--version'], cwd));
    expect(own.filter((m) => /^lambda\/(checks|sources|gates|registry|config-validator)/.test(m) || m.startsWith('lambda/core/config/'))).toEqual([]);
  });

  it('--help and schema read the gate and source declarations only: no check, adapter, SDK client or ajv compiler', () => {
    for (const argv of [['--help'], ['schema']]) {
      const modules = modulesLoadedBy(argv, cwd);
      expect(sdkClients(modules)).toEqual([]);
      expect(ajvCompiler(modules)).toEqual([]);
      expect(ownOf(modules).filter((m) => /^lambda\/checks\/[^/]+\/check\.ts$/.test(m))).toEqual([]);
      expect(
        ownOf(modules).filter((m) => /^lambda\/sources\//.test(m) && !/\/(index|schema)\.ts$/.test(m) && !m.startsWith('lambda/sources/athena/query')),
      ).toEqual([]);
    }
  });

  it('validate loads no SDK client, no adapter and no ajv compiler (the validator is compiled ahead of time)', () => {
    const modules = modulesLoadedBy(['validate'], cwd);
    expect(sdkClients(modules)).toEqual([]);
    expect(ajvCompiler(modules)).toEqual([]);
    expect(modules.some((m) => m.endsWith('lambda/config-validator.generated.js'))).toBe(true);
    expect(
      ownOf(modules).filter((m) => /^lambda\/sources\//.test(m) && !/\/(index|schema)\.ts$/.test(m) && !m.startsWith('lambda/sources/athena/query')),
    ).toEqual([]);
  });

  it('run loads the checks of the selected gates only, and the adapters of the ports they open', () => {
    const modules = ownOf(modulesLoadedBy(['run', '--check', 'monitoring', '--allow-skip', '--quiet'], cwd, {}, [0, 1]));
    // The monitoring gate's only provider has an empty key: it SKIPs without opening a port.
    expect(modules.filter((m) => /^lambda\/checks\/(tenants|cost|config)\/check\.ts$/.test(m))).toEqual([]);
    expect(modules.filter((m) => /^lambda\/sources\//.test(m) && !/\/(index|schema)\.ts$/.test(m) && !m.startsWith('lambda/sources/athena/query'))).toEqual([]);
  });
});
