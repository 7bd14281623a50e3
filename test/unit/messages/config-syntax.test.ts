import { BASE, configError } from './config-error';

describe('values YAML reads as numbers JSON cannot show', () => {
  it('.nan says NaN is not a number allowed there', () => {
    expect(configError(`${BASE}  tenants: { source: appdb, minTenants: .nan }\n`)).toBe(
      'readiness.yaml:7: gates.tenants.minTenants: must be integer: got .nan (NaN), which is not a number allowed here; write a finite number',
    );
  });
});

describe('YAML syntax', () => {
  it('an unterminated quote shows js-yaml’s message with its line and explains the open string', () => {
    const msg = configError(`${BASE}  tenants:\n    source: appdb\n    table: "tenants\n    minTenants: 3\n`);
    expect(msg).toMatch(/^readiness\.yaml:10:5: invalid YAML: deficient indentation; a quoted string opened with " on line 9 is not closed/);
    expect(msg).toMatch(/unterminated string/);
  });

  it('a multi-document file names the line of the second document', () => {
    expect(configError(`${BASE}  tenants: { source: appdb }\n---\nversion: 1\n`)).toBe(
      'readiness.yaml:8: holds more than one YAML document: a second one starts here (a `---` separator); only one document is allowed in a config',
    );
    expect(configError(`---\n${BASE}  tenants: { source: appdb }\n---\n`)).toMatch(/^readiness\.yaml:9: holds more than one YAML document/);
  });
});

describe('keys that exclude each other', () => {
  it('history with both file and table', () => {
    expect(configError(`${BASE}  config:\n    source: appdb\n    history: { file: a.jsonl, table: abc }\n`)).toBe(
      'readiness.yaml:9: gates.config.history: set either history.file or history.table, not both',
    );
  });
});
