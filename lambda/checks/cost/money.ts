/**
 * Exact money arithmetic. Amounts are `bigint` counts of pico-dollars (10⁻¹² USD), so sums of
 * millions of tiny line items (Cost Explorer and CUR report up to ~10 decimals) never drift the way
 * binary floats do. Digits beyond the 12th decimal are rounded half away from zero on parsing.
 */
export type Money = bigint;

export const SCALE_DIGITS = 12;
const SCALE = 10n ** BigInt(SCALE_DIGITS);
const DECIMAL = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;
/** 10^0 … 10^40, so that parsing millions of amounts does no BigInt exponentiation. */
const POW10 = Array.from({ length: 41 }, (_, i) => 10n ** BigInt(i));
const pow10 = (n: number) => POW10[n] ?? 10n ** BigInt(n);

/** The common form of a bill or ledger amount: plain digits with at most 12 decimals. */
const PLAIN = /^(-?)(\d+)(?:\.(\d{0,12}))?$/;

/** Parses a decimal string ("12.34", "-0.0000001", "1e-7", " 5 ") into pico-dollars. */
export function parseMoney(text: string): Money {
  const plain = PLAIN.exec(text);
  if (plain) {
    // Exact without rounding: the digits, padded to 12 decimals, are the pico-dollars.
    const value = BigInt(plain[2] + (plain[3] ?? '').padEnd(SCALE_DIGITS, '0'));
    return plain[1] ? -value : value;
  }
  const m = DECIMAL.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not a decimal amount: ${JSON.stringify(text.slice(0, 40))}`);
  const [, sign, int, frac = '', exp = '0'] = m;
  const digits = BigInt(`${int}${frac}` || '0');
  // value = digits × 10^(exp − len(frac)); in pico-dollars multiply by 10^SCALE_DIGITS.
  const shift = Number(exp) - frac.length + SCALE_DIGITS;
  let value: bigint;
  if (shift >= 0) value = digits * pow10(shift);
  else value = divRound(digits, pow10(-shift));
  return sign === '-' ? -value : value;
}

/** A JSON number (e.g. OpenAI's `amount.value`) via its shortest decimal form, which is exact to what was sent. */
export function moneyFromNumber(value: number): Money {
  if (!Number.isFinite(value)) throw new Error(`not a finite amount: ${value}`);
  return parseMoney(String(value));
}

/** a / b rounded half away from zero (b > 0). */
export function divRound(a: bigint, b: bigint): bigint {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const q = (abs * 2n + b) / (2n * b);
  return neg ? -q : q;
}

export function abs(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** Fixed-point text with `digits` decimals, rounded half away from zero: 1234567n… → "1234.57". */
export function formatDecimal(value: Money, digits = 2): string {
  const unit = pow10(SCALE_DIGITS - digits);
  const scaled = divRound(value, unit);
  const neg = scaled < 0n;
  const s = (neg ? -scaled : scaled).toString().padStart(digits + 1, '0');
  const text = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return neg && /[1-9]/.test(text) ? `-${text}` : text;
}

/** "$1,234.57" (or "-$3.10") for reports. */
export function formatUsd(value: Money): string {
  const text = formatDecimal(abs(value));
  const [int, frac] = text.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${value < 0n && text !== '0.00' ? '-' : ''}$${grouped}.${frac}`;
}

/** Money as a plain number of dollars, for metrics and JSON measurements only (never summed again). */
export function toDollars(value: Money): number {
  return Number(formatDecimal(value, 6));
}

/**
 * Signed variance (tracked − actual) / actual as a percentage with `digits` decimals, computed
 * exactly; undefined when actual is zero (there is no ratio to a zero bill).
 */
export function variancePercent(tracked: Money, actual: Money, digits = 2): string | undefined {
  if (actual === 0n) return undefined;
  const scale = pow10(digits);
  const pct = divRound((tracked - actual) * 100n * scale, abs(actual));
  const neg = pct < 0n;
  const s = (neg ? -pct : pct).toString().padStart(digits + 1, '0');
  const text = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return `${neg ? '-' : pct > 0n ? '+' : ''}${text}`;
}

/**
 * True when |tracked − actual| ≤ tolerance% × |actual|, decided exactly (exactly 5% is within 5%).
 * A zero actual is within tolerance only when tracked is zero too.
 */
export function withinTolerance(tracked: Money, actual: Money, tolerancePercent: Money): boolean {
  if (actual === 0n) return tracked === 0n;
  return abs(tracked - actual) * 100n * SCALE <= tolerancePercent * abs(actual);
}

/** part / whole as a percentage with 2 decimals ("12.50"); "0.00" when whole is zero. */
export function sharePercent(part: Money, whole: Money): string {
  if (whole === 0n) return '0.00';
  return formatDecimal(divRound(part * 100n * SCALE, abs(whole)), 2);
}
