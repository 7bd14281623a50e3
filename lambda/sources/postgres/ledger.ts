import type { Client } from 'pg';
import { SourceError } from '../../core/errors';
import { parseMoney } from '../../checks/cost/money';
import type { CostLedger, LedgerSummary } from '../../checks/cost/ports';
import { exclusiveEnd, type CostWindow } from '../../checks/cost/window';
import { quoteIdent, requireEveryRowVisible } from './connection';
import { ledgerColumns, type LedgerMapping } from '../../checks/cost/ledger-mapping';

/** The ledger table as the catalog describes it: quoted identifiers and the date column's type. */
interface LedgerTable {
  table: string;
  tenant: string;
  provider: string;
  cost: string;
  date: string;
  dateType: string;
}

/**
 * The cost ledger in PostgreSQL, aggregated by the database: one GROUP BY over the rows from the
 * window's first day on, returning a sum per tenant and provider (exact numeric, as text) and the
 * newest entry. Identifiers come from the catalog and are quoted; dates are bound parameters.
 */
export class PostgresCostLedger implements CostLedger {
  private client?: Client;
  private resolved?: LedgerTable;
  private closing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly mapping: LedgerMapping,
    private readonly target: string,
  ) {}

  /** Connects and reads the table's columns from the catalog in one round trip. */
  async open(): Promise<void> {
    if (this.resolved) return;
    const client = (this.client ??= await this.connect());
    const names = ledgerColumns(this.mapping);
    const cols = await client.query<{ quoted: string | null; name: string | null; type: string | null }>(
      `SELECT to_regclass($1)::text AS quoted, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
         FROM (SELECT 1) one
         LEFT JOIN pg_attribute a ON a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [names.table],
    );
    const table = cols.rows[0]?.quoted;
    if (!table)
      throw new SourceError('not-found', `table '${names.table}' not found in ${this.target} (set gates.cost.ledger.table)`, {
        remediation: 'Set gates.cost.ledger.table to the table the app writes its per-tenant costs to.',
      });
    const typeOf = (wanted: string, key: string) => {
      const c = cols.rows.find((r) => r.name === wanted);
      if (!c)
        throw new SourceError(
          'not-found',
          `column '${wanted}' not found in ${table} (set gates.cost.ledger.${key}; columns: ${cols.rows.flatMap((r) => (r.name ? [r.name] : [])).join(', ')})`,
          { remediation: `Set gates.cost.ledger.${key} to one of the columns listed (names are matched exactly).` },
        );
      return c.type ?? '';
    };
    typeOf(names.tenant, 'tenantColumn');
    typeOf(names.provider, 'providerColumn');
    const costType = typeOf(names.cost, 'costColumn');
    if (!NUMERIC_TYPES.test(costType)) {
      throw new SourceError(
        'malformed',
        `column '${names.cost}' of ${table} is ${costType}; it must be numeric (numeric, integer, bigint, real or double precision)`,
        {
          remediation: 'Point gates.cost.ledger.costColumn at a numeric column (numeric keeps cents exact).',
        },
      );
    }
    const dateType = typeOf(names.date, 'dateColumn');
    if (dateType !== 'date' && !dateType.startsWith('timestamp')) {
      throw new SourceError('malformed', `column '${names.date}' of ${table} is ${dateType}; it must be a date or a timestamp`, {
        remediation: 'Point gates.cost.ledger.dateColumn at a date or timestamp column.',
      });
    }
    this.resolved = {
      table,
      tenant: quoteIdent(names.tenant),
      provider: quoteIdent(names.provider),
      cost: quoteIdent(names.cost),
      date: quoteIdent(names.date),
      dateType,
    };
  }

  async summarize(window: CostWindow): Promise<LedgerSummary> {
    await this.open();
    const client = this.client!;
    const { table, tenant, provider, cost, date, dateType } = this.resolved!;
    const dateOnly = dateType === 'date';
    const zoned = dateType.startsWith('timestamp') && dateType.includes('with time zone');
    // Bounds as the column's own type: [first day, day after the last) in UTC.
    const bound = (day: string) => (dateOnly ? day : zoned ? `${day} 00:00:00+00` : `${day} 00:00:00`);
    const newestSql = dateOnly ? `max(${date})::text` : `extract(epoch from max(${date}))::text`;
    // Every tenant's costs, not those row-level security would show this login.
    await requireEveryRowVisible(client, [table]);
    const res = await client.query<{ tenant: string | null; provider: string | null; tracked: string | null; newest: string | null; nulls: string }>(
      `SELECT ${tenant}::text AS tenant, ${provider}::text AS provider,
              (sum(${cost}) FILTER (WHERE ${date} < $2::${dateType}))::text AS tracked,
              count(*) FILTER (WHERE ${date} < $2::${dateType} AND ${cost} IS NULL) AS nulls,
              ${newestSql} AS newest
         FROM ${table}
        WHERE ${date} >= $1::${dateType}
        GROUP BY 1, 2`,
      [bound(window.from), bound(exclusiveEnd(window))],
    );
    // ISO dates compare as text; epoch seconds as numbers.
    let newest: string | null = null;
    for (const r of res.rows) {
      if (r.newest !== null && (newest === null || (dateOnly ? r.newest > newest : Number(r.newest) > Number(newest)))) newest = r.newest;
    }
    // Nothing from the window on: the newest entry is older than the window (or the ledger is empty).
    if (newest === null) newest = (await client.query<{ newest: string | null }>(`SELECT ${newestSql} AS newest FROM ${table}`)).rows[0]?.newest ?? null;
    const window2 = [bound(window.from), bound(exclusiveEnd(window))];
    const rowsWhere = async (condition: string) =>
      (
        await client.query<{ tenant: string | null; provider: string | null; day: string; cost: string | null }>(
          `SELECT ${tenant}::text AS tenant, ${provider}::text AS provider, ${dateOnly ? date : `${date}::date`}::text AS day, ${cost}::text AS cost
             FROM ${table} WHERE ${date} >= $1::${dateType} AND ${date} < $2::${dateType} AND ${condition}
            ORDER BY 3, 1 LIMIT 5`,
          window2,
        )
      ).rows;
    const rowName = (r: { tenant: string | null; provider: string | null; day: string }) =>
      `${r.tenant ?? '(no tenant)'} (${r.provider ?? 'no provider'}) on ${r.day}`;
    // A NaN or infinite cost poisons its tenant's sum: named by tenant and date, as a value to correct.
    const notFinite = res.rows.filter((r) => r.tracked !== null && /^-?(NaN|Infinity)$/i.test(r.tracked));
    if (notFinite.length) {
      const bad = await rowsWhere(`${cost}::text IN ('NaN', 'Infinity', '-Infinity')`);
      throw new SourceError(
        'malformed',
        `ledger rows whose cost is not a finite number: ${bad.map((r) => `${rowName(r)}: ${r.cost}`).join('; ')}${bad.length >= 5 ? ' …' : ''} (column ${cost} of ${table})`,
        {
          remediation: `Correct the cost value of the rows named (NaN and Infinity cannot be summed into a bill; a cost is a finite amount in US dollars), and fix the metering job that wrote them.`,
        },
      );
    }
    const totals = [];
    for (const r of res.rows) if (r.tracked !== null) totals.push({ tenant: r.tenant ?? '', provider: r.provider ?? '', amount: parseMoney(r.tracked) });
    const nullCount = res.rows.reduce((n, r) => n + Number(r.nulls), 0);
    const nullCosts = nullCount ? { count: nullCount, examples: (await rowsWhere(`${cost} IS NULL`)).map(rowName) } : undefined;
    // Everything is read: the connection goes now, so that closing it overlaps the reconciliation.
    void this.release();
    return {
      source: `PostgreSQL ${this.target}, table ${table} (aggregated in the database)`,
      totals,
      ...(nullCosts ? { nullCosts } : {}),
      newest: newest === null ? null : { at: dateOnly ? new Date(`${newest}T00:00:00Z`) : new Date(Number(newest) * 1000), dateOnly },
    };
  }

  async close(): Promise<void> {
    await this.release();
  }

  private release(): Promise<unknown> {
    const client = this.client;
    this.client = undefined;
    this.resolved = undefined;
    this.closing = Promise.all([this.closing, client?.end().catch(() => undefined)]);
    return this.closing;
  }
}

/** Column types whose sum reads back as a plain decimal (money does not: it prints a currency symbol). */
const NUMERIC_TYPES = /^(numeric|decimal)(\(.*\))?$|^(smallint|integer|bigint|real|double precision)$/;
