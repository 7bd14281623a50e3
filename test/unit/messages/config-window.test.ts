import { BASE, configError } from './config-error';
const costWith = (window: string) => `${BASE}  cost:\n    ledger: { source: appdb }\n    actual: { source: ce }\n    window: ${window}\n`;

describe('cost.window: its forms collapsed into one line', () => {
  it('names `to` as required with `from`', () => {
    const msg = configError(costWith('{ from: "2026-10-01" }'));
    expect(msg).toBe(
      "readiness.yaml:10: gates.cost.window: missing required key 'to' (required with 'from'); the forms are { lastDays, settleDays } or { previousMonth } or { from, to }",
    );
  });

  it('a misspelt key gets did-you-mean and every form’s keys', () => {
    const msg = configError(costWith('{ lastDay: 7 }'));
    expect(msg).toMatch(/gates\.cost\.window\.lastDay: unknown key \(did you mean 'lastDays'\?\); allowed here: lastDays, settleDays, previousMonth, from, to/);
    expect(configError(costWith('{ form: "2026-10-01", to: "2026-10-31" }'))).toMatch(/window\.form: unknown key \(did you mean 'from'\?\)/);
  });

  it('keys of two forms mixed are named', () => {
    expect(configError(costWith('{ previousMonth: true, to: "2026-10-01" }'))).toMatch(
      /gates\.cost\.window: 'previousMonth' and 'to' belong to different forms and cannot be combined; use one: the forms are/,
    );
  });

  it('an error inside the form written is that error', () => {
    expect(configError(costWith('{ lastDays: 0 }'))).toMatch(/gates\.cost\.window\.lastDays: must be >= 1/);
    expect(configError(costWith('{ previousMonth: false }'))).toMatch(/gates\.cost\.window\.previousMonth: must be true \(got false\)/);
  });
});
