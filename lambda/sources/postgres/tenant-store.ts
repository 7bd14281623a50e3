import type { Client, QueryResult } from 'pg';
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

/** A relation the catalog knows: its safely quoted name and columns. */
async function relation(client: Client, name: string): Promise<{ quoted: string; columns: Column[] } | undefined> {
  const found = await client.query<{ quoted: string | null }>('SELECT to_regclass($1)::text AS quoted', [name]);
  const quoted = found.rows[0]?.quoted;
  if (!quoted) return undefined;
  const cols = await client.query<{ name: string; type: string; numeric: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typcategory = 'N' AS numeric
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [name],
  );
  return { quoted, columns: cols.rows };
}

function column(columns: Column[], wanted: string, what: string, table: string): Column {
  const c = columns.find((col) => col.name === wanted);
  if (!c) throw new Error(`${what} column '${wanted}' not found in ${table} (columns: ${columns.map((x) => x.name).join(', ')})`);
  return c;
}

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
    if (!tenants) throw new Error(`table '${tableName}' not found in ${this.target} (set gates.tenants.table)`);
    const cols = tenants.columns;
    const has = (n: string) => cols.some((c) => c.name === n);

    const id = column(cols, m.idColumn ?? (has('tenant_id') ? 'tenant_id' : 'id'), 'ID', tenants.quoted);
    const idSql = `t.${quoteIdent(id.name)}`;

    const statusName = m.statusColumn ?? (has('status') ? 'status' : undefined);
    const activeValues = (m.activeValues ?? ['active']).map((v) => v.toLowerCase());
    const params: unknown[] = [];
    let activeSql = 'TRUE';
    let activeRule = `every row (no status column in ${tenants.quoted})`;
    if (statusName) {
      const status = column(cols, statusName, 'status', tenants.quoted);
      params.push(activeValues);
      activeSql = `lower(t.${quoteIdent(status.name)}::text) = ANY($${params.length}::text[])`;
      activeRule = `${status.name} in (${activeValues.join(', ')})`;
    }

    const quotaCols = (m.quotaColumns ?? cols.filter((c) => c.numeric && isQuotaName(c.name)).map((c) => c.name)).map((n) =>
      column(cols, n, 'quota', tenants.quoted),
    );
    const nonNumeric = quotaCols.filter((c) => !c.numeric);
    if (nonNumeric.length) throw new Error(`quota columns must be numeric: ${nonNumeric.map((c) => `${c.name} (${c.type})`).join(', ')}`);
    const quotaSql = quotaCols.length ? quotaCols.map((c) => `COALESCE(t.${quoteIdent(c.name)} > 0, FALSE)`).join(' AND ') : 'FALSE';

    let join = '';
    let configSql = 'FALSE';
    let configRule = 'none found';
    const configTableName = m.configTable ?? 'tenant_configs';
    const configTable = m.configColumn && !m.configTable ? undefined : await relation(client, configTableName);
    if (configTable) {
      const fk = column(configTable.columns, m.configTenantColumn ?? 'tenant_id', 'config tenant', configTable.quoted);
      const cast = fk.type === id.type ? '' : '::text';
      join = `LEFT JOIN (SELECT DISTINCT ${quoteIdent(fk.name)}${cast} AS cid FROM ${configTable.quoted}) c ON c.cid = t.${quoteIdent(id.name)}${cast}`;
      configSql = 'c.cid IS NOT NULL';
      configRule = `a row in ${configTable.quoted}`;
    } else if (m.configTable) {
      throw new Error(`config table '${m.configTable}' not found in ${this.target}`);
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

    return {
      store: `PostgreSQL ${this.target}, table ${tenants.quoted}`,
      total: Number(row.total),
      active: Number(row.active),
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
