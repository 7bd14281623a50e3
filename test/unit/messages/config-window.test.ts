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
const costWith = (window: string) => `${BASE}  cost:\n    ledger: { source: appdb }\n    actual: { source: ce }\n    window: ${window}\n`;

function error(text: string): string {
  try {
    parseConfig(BUILT_IN, text, 'readiness.yaml', { env: {} });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('cost.window: its forms collapsed into one line', () => {
  it('names `to` as required with `from`', () => {
    const msg = error(costWith('{ from: "2026-10-01" }'));
    expect(msg).toBe(
      "readiness.yaml:10: gates.cost.window: missing required key 'to' (required with 'from'); the forms are { lastDays, settleDays } or { previousMonth } or { from, to }",
    );
  });

  it('a misspelt key gets did-you-mean and every form’s keys', () => {
    const msg = error(costWith('{ lastDay: 7 }'));
    expect(msg).toMatch(/gates\.cost\.window\.lastDay: unknown key \(did you mean 'lastDays'\?\); allowed here: lastDays, settleDays, previousMonth, from, to/);
    expect(error(costWith('{ form: "2026-10-01", to: "2026-10-31" }'))).toMatch(/window\.form: unknown key \(did you mean 'from'\?\)/);
  });

  it('keys of two forms mixed are named', () => {
    expect(error(costWith('{ previousMonth: true, to: "2026-10-01" }'))).toMatch(
      /gates\.cost\.window: 'previousMonth' and 'to' belong to different forms and cannot be combined; use one: the forms are/,
    );
  });

  it('an error inside the form written is that error', () => {
    expect(error(costWith('{ lastDays: 0 }'))).toMatch(/gates\.cost\.window\.lastDays: must be >= 1/);
    expect(error(costWith('{ previousMonth: false }'))).toMatch(/gates\.cost\.window\.previousMonth: must be true \(got false\)/);
  });
});
