import type { Client, QueryResult } from 'pg';
import { SourceError } from '../../core/errors';
import { isQuotaName } from '../../core/tenant-id';
import type { Offenders, TenantCensus, TenantStore } from '../../checks/tenants/ports';
import { quoteIdent, requireEveryRowVisible } from './connection';

/** Where gate 1 finds tenants in PostgreSQL. Every name is optional and defaults to the convention. */
export interface PostgresTenantMapping {
  /** Table of tenants, optionally schema-qualified. Default `tenants`. */
  table?: string;
  /** ID column. Default `tenant_id`, else `id`. */
  idColumn?: string;
  /** Status column. Default `status` when it exists; without one every row is active. */
  statusColumn?: string;
  /** Status values meaning active (compared case-insensitively). Default `[active]`. */
  activeValues?: string[];
  /** Quota columns; each must be positive. Default: numeric columns whose names contain quota or rate_limit. */
  quotaColumns?: string[];
  /** Table holding one config row per tenant. Default `tenant_configs` when it exists. */
  configTable?: string;
  /** Tenant column of the config table. Default `tenant_id`. */
  configTenantColumn?: string;
  /** Config column on the tenants table, used when there is no config table. Default `config`. */
  configColumn?: string;
}

interface Column {
  name: string;
  type: string;
  numeric: boolean;
}

const PAGE_SIZE = 10_000;

/**
 * A configured name as PostgreSQL should read it: each part (schema, table) quoted, so that a
 * mixed-case name such as `Tenants` means that table and is never folded to `tenants`.
 */
export function exactName(name: string): string {
  return name
    .split('.')
    .map((part) => quoteIdent(part))
    .join('.');
}

/** A relation the catalog knows, by its exact name: its safely quoted name and columns. */
async function relation(client: Client, name: string): Promise<{ quoted: string; columns: Column[] } | undefined> {
  const exact = exactName(name);
  const found = await client.query<{ quoted: string | null }>('SELECT to_regclass($1)::text AS quoted', [exact]);
  const quoted = found.rows[0]?.quoted;
  if (!quoted) return undefined;
  const cols = await client.query<{ name: string; type: string; numeric: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typcategory = 'N' AS numeric
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [exact],
  );
  return { quoted, columns: cols.rows };
}

/** Visible tables whose name matches `name` but for case, to say what was meant. */
async function sameButForCase(client: Client, name: string): Promise<string[]> {
  const table = name.split('.').pop() ?? name;
  const res = await client.query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name FROM pg_class c
      WHERE lower(c.relname) = lower($1) AND c.relname <> $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND pg_table_is_visible(c.oid)
      ORDER BY 1 LIMIT 3`,
    [table],
  );
  return res.rows.map((r) => r.name);
}

function column(columns: Column[], wanted: string, what: string, table: string, setting: string): Column {
  const c = columns.find((col) => col.name === wanted);
  if (!c) {
    throw new SourceError('not-found', `${what} column '${wanted}' (${setting}) not found in ${table} (columns: ${columns.map((x) => x.name).join(', ')})`, {
      remediation: `Set ${setting} in gates.tenants to one of the columns listed (names are matched exactly, case included).`,
    });
  }
  return c;
}

/** Columns whose names suggest a status, for a table without the conventional `status`. */
const STATUS_LIKE = /state|status|active|enabled|lifecycle/i;

/**
 * Counts tenants in PostgreSQL with the counting pushed down to SQL: one aggregate statement for the
 * counts, small LIMITed queries for offender names, and keyset-paged reads of the ID column only.
 * Identifiers come from the catalog and are quoted; values are bound parameters.
 */
export class PostgresTenantStore implements TenantStore {
  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly mapping: PostgresTenantMapping,
    private readonly target: string,
  ) {}

  private client?: Client;

  async census(): Promise<TenantCensus> {
    const client = (this.client ??= await this.connect());
    const m = this.mapping;
    const tableName = m.table ?? 'tenants';
    const tenants = await relation(client, tableName);
    if (!tenants) {
      const near = await sameButForCase(client, tableName);
      throw new SourceError(
        'not-found',
        `table '${tableName}' not found in ${this.target}${near.length ? ` (names are matched exactly; there is ${near.join(', ')})` : ''}`,
        {
          remediation: near.length
            ? `Set table in gates.tenants to the exact name, e.g. table: ${near[0]}.`
            : `Set table in gates.tenants to the table that holds one row per tenant${m.table ? '' : " (the convention is 'tenants')"}.`,
        },
      );
    }
    const cols = tenants.columns;
    const has = (n: string) => cols.some((c) => c.name === n);
    const columnList = cols.map((x) => x.name).join(', ');

    if (!m.idColumn && !has('tenant_id') && !has('id')) {
      throw new SourceError('not-found', `no ID column in ${tenants.quoted}: tried the conventions tenant_id and id (columns: ${columnList})`, {
        remediation: 'Set idColumn in gates.tenants to the column that holds the tenant ID.',
      });
    }
    const id = column(cols, m.idColumn ?? (has('tenant_id') ? 'tenant_id' : 'id'), 'ID', tenants.quoted, 'idColumn');
    const idSql = `t.${quoteIdent(id.name)}`;

    const statusName = m.statusColumn ?? (has('status') ? 'status' : undefined);
    const activeValues = (m.activeValues ?? ['active']).map((v) => v.toLowerCase());
    const params: unknown[] = [];
    let activeSql = 'TRUE';
    let activeRule = `every row (no status column in ${tenants.quoted})`;
    let statusSql: string | undefined;
    if (statusName) {
      const status = column(cols, statusName, 'status', tenants.quoted, 'statusColumn');
      statusSql = `t.${quoteIdent(status.name)}`;
      params.push(activeValues);
      activeSql = `lower(t.${quoteIdent(status.name)}::text) = ANY($${params.length}::text[])`;
      activeRule = `${status.name} in (${activeValues.join(', ')})`;
    }

    const quotaCols = (m.quotaColumns ?? cols.filter((c) => c.numeric && isQuotaName(c.name)).map((c) => c.name)).map((n) =>
      column(cols, n, 'quota', tenants.quoted, 'quotaColumns'),
    );
    const nonNumeric = quotaCols.filter((c) => !c.numeric);
    if (nonNumeric.length) {
      throw new SourceError('malformed', `quota columns must be numeric: ${nonNumeric.map((c) => `${c.name} (${c.type})`).join(', ')}`, {
        remediation: 'List only numeric columns in quotaColumns.',
      });
    }
    const quotaSql = quotaCols.length ? quotaCols.map((c) => `COALESCE(t.${quoteIdent(c.name)} > 0, FALSE)`).join(' AND ') : 'FALSE';

    let join = '';
    let configSql = 'FALSE';
    let configRule = 'none found';
    const configTableName = m.configTable ?? 'tenant_configs';
    const configTable = m.configColumn && !m.configTable ? undefined : await relation(client, configTableName);
    if (configTable) {
      const fk = column(configTable.columns, m.configTenantColumn ?? 'tenant_id', 'config tenant', configTable.quoted, 'configTenantColumn');
      const cast = fk.type === id.type ? '' : '::text';
      join = `LEFT JOIN (SELECT DISTINCT ${quoteIdent(fk.name)}${cast} AS cid FROM ${configTable.quoted}) c ON c.cid = t.${quoteIdent(id.name)}${cast}`;
      configSql = 'c.cid IS NOT NULL';
      configRule = `a row in ${configTable.quoted}`;
    } else if (m.configTable) {
      const near = await sameButForCase(client, m.configTable);
      throw new SourceError(
        'not-found',
        `config table '${m.configTable}' (configTable) not found in ${this.target}${near.length ? ` (names are matched exactly; there is ${near.join(', ')})` : ''}`,
        { remediation: 'Set configTable in gates.tenants to the exact name of the table with one config row per tenant.' },
      );
    } else {
      const name = m.configColumn ?? 'config';
      if (has(name)) {
        configSql = `t.${quoteIdent(name)} IS NOT NULL`;
        configRule = `${name} column not null`;
      }
    }

    const from = `FROM ${tenants.quoted} t ${join}`;
    // Every row counts, not those row-level security would show this login.
    await requireEveryRowVisible(client, [tenants.quoted, ...(configTable ? [configTable.quoted] : [])]);
    const counts = await client.query<{ total: string; active: string; no_config: string; no_quota: string }>(
      `SELECT count(*) AS total,
              count(*) FILTER (WHERE ${activeSql}) AS active,
              count(*) FILTER (WHERE ${activeSql} AND NOT (${configSql})) AS no_config,
              count(*) FILTER (WHERE ${activeSql} AND NOT (${quotaSql})) AS no_quota
         ${from}`,
      params,
    );
    const row = counts.rows[0];
    const offenders = async (condition: string, count: number, why?: Column[]): Promise<Offenders> => {
      if (count === 0) return { count, examples: [] };
      // For quotas, each offender's values too, to say which field is NULL and which is 0.
      const values = (why ?? []).map((c, i) => `, t.${quoteIdent(c.name)}::text AS q${i}`).join('');
      const res = await client.query<Record<string, string | null>>(
        `SELECT ${idSql}::text AS id${values} ${from} WHERE ${activeSql} AND NOT (${condition}) ORDER BY 1 LIMIT 10`,
        params,
      );
      const examples = res.rows.map((r) => r.id ?? '(null id)');
      if (!why) return { count, examples };
      const reasons = res.rows.map((r) =>
        why
          .flatMap((c, i) => {
            const v = r[`q${i}`];
            if (v === null || v === undefined) return [`${c.name} is NULL`];
            const n = Number(v);
            return n > 0 ? [] : [`${c.name} is ${n === 0 ? '0' : v}`];
          })
          .join(', '),
      );
      return { count, examples, reasons };
    };

    const keyset = params.length + 1;
    const pageSql = `SELECT ${idSql}::text AS id FROM ${tenants.quoted} t
       WHERE ${activeSql} AND ${idSql} IS NOT NULL AND ($${keyset}::text IS NULL OR ${idSql} > ($${keyset}::text)::${id.type})
       ORDER BY ${idSql} LIMIT ${PAGE_SIZE}`;
    const nullIds = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${tenants.quoted} t WHERE ${activeSql} AND ${idSql} IS NULL`, params);
    const activeIds = async function* (): AsyncIterable<(string | null)[]> {
      const nulls = Number(nullIds.rows[0].n);
      if (nulls) yield new Array<null>(nulls).fill(null);
      let after: string | null = null;
      for (;;) {
        const page: QueryResult<{ id: string }> = await client.query<{ id: string }>(pageSql, [...params, after]);
        if (page.rows.length === 0) return;
        yield page.rows.map((r) => r.id);
        if (page.rows.length < PAGE_SIZE) return;
        after = page.rows[page.rows.length - 1].id;
      }
    };

    const total = Number(row.total);
    const active = Number(row.active);
    const assumptions: string[] = [];
    if (!statusName) {
      const candidates = cols.filter((c) => STATUS_LIKE.test(c.name)).map((c) => c.name);
      assumptions.push(
        `no status column found in ${tenants.quoted} (looked for 'status'), so all ${total} rows were counted as active; set statusColumn${
          candidates.length ? ` (e.g. statusColumn: ${candidates[0]})` : ''
        } and activeValues to count only active tenants`,
      );
    }
    // The values found, to say why few or no rows counted as active.
    let statusValues: { value: string; count: number }[] | undefined;
    if (statusSql && active < total) {
      const found = await client.query<{ value: string | null; n: string }>(
        `SELECT ${statusSql}::text AS value, count(*) AS n FROM ${tenants.quoted} t GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      );
      statusValues = found.rows.map((r) => ({ value: r.value ?? 'NULL', count: Number(r.n) }));
    }

    return {
      assumptions,
      ...(statusValues ? { statusValues } : {}),
      store: `PostgreSQL ${this.target}, table ${tenants.quoted}`,
      total,
      active,
      activeRule,
      configRule,
      missingConfig: await offenders(configSql, Number(row.no_config)),
      quotaFields: quotaCols.map((c) => c.name),
      missingQuota: await offenders(quotaSql, Number(row.no_quota), quotaCols),
      activeIds,
      notes: [],
    };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}
