import { parseConfig } from '../../../lambda/core/config/load';
import { ConfigError } from '../../../lambda/core/errors';
import { BUILT_IN } from '../../../lambda/registry';

const BASE = `version: 1
suite: acme
sources:
  appdb: { type: postgres, url: postgres://u:p@h/db }
  ce: { type: costexplorer }
gates:
`;

function error(text: string): string {
  try {
    parseConfig(BUILT_IN, text, 'readiness.yaml', { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('values YAML reads as numbers JSON cannot show', () => {
  it('.nan says NaN is not a number allowed there', () => {
    expect(error(`${BASE}  tenants: { source: appdb, minTenants: .nan }\n`)).toBe(
      'readiness.yaml:7: gates.tenants.minTenants: must be integer: got .nan (NaN), which is not a number allowed here; write a finite number',
    );
  });
});

describe('YAML syntax', () => {
  it('an unterminated quote shows js-yaml’s message with its line and explains the open string', () => {
    const msg = error(`${BASE}  tenants:\n    source: appdb\n    table: "tenants\n    minTenants: 3\n`);
    expect(msg).toMatch(/^readiness\.yaml:10:5: invalid YAML: deficient indentation; a quoted string opened with " on line 9 is not closed/);
    expect(msg).toMatch(/unterminated string/);
  });

  it('a multi-document file names the line of the second document', () => {
    expect(error(`${BASE}  tenants: { source: appdb }\n---\nversion: 1\n`)).toBe(
      'readiness.yaml:8: holds more than one YAML document: a second one starts here (a `---` separator); only one document is allowed in a config',
    );
    expect(error(`---\n${BASE}  tenants: { source: appdb }\n---\n`)).toMatch(/^readiness\.yaml:9: holds more than one YAML document/);
  });
});

describe('keys that exclude each other', () => {
  it('history with both file and table', () => {
    expect(error(`${BASE}  config:\n    source: appdb\n    history: { file: a.jsonl, table: abc }\n`)).toBe(
      'readiness.yaml:9: gates.config.history: set either history.file or history.table, not both',
    );
  });
});
