import type { Client } from 'pg';
import { parseMoney } from '../../checks/cost/money';
import type { CostLedger, LedgerSummary } from '../../checks/cost/ports';
import { exclusiveEnd, type CostWindow } from '../../checks/cost/window';
import { quoteIdent } from '../postgres/connection';
import { ledgerColumns, type LedgerMapping } from './mapping';

/**
 * The cost ledger in PostgreSQL, aggregated by the database: one GROUP BY over the rows from the
 * window's first day on, returning a sum per tenant and provider (exact numeric, as text) and the
 * newest entry. Identifiers come from the catalog and are quoted; dates are bound parameters.
 */
export class PostgresCostLedger implements CostLedger {
  private client?: Client;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly mapping: LedgerMapping,
    private readonly target: string,
  ) {}

  async summarize(window: CostWindow): Promise<LedgerSummary> {
    const client = (this.client ??= await this.connect());
    const names = ledgerColumns(this.mapping);
    const found = await client.query<{ quoted: string | null }>('SELECT to_regclass($1)::text AS quoted', [names.table]);
    const table = found.rows[0]?.quoted;
    if (!table) throw new Error(`table '${names.table}' not found in ${this.target} (set gates.cost.ledger.table)`);
    const cols = await client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
      [names.table],
    );
    const typeOf = (wanted: string, key: string) => {
      const c = cols.rows.find((r) => r.name === wanted);
      if (!c) throw new Error(`column '${wanted}' not found in ${table} (set gates.cost.ledger.${key}; columns: ${cols.rows.map((r) => r.name).join(', ')})`);
      return c.type;
    };
    const [tenant, provider, cost] = [
      [names.tenant, 'tenantColumn'],
      [names.provider, 'providerColumn'],
      [names.cost, 'costColumn'],
    ].map(([n, k]) => (typeOf(n, k), quoteIdent(n)));
    const costType = typeOf(names.cost, 'costColumn');
    if (!NUMERIC_TYPES.test(costType)) {
      throw new Error(`column '${names.cost}' of ${table} is ${costType}; it must be numeric (numeric, integer, bigint, real or double precision)`);
    }
    const dateType = typeOf(names.date, 'dateColumn');
    const date = quoteIdent(names.date);
    const dateOnly = dateType === 'date';
    const zoned = dateType.startsWith('timestamp') && dateType.includes('with time zone');
    if (!dateOnly && !dateType.startsWith('timestamp')) {
      throw new Error(`column '${names.date}' of ${table} is ${dateType}; it must be a date or a timestamp`);
    }
    // Bounds as the column's own type: [first day, day after the last) in UTC.
    const bound = (day: string) => (dateOnly ? day : zoned ? `${day} 00:00:00+00` : `${day} 00:00:00`);
    const newestSql = dateOnly ? `max(${date})::text` : `extract(epoch from max(${date}))::text`;
    const res = await client.query<{ tenant: string | null; provider: string | null; tracked: string | null; newest: string | null }>(
      `SELECT ${tenant}::text AS tenant, ${provider}::text AS provider,
              (sum(${cost}) FILTER (WHERE ${date} < $2::${dateType}))::text AS tracked,
              ${newestSql} AS newest
         FROM ${table}
        WHERE ${date} >= $1::${dateType}
        GROUP BY 1, 2`,
      [bound(window.from), bound(exclusiveEnd(window))],
    );
    let newest: string | null = null;
    for (const r of res.rows) if (r.newest !== null && (newest === null || compare(r.newest, newest, dateOnly) > 0)) newest = r.newest;
    // Nothing from the window on: the newest entry is older than the window (or the ledger is empty).
    if (newest === null) newest = (await client.query<{ newest: string | null }>(`SELECT ${newestSql} AS newest FROM ${table}`)).rows[0]?.newest ?? null;
    return {
      source: `PostgreSQL ${this.target}, table ${table} (aggregated in the database)`,
      totals: res.rows
        .filter((r) => r.tracked !== null)
        .map((r) => ({ tenant: r.tenant ?? '', provider: r.provider ?? '', amount: parseMoney(r.tracked!) })),
      newest: newest === null ? null : { at: dateOnly ? new Date(`${newest}T00:00:00Z`) : new Date(Number(newest) * 1000), dateOnly },
    };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/** Column types whose sum reads back as a plain decimal (money does not: it prints a currency symbol). */
const NUMERIC_TYPES = /^(numeric|decimal)(\(.*\))?$|^(smallint|integer|bigint|real|double precision)$/;

function compare(a: string, b: string, dateOnly: boolean): number {
  return dateOnly ? a.localeCompare(b) : Number(a) - Number(b);
}
