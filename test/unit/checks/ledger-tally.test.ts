/**
 * Gate 2's ledger tally (the one pass that sums CSV and DynamoDB ledgers per tenant and provider),
 * its date reading, the ledger column defaults and the billing months of a window: pure helpers
 * the integration tier only reaches through files and tables.
 */
import { ledgerColumns } from '../../../lambda/checks/cost/ledger-mapping';
import { LedgerTally, parseLedgerDate } from '../../../lambda/checks/cost/ledger-tally';
import { monthsOf, nextMonthStart } from '../../../lambda/checks/cost/window';
import { parseMoney } from '../../../lambda/checks/cost/money';

describe('parseLedgerDate', () => {
  it('reads a day as date-only, and timestamps (with or without a zone, or epoch seconds) as instants', () => {
    expect(parseLedgerDate('2024-05-10')).toEqual({ day: '2024-05-10', at: new Date('2024-05-10T00:00:00Z'), dateOnly: true });
    expect(parseLedgerDate(' 2024-05-10T23:30:00+02:00 ')).toEqual({ day: '2024-05-10', at: new Date('2024-05-10T21:30:00Z'), dateOnly: false });
    // No zone: UTC, as the window is; a space between date and time is accepted.
    expect(parseLedgerDate('2024-05-10 23:30:00')).toEqual({ day: '2024-05-10', at: new Date('2024-05-10T23:30:00Z'), dateOnly: false });
    expect(parseLedgerDate(1715385600)).toEqual({ day: '2024-05-11', at: new Date('2024-05-11T00:00:00Z'), dateOnly: false });
  });

  it('gives undefined for what is no date', () => {
    expect(parseLedgerDate('yesterday')).toBeUndefined();
    expect(parseLedgerDate(Number.NaN)).toBeUndefined();
  });
});

describe('LedgerTally', () => {
  const window = { from: '2024-05-01', to: '2024-05-31', label: 'May 2024' };

  it('sums per provider and tenant inside the window, counts every row and remembers the newest date, also outside it', () => {
    const t = new LedgerTally(window);
    expect(t.add('acme', 'aws', '2024-05-10', '100.10')).toBeUndefined();
    expect(t.add('acme', 'aws', '2024-05-11', '0.90')).toBeUndefined();
    expect(t.add('acme', 'openai', '2024-05-11', '7')).toBeUndefined();
    expect(t.add('globex', 'aws', '2024-04-30', '50')).toBeUndefined(); // before the window: not summed
    expect(t.add('globex', 'aws', '2024-06-02T10:00:00Z', '5')).toBeUndefined(); // after it: newest, not summed
    const s = t.summary('ledger');
    expect(s.source).toBe('ledger');
    expect(s.rowsRead).toBe(5);
    expect(s.newest).toEqual({ at: new Date('2024-06-02T10:00:00Z'), dateOnly: false });
    expect(s.totals).toEqual([
      { tenant: 'acme', provider: 'aws', amount: parseMoney('101.00') },
      { tenant: 'acme', provider: 'openai', amount: parseMoney('7') },
    ]);
  });

  it('names why a row is unusable: no date, an unreadable date, a cost that is not a number (each still counted as read)', () => {
    const t = new LedgerTally(window);
    expect(t.add('acme', 'aws', undefined, '1')).toBe('no date');
    expect(t.add('acme', 'aws', '', '1')).toBe('no date');
    expect(t.add('acme', 'aws', 'soon', '1')).toBe('unreadable date "soon"');
    expect(t.add('acme', 'aws', '2024-05-10', 'ten')).toBe('cost is not a number ("ten")');
    expect(t.add('acme', 'aws', '2024-05-10', undefined)).toBe('cost is not a number ("undefined")');
    expect(t.summary('x')).toMatchObject({ totals: [], rowsRead: 5 });
  });

  it('has no newest date before any readable row', () => {
    expect(new LedgerTally(window).summary('x')).toEqual({ source: 'x', totals: [], newest: null, rowsRead: 0 });
  });
});

describe('ledger columns and billing months', () => {
  it('defaults every ledger column to the documented convention and keeps each one given', () => {
    expect(ledgerColumns({})).toEqual({ table: 'tenant_costs', tenant: 'tenant_id', date: 'usage_date', provider: 'provider', cost: 'cost_usd' });
    expect(ledgerColumns({ table: 'billing.costs', costColumn: 'amount' })).toMatchObject({ table: 'billing.costs', cost: 'amount', tenant: 'tenant_id' });
  });

  it('lists each calendar month a window touches, across a year end', () => {
    expect(nextMonthStart('2024-12')).toBe('2025-01-01');
    expect(nextMonthStart('2024-02')).toBe('2024-03-01');
    expect(monthsOf({ from: '2024-11-15', to: '2025-02-01', label: 'test' })).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthsOf({ from: '2024-05-01', to: '2024-05-31', label: 'test' })).toEqual(['2024-05']);
  });
});
