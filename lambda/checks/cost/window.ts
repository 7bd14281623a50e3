import { ConfigError } from '../../core/errors';

/** The reconciliation window: whole UTC days, both ends inclusive (as the user writes them). */
export interface CostWindow {
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
  /** How the window was chosen, for the report. */
  label: string;
}

/** `gates.cost.window`: the last N settled days, the previous calendar month, or explicit dates. */
export type WindowConfig = { lastDays?: number; settleDays?: number } | { previousMonth: true } | { from: string; to: string };

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses YYYY-MM-DD as a real calendar day (2024-02-30 is rejected). */
export function parseDay(text: string): Date | undefined {
  const m = ISO_DAY.exec(text);
  if (!m) return undefined;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text ? d : undefined;
}

export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const d = parseDay(day);
  if (!d) throw new Error(`not a day: ${day}`);
  return dayOf(new Date(d.getTime() + n * DAY_MS));
}

/**
 * The first day after the window: the exclusive end that Cost Explorer (`TimePeriod.End`) and the
 * OpenAI costs API (`end_time`) expect. The only place where the inclusive `to` is converted.
 */
export function exclusiveEnd(window: CostWindow): string {
  return addDays(window.to, 1);
}

/**
 * The days of [from, end) that none of the [start, end) periods covers, as inclusive ranges
 * ("2024-05-11..2024-05-31"): what a bill that claims those periods did not measure.
 */
export function uncoveredDays(periods: readonly (readonly [string, string])[], from: string, end: string): string[] {
  const sorted = [...periods].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const missing: string[] = [];
  let covered = from;
  for (const [start, stop] of sorted) {
    if (covered >= end) break;
    if (start > covered) missing.push(`${covered}..${addDays(start < end ? start : end, -1)}`);
    if (stop > covered) covered = stop;
  }
  if (covered < end) missing.push(`${covered}..${addDays(end, -1)}`);
  return missing;
}

/** The first day (YYYY-MM-DD) of the month after `month` (YYYY-MM). */
export function nextMonthStart(month: string): string {
  return `${addDays(`${month}-28`, 7).slice(0, 7)}-01`;
}

/** The calendar months (YYYY-MM) the window touches: one AWS billing period each. */
export function monthsOf(window: CostWindow): string[] {
  const months: string[] = [];
  for (let m = window.from.slice(0, 7); m <= window.to.slice(0, 7); m = nextMonthStart(m).slice(0, 7)) months.push(m);
  return months;
}

/** Number of days in the window, both ends counted. */
export function windowDays(window: CostWindow): number {
  return Math.round((parseDay(window.to)!.getTime() - parseDay(window.from)!.getTime()) / DAY_MS) + 1;
}

/**
 * The window to reconcile: `--from/--to` when given (both, or neither), else the config, else the
 * last 30 days ending 2 days before today (UTC) so that the bill has settled.
 */
export function resolveWindow(config: WindowConfig | undefined, options: { from?: unknown; to?: unknown }, now: Date): CostWindow {
  const from = typeof options.from === 'string' ? options.from : undefined;
  const to = typeof options.to === 'string' ? options.to : undefined;
  if (from !== undefined || to !== undefined) {
    if (from === undefined || to === undefined) throw new ConfigError('give both --from and --to (YYYY-MM-DD, both inclusive)');
    return explicit(from, to, '--from', '--to', 'command line');
  }
  const today = dayOf(now);
  if (config && 'from' in config) return explicit(config.from, config.to, 'gates.cost.window.from', 'gates.cost.window.to', 'config');
  if (config && 'previousMonth' in config) {
    const first = `${today.slice(0, 7)}-01`;
    const last = addDays(first, -1);
    return { from: `${last.slice(0, 7)}-01`, to: last, label: `previous calendar month ${last.slice(0, 7)}` };
  }
  const days = config?.lastDays ?? 30;
  const settle = config?.settleDays ?? 2;
  const end = addDays(today, -settle);
  return { from: addDays(end, -(days - 1)), to: end, label: `last ${days} days ending ${settle} day(s) before today` };
}

function explicit(from: string, to: string, fromField: string, toField: string, origin: string): CostWindow {
  if (!parseDay(from)) throw new ConfigError(`not a date: '${from}' (expected YYYY-MM-DD)`, fromField);
  if (!parseDay(to)) throw new ConfigError(`not a date: '${to}' (expected YYYY-MM-DD)`, toField);
  if (to < from) throw new ConfigError(`${to} is before ${from}`, toField);
  return { from, to, label: `explicit, from the ${origin}` };
}
