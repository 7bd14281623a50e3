/**
 * The pure helpers of gate 2 not already covered by test/cost/money.test.ts: rounding and signs at
 * the edges, dollars for metrics, and the window arithmetic (uncovered days, settle days, explicit
 * windows from the config naming their field).
 */
import {
  abs,
  divRound,
  formatDecimal,
  formatUsd,
  moneyFromNumber,
  parseMoney,
  sharePercent,
  toDollars,
  variancePercent,
  withinTolerance,
} from '../../../lambda/checks/cost/money';
import { addDays, dayOf, exclusiveEnd, parseDay, resolveWindow, uncoveredDays, windowDays } from '../../../lambda/checks/cost/window';

describe('money edges', () => {
  it('divRound rounds half away from zero on both signs', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(4n, 3n)).toBe(1n);
    expect(divRound(-4n, 3n)).toBe(-1n);
    expect(divRound(0n, 7n)).toBe(0n);
  });

  it('abs', () => {
    expect(abs(-3n)).toBe(3n);
    expect(abs(3n)).toBe(3n);
    expect(abs(0n)).toBe(0n);
  });

  it('parseMoney accepts surrounding spaces, an explicit plus and a bare fraction; refuses a lone sign or dot', () => {
    expect(parseMoney(' 5 ')).toBe(parseMoney('5'));
    expect(parseMoney('+1.25')).toBe(parseMoney('1.25'));
    expect(parseMoney('-.5')).toBe(-parseMoney('0.5'));
    expect(parseMoney('1E+2')).toBe(parseMoney('100'));
    expect(() => parseMoney('-')).toThrow(/not a decimal amount: "-"/);
    expect(() => parseMoney('.')).toThrow(/not a decimal amount/);
    expect(() => parseMoney('1.2.3')).toThrow(/not a decimal amount/);
    expect(() => parseMoney('NaN')).toThrow(/not a decimal amount/);
  });

  it('parseMoney rounds past the 12th decimal half away from zero, through the exponent path', () => {
    expect(parseMoney('0.0000000000004')).toBe(0n);
    expect(parseMoney('0.0000000000015')).toBe(2n);
    expect(parseMoney('-0.0000000000015')).toBe(-2n);
  });

  it('parseMoney reads amounts far beyond 10^40 pico-dollars exactly', () => {
    expect(formatDecimal(parseMoney('1e30'), 0)).toBe(`1${'0'.repeat(30)}`);
  });

  it('moneyFromNumber refuses non-finite numbers and reads exponent forms exactly', () => {
    expect(() => moneyFromNumber(Number.NaN)).toThrow(/not a finite amount: NaN/);
    expect(() => moneyFromNumber(Number.POSITIVE_INFINITY)).toThrow(/not a finite amount/);
    expect(moneyFromNumber(1e-7)).toBe(parseMoney('0.0000001'));
    expect(moneyFromNumber(-2.5)).toBe(parseMoney('-2.5'));
  });

  it('formatDecimal with 0 digits, and no "-0" after rounding to zero', () => {
    expect(formatDecimal(parseMoney('2.5'), 0)).toBe('3');
    expect(formatDecimal(parseMoney('-2.5'), 0)).toBe('-3');
    expect(formatDecimal(parseMoney('-0.001'), 2)).toBe('0.00');
    expect(formatDecimal(parseMoney('-0.4'), 0)).toBe('0');
  });

  it('formatUsd: no minus on an amount that rounds to zero, grouping of thousands', () => {
    expect(formatUsd(parseMoney('-0.004'))).toBe('$0.00');
    expect(formatUsd(0n)).toBe('$0.00');
    expect(formatUsd(parseMoney('999.995'))).toBe('$1,000.00');
    expect(formatUsd(parseMoney('-1000000'))).toBe('-$1,000,000.00');
  });

  it('toDollars keeps 6 decimals for metrics', () => {
    expect(toDollars(parseMoney('12.3456789'))).toBe(12.345679);
    expect(Object.is(toDollars(parseMoney('-0.0000004')), 0)).toBe(true); // no -0 in a metric
    expect(toDollars(0n)).toBe(0);
  });

  it('variancePercent against a negative bill is relative to its size, and takes a digits argument', () => {
    expect(variancePercent(parseMoney('-90'), parseMoney('-100'))).toBe('+10.00');
    expect(variancePercent(parseMoney('1'), parseMoney('3'), 4)).toBe('-66.6667');
    expect(variancePercent(parseMoney('2'), parseMoney('3'), 0)).toBe('-33');
  });

  it('withinTolerance against a negative bill, and with a zero tolerance', () => {
    expect(withinTolerance(parseMoney('-105'), parseMoney('-100'), parseMoney('5'))).toBe(true);
    expect(withinTolerance(parseMoney('-105.0000001'), parseMoney('-100'), parseMoney('5'))).toBe(false);
    expect(withinTolerance(parseMoney('100'), parseMoney('100'), 0n)).toBe(true);
    expect(withinTolerance(parseMoney('100.000000000001'), parseMoney('100'), 0n)).toBe(false);
  });

  it('sharePercent of a zero whole is 0.00, of a negative whole relative to its size', () => {
    expect(sharePercent(parseMoney('5'), 0n)).toBe('0.00');
    expect(sharePercent(parseMoney('1'), parseMoney('-4'))).toBe('25.00');
    expect(sharePercent(parseMoney('1'), parseMoney('3'))).toBe('33.33');
  });
});

describe('window edges', () => {
  it('parseDay takes only real calendar days in YYYY-MM-DD', () => {
    expect(parseDay('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseDay('2023-02-29')).toBeUndefined();
    expect(parseDay('2024-13-01')).toBeUndefined();
    expect(parseDay('2024-1-01')).toBeUndefined();
    expect(parseDay('2024-01-01T00:00:00Z')).toBeUndefined();
    expect(parseDay('')).toBeUndefined();
  });

  it('dayOf is the UTC day', () => {
    expect(dayOf(new Date('2024-03-01T23:59:59.999-01:00'))).toBe('2024-03-02');
  });

  it('addDays refuses what is not a day', () => {
    expect(() => addDays('2024-02-30', 1)).toThrow(/not a day: 2024-02-30/);
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });

  it('exclusiveEnd is the day after the inclusive end, across a leap day', () => {
    expect(exclusiveEnd({ from: '2024-02-01', to: '2024-02-28', label: '' })).toBe('2024-02-29');
  });

  it('windowDays counts both ends, across a DST change in any zone', () => {
    expect(windowDays({ from: '2024-05-01', to: '2024-05-01', label: '' })).toBe(1);
    expect(windowDays({ from: '2024-03-01', to: '2024-03-31', label: '' })).toBe(31);
  });

  it('uncoveredDays: a fully covered window has no gaps', () => {
    expect(uncoveredDays([['2024-05-01', '2024-06-01']], '2024-05-01', '2024-06-01')).toEqual([]);
    expect(uncoveredDays([['2024-04-01', '2024-07-01']], '2024-05-01', '2024-06-01')).toEqual([]);
  });

  it('uncoveredDays: no period at all leaves the whole window uncovered', () => {
    expect(uncoveredDays([], '2024-05-01', '2024-06-01')).toEqual(['2024-05-01..2024-05-31']);
  });

  it('uncoveredDays: gaps at the start, in the middle and at the end, inclusive, in any input order', () => {
    const periods: [string, string][] = [
      ['2024-05-20', '2024-05-25'],
      ['2024-05-03', '2024-05-10'],
    ];
    expect(uncoveredDays(periods, '2024-05-01', '2024-06-01')).toEqual(['2024-05-01..2024-05-02', '2024-05-10..2024-05-19', '2024-05-25..2024-05-31']);
  });

  it('uncoveredDays: overlapping and adjacent periods merge; periods past the end are ignored', () => {
    const periods: [string, string][] = [
      ['2024-05-01', '2024-05-15'],
      ['2024-05-10', '2024-05-20'],
      ['2024-05-20', '2024-06-01'],
      ['2024-06-05', '2024-07-01'],
    ];
    expect(uncoveredDays(periods, '2024-05-01', '2024-06-01')).toEqual([]);
  });

  it('uncoveredDays: a period starting after the end clips the gap at the end', () => {
    expect(uncoveredDays([['2024-06-10', '2024-07-01']], '2024-05-01', '2024-06-01')).toEqual(['2024-05-01..2024-05-31']);
  });

  it('resolveWindow: lastDays and settleDays from the config, labelled', () => {
    const now = new Date('2024-03-15T23:00:00Z');
    const w = resolveWindow({ lastDays: 7, settleDays: 0 }, {}, now);
    expect(w).toEqual({ from: '2024-03-09', to: '2024-03-15', label: 'last 7 days ending 0 day(s) before today' });
    expect(windowDays(w)).toBe(7);
    expect(resolveWindow({ lastDays: 1 }, {}, now)).toMatchObject({ from: '2024-03-13', to: '2024-03-13' });
  });

  it('resolveWindow: an explicit config window is labelled as such; bad dates name the config field', () => {
    const now = new Date('2024-03-15T00:00:00Z');
    expect(resolveWindow({ from: '2024-01-01', to: '2024-01-01' }, {}, now)).toEqual({
      from: '2024-01-01',
      to: '2024-01-01',
      label: 'explicit, from the config',
    });
    expect(() => resolveWindow({ from: '2024-01-01', to: '2024-02-30' }, {}, now)).toThrow(
      "gates.cost.window.to: not a date: '2024-02-30' (expected YYYY-MM-DD)",
    );
    expect(() => resolveWindow({ from: '2024-02-02', to: '2024-02-01' }, {}, now)).toThrow('gates.cost.window.to: 2024-02-01 is before 2024-02-02');
    expect(resolveWindow(undefined, { from: '2024-01-01', to: '2024-01-02' }, now).label).toBe('explicit, from the command line');
  });

  it('resolveWindow: --to alone is refused, non-string options are ignored', () => {
    const now = new Date('2024-03-15T00:00:00Z');
    expect(() => resolveWindow(undefined, { to: '2024-01-01' }, now)).toThrow(/give both --from and --to/);
    expect(resolveWindow(undefined, { from: true, to: 1 }, now).label).toBe('last 30 days ending 2 day(s) before today');
  });

  it('resolveWindow: previous month is labelled with the month', () => {
    expect(resolveWindow({ previousMonth: true }, {}, new Date('2024-03-01T00:00:00Z')).label).toBe('previous calendar month 2024-02');
  });
});
