import fc from 'fast-check';
import { formatDecimal, formatUsd, moneyFromNumber, parseMoney, sharePercent, variancePercent, withinTolerance } from '../../lambda/checks/cost/money';
import { addDays, exclusiveEnd, resolveWindow, windowDays } from '../../lambda/checks/cost/window';

describe('money: exact decimal arithmetic', () => {
  it('parses decimal text, exponents and signs exactly', () => {
    expect(formatDecimal(parseMoney('12.34'), 2)).toBe('12.34');
    expect(formatDecimal(parseMoney('-0.0000001234'), 10)).toBe('-0.0000001234');
    expect(formatDecimal(parseMoney('1e-7'), 8)).toBe('0.00000010');
    expect(formatDecimal(parseMoney('1.5E3'), 0)).toBe('1500');
    expect(formatDecimal(parseMoney('.5'), 2)).toBe('0.50');
    expect(formatDecimal(moneyFromNumber(0.06), 2)).toBe('0.06');
    expect(() => parseMoney('12,5')).toThrow(/not a decimal amount/);
    expect(() => parseMoney('')).toThrow();
  });

  it('rounds half away from zero when formatting', () => {
    expect(formatDecimal(parseMoney('0.005'), 2)).toBe('0.01');
    expect(formatDecimal(parseMoney('-0.005'), 2)).toBe('-0.01');
    expect(formatDecimal(parseMoney('0.0049999'), 2)).toBe('0.00');
    expect(formatUsd(parseMoney('1234567.891'))).toBe('$1,234,567.89');
    expect(formatUsd(parseMoney('-3.1'))).toBe('-$3.10');
  });

  it('sums many small costs without float drift', () => {
    // 200,000 line items of $0.0000005 each: exactly $0.10.
    let exact = 0n;
    let float = 0;
    for (let i = 0; i < 200_000; i++) {
      exact += parseMoney('0.0000005');
      float += 0.0000005;
    }
    expect(formatDecimal(exact, 10)).toBe('0.1000000000');
    expect(float).not.toBe(0.1); // what a float sum would have reported
    let tenths = 0n;
    for (let i = 0; i < 100_000; i++) tenths += parseMoney('0.1');
    expect(formatDecimal(tenths, 12)).toBe('10000.000000000000');
  });

  it('plain amounts up to 12 decimals read the same as through the exponent form (property)', () => {
    const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: max });
    fc.assert(
      fc.property(
        fc.boolean(),
        digits(20).filter((d) => d !== ''),
        digits(14),
        fc.boolean(),
        (negative, int, frac, dot) => {
          const plain = `${negative ? '-' : ''}${int}${dot || frac ? `.${frac}` : ''}`;
          // The same value written as digits × 10^-scale goes through the general (rounding) path.
          const general = `${negative ? '-' : ''}${int}${frac}e-${frac.length}`;
          return parseMoney(plain) === parseMoney(general);
        },
      ),
    );
    expect(formatDecimal(parseMoney('0.0000000000005'), 12)).toBe('0.000000000001');
    expect(formatDecimal(parseMoney('-0.0000000000005'), 12)).toBe('-0.000000000001');
    expect(formatDecimal(parseMoney('7.'), 2)).toBe('7.00');
    expect(parseMoney('-0.000000000000')).toBe(0n);
  });

  it('sum of parsed amounts equals the amount of the summed decimals (property)', () => {
    const cents = fc.integer({ min: -10_000_000, max: 10_000_000 });
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 200 }), (values) => {
        const sum = values.reduce((s, v) => s + parseMoney((v / 100).toFixed(2)), 0n);
        const expected = values.reduce((s, v) => s + BigInt(v), 0n);
        return sum === expected * 10n ** 10n;
      }),
    );
  });

  it('judges the tolerance boundary exactly: 5% passes, just above fails', () => {
    const five = parseMoney('5');
    expect(withinTolerance(parseMoney('105'), parseMoney('100'), five)).toBe(true);
    expect(withinTolerance(parseMoney('95'), parseMoney('100'), five)).toBe(true);
    expect(withinTolerance(parseMoney('105.000000001'), parseMoney('100'), five)).toBe(false);
    expect(withinTolerance(parseMoney('94.99'), parseMoney('100'), five)).toBe(false);
    // 0.1 + 0.2 style amounts: 5% of 0.3 is 0.015 exactly.
    expect(withinTolerance(parseMoney('0.315'), parseMoney('0.1') + parseMoney('0.2'), five)).toBe(true);
    expect(withinTolerance(parseMoney('1'), 0n, five)).toBe(false);
    expect(withinTolerance(0n, 0n, five)).toBe(true);
  });

  it('reports signed variance and shares', () => {
    expect(variancePercent(parseMoney('88'), parseMoney('100'))).toBe('-12.00');
    expect(variancePercent(parseMoney('105'), parseMoney('100'))).toBe('+5.00');
    expect(variancePercent(parseMoney('100'), parseMoney('100'))).toBe('0.00');
    expect(variancePercent(parseMoney('1'), 0n)).toBeUndefined();
    expect(sharePercent(parseMoney('1'), parseMoney('8'))).toBe('12.50');
  });
});

describe('window: inclusive for the user, exclusive end converted once', () => {
  const now = new Date('2024-03-15T10:00:00Z');

  it('defaults to the last 30 days ending two days before today', () => {
    const w = resolveWindow(undefined, {}, now);
    expect([w.from, w.to]).toEqual(['2024-02-13', '2024-03-13']);
    expect(windowDays(w)).toBe(30);
  });

  it('takes the previous calendar month, also across a year and in a leap year', () => {
    expect(resolveWindow({ previousMonth: true }, {}, now)).toMatchObject({ from: '2024-02-01', to: '2024-02-29' });
    expect(resolveWindow({ previousMonth: true }, {}, new Date('2024-01-05T00:00:00Z'))).toMatchObject({ from: '2023-12-01', to: '2023-12-31' });
  });

  it('lets --from/--to override the config, requiring both and real dates', () => {
    expect(resolveWindow({ lastDays: 7 }, { from: '2024-01-01', to: '2024-01-31' }, now)).toMatchObject({ from: '2024-01-01', to: '2024-01-31' });
    expect(() => resolveWindow(undefined, { from: '2024-01-01' }, now)).toThrow(/give both --from and --to/);
    expect(() => resolveWindow(undefined, { from: '2024-02-30', to: '2024-03-01' }, now)).toThrow(/--from: not a date/);
    expect(() => resolveWindow(undefined, { from: '2024-03-02', to: '2024-03-01' }, now)).toThrow(/before/);
  });

  it('gives the exclusive end as the day after --to, across month and year ends', () => {
    expect(exclusiveEnd({ from: '2024-02-01', to: '2024-02-29', label: '' })).toBe('2024-03-01');
    expect(exclusiveEnd({ from: '2023-12-01', to: '2023-12-31', label: '' })).toBe('2024-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
