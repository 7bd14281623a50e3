import { BUILT_IN } from '../../lambda/registry';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFromEnvironment, loadConfigFile, parseConfig, resolveConfig } from '../../lambda/core/config/load';
import { ConfigError } from '../../lambda/core/errors';
import { locateLine } from '../../lambda/core/config/locate';

const VALID = `version: 1
suite: acme-rag
sources:
  appdb:
    type: postgres
    url: \${env:DATABASE_URL}
gates:
  tenants:
    source: appdb
    minTenants: 10
`;

function error(text: string, env: NodeJS.ProcessEnv = { DATABASE_URL: 'postgres://u:p@db:5432/app' }): string {
  try {
    parseConfig(BUILT_IN, text, 'readiness.yaml', { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('readiness.yaml loading', () => {
  it('loads a valid config and resolves ${env:…}', () => {
    const { config } = parseConfig(BUILT_IN, VALID, 'readiness.yaml', { env: { DATABASE_URL: 'postgres://u:p@db:5432/app' } });
    expect(config.suite).toBe('acme-rag');
    expect(config.sources.appdb).toEqual({ type: 'postgres', url: 'postgres://u:p@db:5432/app' });
    expect(config.gates.tenants).toEqual({ source: 'appdb', minTenants: 10 });
  });

  it('uses ${env:NAME:-default} when the variable is unset', () => {
    const text = VALID.replace('${env:DATABASE_URL}', '${env:DATABASE_URL:-postgres://localhost/app}');
    expect(parseConfig(BUILT_IN, text, 'r.yaml', { env: {} }).config.sources.appdb.url).toBe('postgres://localhost/app');
  });

  it('names file, line and column for a YAML syntax error', () => {
    expect(error('version: 1\nsuite: [unclosed\n')).toMatch(/^readiness\.yaml:\d+:\d+: invalid YAML: /);
    expect(error('version: 1\nsuite: a\nsuite: b\n')).toMatch(/^readiness\.yaml:3:\d+: invalid YAML: duplicated mapping key/);
  });

  it('names the field path and line for a wrong type', () => {
    expect(error(VALID.replace('minTenants: 10', 'minTenants: ten'))).toBe('readiness.yaml:10: gates.tenants.minTenants: must be integer (got "ten")');
  });

  it('rejects unknown keys, suggesting the closest allowed one', () => {
    const msg = error(VALID.replace('minTenants: 10', 'minTenant: 10'));
    expect(msg).toMatch(/^readiness\.yaml:10: gates\.tenants\.minTenant: unknown key \(did you mean 'minTenants'\?\)/);
    expect(error(`${VALID}extra: 1\n`)).toMatch(/^readiness\.yaml:11: extra: unknown key/);
  });

  it('rejects unknown gate ids and source types', () => {
    expect(error(VALID.replace('  tenants:\n', '  tenantz:\n'))).toMatch(/gates\.tenantz: unknown key \(did you mean 'tenants'\?\)/);
    expect(error(VALID.replace('type: postgres', 'type: mysql'))).toMatch(/^readiness\.yaml:5: sources\.appdb\.type: must be one of /);
  });

  it('names a missing environment variable and where it is used', () => {
    expect(error(VALID, {})).toBe('readiness.yaml:6: sources.appdb.url: environment variable DATABASE_URL is not set');
  });

  it('rejects a gate that points at an undefined source', () => {
    expect(error(VALID.replace('source: appdb', 'source: nope'))).toMatch(
      /^readiness\.yaml:9: gates\.tenants\.source: source 'nope' is not defined under sources \(defined: appdb\)/,
    );
  });

  it('rejects store-specific keys on the wrong store', () => {
    const text = VALID.replace('minTenants: 10', 'minTenants: 10\n    quotaPaths: [tenantConfig.quota]');
    expect(error(text)).toMatch(/gates\.tenants\.quotaPaths: only applies to dynamodb sources/);
  });

  it('rejects an empty file, a wrong version and a missing suite', () => {
    expect(error('')).toMatch(/the file is empty/);
    expect(error(VALID.replace('version: 1', 'version: 2'))).toMatch(/^readiness\.yaml:1: version: must be 1 \(got 2\)/);
    expect(error(VALID.replace('suite: acme-rag\n', ''))).toMatch(/missing required key 'suite'/);
  });

  it('reports a missing file with the hint to run init', () => {
    expect(() => loadConfigFile(BUILT_IN, '/nonexistent/readiness.yaml')).toThrow(/file not found \(create one with `saas-readiness init`\)/);
  });

  it('finds ./readiness.yaml, else falls back to the zero-config default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-cfg-'));
    const zero = resolveConfig(BUILT_IN, undefined, dir, { env: {} });
    expect(zero.file).toBeUndefined();
    expect(zero.skipped.tenants).toMatch(/set DATABASE_URL/);
    writeFileSync(join(dir, 'readiness.yaml'), VALID);
    expect(resolveConfig(BUILT_IN, undefined, dir, { env: { DATABASE_URL: 'postgres://x/y' } }).file).toBe(join(dir, 'readiness.yaml'));
  });

  it('zero-config with DATABASE_URL runs gate 1 against PostgreSQL', () => {
    const { config, skipped } = configFromEnvironment(BUILT_IN, { DATABASE_URL: 'postgres://u:p@h/db' });
    // The gate's defaults are applied once, where the config is loaded.
    expect(config.gates.tenants).toEqual({ source: 'appdb', minTenants: 10 });
    expect(config.sources.appdb).toEqual({ type: 'postgres', url: 'postgres://u:p@h/db' });
    expect(skipped.tenants).toBeUndefined();
  });
});

describe('locateLine', () => {
  const text = `version: 1
sources:
  db:
    type: postgres
gates:
  tenants:
    source: db
    quotaProbe:
      tenants:
        - id: a
        - id: b
          headers: { x: y }
`;
  it('follows block structure, sequences and flow mappings', () => {
    expect(locateLine(text, ['gates', 'tenants', 'source'])).toBe(7);
    expect(locateLine(text, ['gates', 'tenants', 'quotaProbe', 'tenants', 1, 'id'])).toBe(11);
    expect(locateLine(text, ['gates', 'tenants', 'quotaProbe', 'tenants', 1, 'headers', 'x'])).toBe(12);
    expect(locateLine(text, ['sources', 'db', 'type'])).toBe(4);
    expect(locateLine(text, ['nothing'])).toBeUndefined();
  });
});
