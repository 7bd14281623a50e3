import { isRecord, typeName } from '../http/json-request';
import { malformed } from './nerdgraph';

/**
 * NRQL the gate sends (docs/contracts/newrelic.md NR-07 … NR-13). Each signal query counts events
 * (> 0 means the signal flows); queries carry no SINCE/UNTIL: the adapter appends its window.
 */
export interface NewRelicQueries {
  latency?: string;
  errors?: string;
  throughput?: string;
  /** Default: the throughput query with `FACET <tenantAttribute> LIMIT MAX`. */
  tenants?: string;
}

/** NR-07: the `timeout` argument per query, in seconds (NerdGraph's default is 5). */
export const SIGNALS_TIMEOUT_S = 30;
export const BREAKDOWN_TIMEOUT_S = 60;
/** How much longer than the NRQL `timeout` the adapter waits for NerdGraph's answer. */
export const ANSWER_MARGIN_MS = 5_000;

/** NR-11: attribute names with characters other than letters, digits, `_` and `.` go in backticks. */
export function nrqlAttribute(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? name : `\`${name}\``;
}

/** NR-13: a string literal in single quotes; NRQL documents no escape for a quote inside one. */
export function nrqlString(value: string): string | undefined {
  return value.includes("'") ? undefined : `'${value}'`;
}

/**
 * The default signal queries, on APM Transaction events (NR-10): `duration` and the `error` flag are set on every
 * transaction, so `count(error)` counts transactions that report errors-or-not and a healthy
 * service with zero errors still shows error data. With an app name every query is scoped to it.
 */
export function defaultQueries(appScope?: string): Required<Omit<NewRelicQueries, 'tenants'>> {
  const where = appScope ? ` WHERE appName = ${appScope}` : '';
  return {
    latency: `SELECT count(duration) FROM Transaction${where}`,
    errors: `SELECT count(error) FROM Transaction${where}`,
    throughput: `SELECT count(*) FROM Transaction${where}`,
  };
}

/** NR-11: the tenant breakdown appended to the throughput query: every tenant, not the default 10. */
export function tenantFacet(tenantAttribute: string): string {
  return `FACET ${nrqlAttribute(tenantAttribute)} LIMIT MAX`;
}

/** NR-12: the APM apps that reported Transaction events (for the app-scope decision of NR-13). */
export const APPS_QUERY = 'SELECT uniques(appName) FROM Transaction';

/** NR-08: the window as epoch milliseconds. */
export function window(from: Date, to: Date): string {
  return `SINCE ${from.getTime()} UNTIL ${to.getTime()}`;
}

/** The `results` list of one `nrql` field, checked to be a list of rows. */
export function rows(entry: unknown, operation: string, what: string): Record<string, unknown>[] {
  const results = isRecord(entry) ? entry.results : undefined;
  if (!Array.isArray(results)) throw malformed(operation, `${what}.results is ${typeName(results)}, not a list`);
  results.forEach((row, i) => {
    if (!isRecord(row)) throw malformed(operation, `${what}.results[${i}] is ${typeName(row)}, not an object`);
  });
  return results as Record<string, unknown>[];
}

/**
 * NR-09: the value of a single-aggregate query is the first number of its first row; no row or
 * only nulls is no data (0). A row of non-numbers (e.g. "5400") is a malformed answer.
 */
/** The first numeric result and its name (`count`, `average.duration`…): a count of events, or another kind of value. */
export function firstResult(results: Record<string, unknown>[], what: string): { value: number; name?: string } {
  const value = firstNumber(results, what);
  const name = results.length ? Object.entries(results[0]).find(([, v]) => typeof v === 'number')?.[0] : undefined;
  return { value, ...(name ? { name } : {}) };
}

export function firstNumber(results: Record<string, unknown>[], what: string): number {
  if (results.length === 0) return 0;
  const values = Object.values(results[0]);
  const value = values.find((v) => typeof v === 'number');
  if (typeof value === 'number') return value;
  if (values.every((v) => v === null)) return 0;
  throw malformed('signals NRQL', `${what}.results[0] has no numeric value (${JSON.stringify(results[0]).slice(0, 80)})`);
}

/** NR-11: a facet row's value: `facet` (first element when several attributes), else the attribute's own key. */
export function facetValue(row: Record<string, unknown>, attribute: string): unknown {
  const facet = 'facet' in row ? row.facet : row[attribute];
  return Array.isArray(facet) ? facet[0] : facet;
}

/** The first number of a facet row other than the facet itself: the row's count. */
export function facetCount(row: Record<string, unknown>, attribute: string): number | undefined {
  return Object.entries(row).find(([k, v]) => k !== 'facet' && k !== attribute && typeof v === 'number')?.[1] as number | undefined;
}
