import { BUILT_IN } from '../../lambda/registry';
import { isSecretKey } from '../../lambda/checks/config/check';
import { describeChange, fingerprintOf, jsonShape } from '../../lambda/checks/config/fingerprint';
import { configFromEnvironment, parseConfig } from '../../lambda/core/config/load';
import { ConfigError } from '../../lambda/core/errors';

const shape = (doc: Record<string, unknown>) => {
  const out = new Set<string>();
  jsonShape(doc, '_saasReadinessProbe', out);
  return [...out].sort();
};

describe('config schema fingerprint', () => {
  it('lists key paths with value types, arrays as [], without the probe key', () => {
    expect(shape({ model: 'x', retrieval: { topK: 8 }, tags: ['a'], _saasReadinessProbe: 'sr-1' })).toEqual([
      'json model string',
      'json retrieval object',
      'json retrieval.topK number',
      'json tags array',
      'json tags[] string',
    ]);
  });

  it('is the same for the same shape in any key order, different when a type changes', () => {
    const a = fingerprintOf(['column t.config jsonb not null'], new Set(shape({ a: 1, b: { c: true } })));
    const b = fingerprintOf(['column t.config jsonb not null'], new Set(shape({ b: { c: false }, a: 2 })));
    const c = fingerprintOf(['column t.config jsonb not null'], new Set(shape({ b: { c: 'yes' }, a: 2 })));
    expect(a.hash).toBe(b.hash);
    expect(a.hash).not.toBe(c.hash);
  });

  it('names renames, type changes, additions and removals', () => {
    const before = [...shape({ retrieval: { topK: 8, shard: 's' }, model: 'm' }), 'column t.tier text null'];
    const after = [...shape({ retrieval: { top_k: 8, shard: 's' }, model: 1 }), 'column t.tier text not null', 'column t.region text null'];
    expect(describeChange(before, after).sort()).toEqual(
      [
        'JSON key renamed: retrieval.topK → retrieval.top_k',
        'json model changed: string → number',
        'column t.tier changed: text null → text not null',
        'column added: t.region text null',
      ].sort(),
    );
    expect(describeChange(shape({ a: 1, b: 2 }), shape({ a: 1 }))).toEqual(['JSON key removed: b number']);
  });

  it('redacts keys whose last word is secret-like, not quotas that merely contain one', () => {
    for (const k of ['apiKey', 'api_key', 'password', 'dbPassword', 'accessToken', 'clientSecrets', 'private-key']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['monthly_token_quota', 'tokenLimit', 'secretArn', 'keyboardLayout', 'topK']) expect(isSecretKey(k)).toBe(false);
  });
});

describe('gates.config in readiness.yaml', () => {
  const parse = (gate: string) =>
    parseConfig(
      BUILT_IN,
      `version: 1\nsuite: t\nsources:\n  appdb: { type: postgres, url: postgres://h/db }\n  reg: { type: dynamodb, table: TenantDetails }\ngates:\n  config:\n${gate}`,
      'readiness.yaml',
    );
  const error = (gate: string) => {
    try {
      parse(gate);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('no ConfigError');
  };

  it('accepts a full PostgreSQL config', () => {
    const cfg = parse(
      '    source: appdb\n    stableDays: 30\n    audit: { table: config_audit }\n    history: { file: h.jsonl }\n    canary: { tenant: test-canary, effectiveConfigUrl: "http://127.0.0.1/x", propagationLimitSeconds: 5 }\n',
    );
    expect(cfg.config.gates.config).toMatchObject({ source: 'appdb', canary: { tenant: 'test-canary' } });
  });

  it('names the field of a DynamoDB key on a PostgreSQL source, with file and line', () => {
    expect(error('    source: appdb\n    configAttribute: tenantConfig\n')).toBe(
      "readiness.yaml:9: gates.config.configAttribute: only applies to dynamodb sources; 'appdb' is postgres",
    );
  });

  it('refuses history with both file and table, and a canary without tenant', () => {
    expect(error('    source: reg\n    history: { file: a, table: Hist }\n')).toMatch(/^readiness\.yaml:\d+: gates\.config\.history: /);
    expect(error('    source: reg\n    canary: { key: _probe }\n')).toMatch(/^readiness\.yaml:\d+: gates\.config\.canary: .*tenant/);
  });

  it('names schemaFile when it cannot be read', () => {
    expect(error('    source: appdb\n    schemaFile: /nonexistent/schema.json\n')).toMatch(
      /^readiness\.yaml:\d+: gates\.config\.schemaFile: not a usable JSON Schema: cannot read \/nonexistent\/schema\.json/,
    );
  });

  it('zero-config runs only with an explicit canary, and says what to set otherwise', () => {
    expect(configFromEnvironment(BUILT_IN, { DATABASE_URL: 'postgres://h/db' }).skipped.config).toMatch(/set DATABASE_URL and SAAS_READINESS_CONFIG_CANARY=/);
    const on = configFromEnvironment(BUILT_IN, {
      DATABASE_URL: 'postgres://h/db',
      SAAS_READINESS_CONFIG_CANARY: 'test-canary',
      SAAS_READINESS_CONFIG_URL: 'http://127.0.0.1:1/c',
    });
    expect(on.config.gates.config).toMatchObject({
      source: 'appdb',
      stableDays: 30,
      canary: { tenant: 'test-canary', effectiveConfigUrl: 'http://127.0.0.1:1/c', propagationLimitSeconds: 10 },
    });
  });
});
