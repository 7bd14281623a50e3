import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { load } from 'js-yaml';
import { STARTER_CONFIG } from '../../lambda/cli/starter';
import { demoSchemaSql } from '../../demo/dataset';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { runCli } from '../support/cli';

const CONFIG = `version: 1
suite: cli-test
sources:
  appdb:
    type: postgres
    url: \${env:DATABASE_URL}
gates:
  tenants:
    source: appdb
    minTenants: MIN
`;

describe('saas-readiness CLI', () => {
  let pg: PostgresTarget;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const write = (min: number, name = 'readiness.yaml') => {
    writeFileSync(join(dir, name), CONFIG.replace('MIN', String(min)));
    return join(dir, name);
  };
  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(demoSchemaSql());
    dir = mkdtempSync(join(tmpdir(), 'sr-cli-'));
    env = { DATABASE_URL: pg.url };
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('exits 0 READY with one ✓ line per gate, progress on stderr', async () => {
    write(10);
    const res = await runCli(['run'], { env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^✓ tenants {2}PASS {3}12 active tenants with unique IDs, config records and positive quotas$/m);
    expect(res.stdout).toMatch(/^READY — 1 passed/m);
    expect(res.stderr).toContain('▶ tenants: Multi-tenant operational');
    expect(res.stderr).toMatch(/■ tenants: PASS \(\d+\.\d s\)/);
  });

  it('exits 1 NOT READY with the reason when a gate fails', async () => {
    const file = write(50, 'strict.yaml');
    const res = await runCli(['run', '--config', file, '--quiet'], { env, cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^✗ tenants {2}FAIL {3}only 12 active tenants, need ≥ 50 \(short by 38\)/m);
    expect(res.stdout).toMatch(/^NOT READY — 0 passed, 1 failed/m);
    expect(res.stderr).toBe('');
  });

  it('treats SKIP as not ready unless --allow-skip (zero-config without DATABASE_URL)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sr-empty-'));
    const strict = await runCli(['run', '--format', 'json'], { env: {}, cwd: empty });
    expect(strict.code).toBe(1);
    const report = JSON.parse(strict.stdout);
    expect(report.results[0]).toMatchObject({ gate: 'tenants', status: 'SKIP' });
    expect(report.results[0].summary).toMatch(/set DATABASE_URL/);
    expect(report.verdict).toBe('NOT READY');
    const learning = await runCli(['run', '--allow-skip'], { env, cwd: empty });
    expect(learning.code).toBe(0);
    expect(learning.stdout).toMatch(/zero-config \(environment\)/);
  });

  it('emits JSON with a schemaVersion and JUnit with one test case per gate', async () => {
    write(10);
    const json = JSON.parse((await runCli(['run', '--format', 'json', '-q'], { env, cwd: dir })).stdout);
    expect(json).toMatchObject({ schemaVersion: 1, suite: 'cli-test', verdict: 'READY', allowSkip: false, probes: true });
    expect(json.tool.name).toBe('saas-readiness');
    // Exactly the four measured criteria of gate 1 (no probe is configured), each PASS.
    expect(json.results[0].criteria.map((c: { id: string; status: string }) => `${c.id} ${c.status}`)).toEqual([
      'active-tenants PASS',
      'unique-ids PASS',
      'config-records PASS',
      'quotas PASS',
    ]);

    const junit = (await runCli(['run', '--format', 'junit', '-q', '--config', write(99, 'fail.yaml')], { env, cwd: dir })).stdout;
    const doc = new XMLParser({ ignoreAttributes: false }).parse(junit);
    const suite = doc.testsuites.testsuite;
    expect(suite['@_tests']).toBe('1');
    expect(suite['@_failures']).toBe('1');
    expect(suite.testcase['@_name']).toBe('tenants');
    expect(suite.testcase.failure['@_message']).toMatch(/only 12 active tenants, need ≥ 99/);
  });

  it('writes report.json, report.md and junit.xml with --out', async () => {
    write(10);
    const out = join(dir, 'reports');
    const res = await runCli(['run', '--out', out, '--format', 'markdown', '-q'], { env, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^## saas-readiness: ✅ READY/);
    for (const f of ['report.json', 'report.md', 'junit.xml']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).verdict).toBe('READY');
  });

  it.each([
    [['run', '--format', 'yaml'], /^saas-readiness: --format must be one of text, json, junit, markdown, github, html \(got 'yaml'\)\n$/],
    [['run', '--check', 'billing'], /^saas-readiness: --check: unknown gate 'billing' \(gates: tenants, cost, config, monitoring\)\n$/],
    [['run', '--bogus'], /^saas-readiness: Unknown option '--bogus' \(see --help\)\n$/],
    [['frobnicate'], /^saas-readiness: unknown command 'frobnicate'/],
    [['run', '--config', 'missing.yaml'], /missing\.yaml: file not found/],
    [['run', '--from', '2026-10-01'], /^saas-readiness: give both --from and --to \(YYYY-MM-DD, both inclusive\)\n$/],
    [['run', '--from', '2026-10-01', '--to', '2026-13-01'], /^saas-readiness: --to: not a date: '2026-13-01' \(expected YYYY-MM-DD\)\n$/],
  ])('exits 2 with one clear line for %j', async (args, message) => {
    const res = await runCli(args as string[], { env, cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['malformed YAML', 'version: 1\nsuite: [x\n', /^saas-readiness: .*bad\.yaml:3:1: invalid YAML: /],
    ['a wrong type', CONFIG.replace('MIN', '"ten"'), /bad\.yaml:10: gates\.tenants\.minTenants: must be integer \(got "ten"\)/],
    ['an unknown key', CONFIG.replace('MIN', '10\n    minTenant: 3'), /bad\.yaml:11: gates\.tenants\.minTenant: unknown key \(did you mean 'minTenants'\?\)/],
    [
      'a missing env var',
      CONFIG.replace('MIN', '10').replace('DATABASE_URL', 'NOPE_URL'),
      /bad\.yaml:6: sources\.appdb\.url: environment variable NOPE_URL is not set/,
    ],
  ])('validate and run exit 2 on %s, naming the place', async (_what, text, message) => {
    writeFileSync(join(dir, 'bad.yaml'), text);
    for (const cmd of ['validate', 'run']) {
      const res = await runCli([cmd, '--config', 'bad.yaml'], { env, cwd: dir });
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('validate checks the config without connecting', async () => {
    const file = write(10, 'offline.yaml');
    const res = await runCli(['validate', '--config', file], { env: { DATABASE_URL: 'postgres://u:p@unreachable.invalid:5432/db' }, cwd: dir });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`${file}: valid\n  suite: cli-test\n  tenants: configured (source appdb)\n`);
  });

  it('init writes a starter that validates, and refuses to overwrite', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sr-init-'));
    expect((await runCli(['init'], { cwd: d })).code).toBe(0);
    expect(readFileSync(join(d, 'readiness.yaml'), 'utf8')).toMatch(/^# readiness\.yaml/);
    expect((await runCli(['validate'], { cwd: d, env: { DATABASE_URL: 'postgres://x@h/db' } })).code).toBe(0);
    const again = await runCli(['init'], { cwd: d });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(use --force to overwrite\)/);
    expect((await runCli(['init', '--force'], { cwd: d })).code).toBe(0);
  });

  it('prints --version, --help and the JSON schema', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/Exit codes: 0 READY, 1 NOT READY, 2 configuration or usage error/);
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    expect(schema.properties.gates.properties.tenants.required).toEqual(['source']);
  });
});

describe('starter config', () => {
  it('every commented flow-style example parses as YAML once uncommented (quoted ${env:…} inside braces)', () => {
    const flow = STARTER_CONFIG.split('\n')
      .map((l) => /^\s*#\s+([\w-]+:\s*\{.*\})\s*(#.*)?$/.exec(l)?.[1])
      .filter((l): l is string => Boolean(l));
    expect(flow.length).toBeGreaterThanOrEqual(5);
    for (const line of flow) expect(() => load(line)).not.toThrow();
  });
});
