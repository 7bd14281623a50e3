import { SourceError } from '../../core/errors';
import type { Client } from 'pg';
import type { AuditTrail, CanaryDocument, CanaryStore, ConfigSnapshot, ConfigStore, MigrationRecord } from '../../checks/config/ports';
import { quoteIdent, requireEveryRowVisible } from './connection';

/** Where gate 3 finds tenant configs in PostgreSQL. Every name is optional and defaults to the convention. */
export interface PostgresConfigMapping {
  /** Table holding the configs. Default `tenant_configs` when it exists, else `tenants` (config column). */
  table?: string;
  /** Tenant column of that table. Default `tenant_id`, else `id`. */
  tenantColumn?: string;
  /** Config column (jsonb, json or text holding JSON). Default `config`. */
  configColumn?: string;
  /** Change stamp column. Default `updated_at` when it exists. */
  updatedAtColumn?: string;
  /** Table to read each tenant's tier from. Default `tenants` when it exists. */
  tenantsTable?: string;
  /** Tier column of that table. Default `tier` when it exists. */
  tierColumn?: string;
  /** A migrations table besides the known ones (Flyway, Prisma, Knex, Django). */
  migrations?: { table: string; column: string; nameColumn?: string };
  /** The audit table of config changes. Default: the first of AUDIT_TABLES that exists. */
  audit?: { table: string; timeColumn?: string };
}

interface Column {
  name: string;
  type: string;
  notNull: boolean;
}

interface Relation {
  quoted: string;
  columns: Column[];
}

/** Known migrations tables: time column, name expression, and which rows count as applied. */
export const KNOWN_MIGRATIONS = [
  { tool: 'flyway', table: 'flyway_schema_history', column: 'installed_on', name: 'script', where: 'success' },
  { tool: 'prisma', table: '_prisma_migrations', column: 'finished_at', name: 'migration_name', where: 'rolled_back_at IS NULL' },
  { tool: 'knex', table: 'knex_migrations', column: 'migration_time', name: 'name', where: 'TRUE' },
  { tool: 'django', table: 'django_migrations', column: 'applied', name: 'name', where: 'TRUE' },
] as const;

/** Audit tables looked for when none is configured. */
export const AUDIT_TABLES = [
  'tenant_config_audit',
  'tenant_configs_audit',
  'tenant_config_history',
  'tenant_configs_history',
  'config_audit',
  'config_history',
];
const AUDIT_TIME_COLUMNS = ['changed_at', 'created_at', 'occurred_at', 'recorded_at', 'logged_at', 'at', 'ts', 'timestamp'];

const isTime = (c: Column) => /^timestamp|^date$/.test(c.type);

async function relation(client: Client, name: string): Promise<Relation | undefined> {
  const found = await client.query<{ quoted: string | null }>('SELECT to_regclass($1)::text AS quoted', [name]);
  const quoted = found.rows[0]?.quoted;
  if (!quoted) return undefined;
  const cols = await client.query<Column>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull"
       FROM pg_attribute a
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [name],
  );
  return { quoted, columns: cols.rows };
}

function column(rel: Relation, wanted: string, what: string): Column {
  const c = rel.columns.find((col) => col.name === wanted);
  if (!c)
    throw new SourceError('not-found', `${what} column '${wanted}' not found in ${rel.quoted} (columns: ${rel.columns.map((x) => x.name).join(', ')})`, {
      remediation: `Name the ${what} column in gates.config (names are matched exactly); the columns found are listed.`,
    });
  return c;
}

/** The config table and its columns, resolved from the catalog; every identifier is quoted. */
interface Layout {
  table: Relation;
  tenant: string;
  config: Column;
  updatedAt?: Column;
  /** SQL for the tier (`t.<tier>::text`) and the join it needs. */
  tier?: { sql: string; join: string };
}

async function resolveLayout(client: Client, m: PostgresConfigMapping, target: string): Promise<Layout> {
  let table = m.table ? await relation(client, m.table) : await relation(client, 'tenant_configs');
  if (!table && !m.table) table = await relation(client, 'tenants');
  if (!table)
    throw new SourceError('not-found', `config table '${m.table ?? 'tenant_configs'}' not found in ${target} (set gates.config.table)`, {
      remediation: 'Set gates.config.table to the table holding one config per tenant.',
    });
  const has = (n: string) => table!.columns.some((c) => c.name === n);
  const tenant = column(table, m.tenantColumn ?? (has('tenant_id') ? 'tenant_id' : 'id'), 'tenant');
  const config = column(table, m.configColumn ?? 'config', 'config');
  if (!/^(jsonb|json|text|character varying.*)$/.test(config.type))
    throw new SourceError('malformed', `config column ${config.name} is ${config.type}; expected jsonb, json or text`, {
      remediation: 'Point gates.config.configColumn at the jsonb, json or text column holding the config.',
    });
  const updatedName = m.updatedAtColumn ?? (has('updated_at') ? 'updated_at' : undefined);
  const updatedAt = updatedName ? column(table, updatedName, 'updated-at') : undefined;

  let tier: Layout['tier'];
  const tierName = m.tierColumn ?? 'tier';
  if (has(tierName)) tier = { sql: `c.${quoteIdent(tierName)}::text`, join: '' };
  else {
    const tenants = await relation(client, m.tenantsTable ?? 'tenants');
    if (m.tenantsTable && !tenants)
      throw new SourceError('not-found', `tenants table '${m.tenantsTable}' not found in ${target}`, {
        remediation: 'Set gates.config.tenantsTable to an existing table.',
      });
    if (tenants && tenants.quoted !== table.quoted && tenants.columns.some((c) => c.name === tierName)) {
      const id = tenants.columns.some((c) => c.name === 'tenant_id') ? 'tenant_id' : 'id';
      tier = {
        sql: `t.${quoteIdent(tierName)}::text`,
        join: `LEFT JOIN ${tenants.quoted} t ON t.${quoteIdent(id)}::text = c.${quoteIdent(tenant.name)}::text`,
      };
    } else if (m.tierColumn) throw new Error(`tier column '${m.tierColumn}' not found`);
  }
  return { table, tenant: tenant.name, config, updatedAt, tier };
}

const stampText = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString() : String(v));

/** Reads configs, structure, migrations and the audit trail of a PostgreSQL config store. */
export class PostgresConfigStore implements ConfigStore {
  private client?: Client;
  private layout?: Layout;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly mapping: PostgresConfigMapping,
    private readonly target: string,
  ) {}

  private async open(): Promise<{ client: Client; layout: Layout }> {
    this.client ??= await this.connect();
    this.layout ??= await resolveLayout(this.client, this.mapping, this.target);
    return { client: this.client, layout: this.layout };
  }

  async snapshot(): Promise<ConfigSnapshot> {
    const { client, layout } = await this.open();
    const l = layout;
    // Every tenant's config, not those row-level security would show this login.
    await requireEveryRowVisible(client, [l.table.quoted]);
    const rows = await client.query<{ tenant_id: string; config: string | null; updated_at: unknown; tier: string | null }>(
      `SELECT c.${quoteIdent(l.tenant)}::text AS tenant_id, c.${quoteIdent(l.config.name)}::text AS config,
              ${l.updatedAt ? `c.${quoteIdent(l.updatedAt.name)}` : 'NULL'} AS updated_at, ${l.tier?.sql ?? 'NULL'} AS tier
         FROM ${l.table.quoted} c ${l.tier?.join ?? ''}
        ORDER BY 1`,
    );
    return {
      store: `PostgreSQL ${this.target}, ${l.table.quoted}.${l.config.name}`,
      configs: rows.rows.map((r) => ({ tenantId: r.tenant_id, raw: r.config, updatedAt: stampText(r.updated_at), tier: r.tier })),
      structure: l.table.columns.map((c) => `column ${l.table.quoted}.${c.name} ${c.type} ${c.notNull ? 'not null' : 'null'}`),
    };
  }

  async lastMigration(): Promise<MigrationRecord | undefined> {
    const { client } = await this.open();
    const candidates: { table: string; column: string; name?: string; where: string }[] = [...KNOWN_MIGRATIONS];
    if (this.mapping.migrations) candidates.unshift({ ...this.mapping.migrations, name: this.mapping.migrations.nameColumn, where: 'TRUE' });
    let latest: MigrationRecord | undefined;
    for (const c of candidates) {
      const rel = await relation(client, c.table);
      if (!rel) {
        if (c === candidates[0] && this.mapping.migrations) throw new Error(`migrations table '${c.table}' not found in ${this.target}`);
        continue;
      }
      const time = column(rel, c.column, 'migration time');
      const nameSql = c.name && rel.columns.some((x) => x.name === c.name) ? `${quoteIdent(c.name)}::text` : 'NULL';
      const res = await client.query<{ at: Date | string | null; name: string | null }>(
        `SELECT ${quoteIdent(time.name)} AS at, ${nameSql} AS name FROM ${rel.quoted}
          WHERE ${quoteIdent(time.name)} IS NOT NULL AND ${c.where} ORDER BY ${quoteIdent(time.name)} DESC LIMIT 1`,
      );
      const row = res.rows[0];
      if (!row?.at) continue;
      const appliedAt = new Date(row.at);
      if (!latest || appliedAt > latest.appliedAt) latest = { source: `${rel.quoted}.${time.name}`, appliedAt, ...(row.name ? { name: row.name } : {}) };
    }
    return latest;
  }

  async auditTrail(since: Date, reservedKey: string, nonce: string | undefined): Promise<AuditTrail> {
    const { client } = await this.open();
    const names = this.mapping.audit ? [this.mapping.audit.table] : AUDIT_TABLES;
    let rel: Relation | undefined;
    for (const n of names) if ((rel = await relation(client, n))) break;
    if (!rel) {
      if (this.mapping.audit) throw new Error(`audit table '${this.mapping.audit.table}' not found in ${this.target}`);
      return { present: false, where: `looked for tables ${AUDIT_TABLES.join(', ')}`, changes: null };
    }
    const timeName =
      this.mapping.audit?.timeColumn ?? rel.columns.find((c) => AUDIT_TIME_COLUMNS.includes(c.name) && isTime(c))?.name ?? rel.columns.find(isTime)?.name;
    if (!timeName) throw new Error(`audit table ${rel.quoted} has no timestamp column (set gates.config.audit.timeColumn)`);
    const time = column(rel, timeName, 'audit time');
    // An entry mentioning the reserved key (in its old or new value) is the probe's own write.
    const res = await client.query<{ changes: string; probe: string; nonce: string }>(
      `SELECT count(*) FILTER (WHERE strpos(to_jsonb(a)::text, $2) = 0) AS changes,
              count(*) FILTER (WHERE strpos(to_jsonb(a)::text, $2) > 0) AS probe,
              count(*) FILTER (WHERE $3::text IS NOT NULL AND strpos(to_jsonb(a)::text, $3) > 0) AS nonce
         FROM ${rel.quoted} a WHERE a.${quoteIdent(time.name)} >= $1`,
      [since, reservedKey, nonce ?? null],
    );
    const row = res.rows[0];
    return {
      present: true,
      where: `audit table ${rel.quoted} (${time.name})`,
      changes: Number(row.changes),
      probeEntries: Number(row.probe),
      countNote: `entries since ${since.toISOString()} in ${rel.quoted}`,
      ...(nonce ? { recordedNonce: Number(row.nonce) > 0 } : {}),
    };
  }

  async close(): Promise<void> {
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/**
 * Compare-and-set on one tenant's config row. Probe operations use a connection bound to the
 * probe's abort signal; restores use their own connection, so they still run after an abort.
 */
export class PostgresCanaryStore implements CanaryStore {
  private probeClient?: Client;
  private restoreClient?: Client;
  private layout?: Layout;

  constructor(
    private readonly connect: (signal?: AbortSignal) => Promise<Client>,
    private readonly mapping: PostgresConfigMapping,
    private readonly target: string,
  ) {}

  describe(): string {
    return `PostgreSQL ${this.target}${this.layout ? `, ${this.layout.table.quoted}` : ''}`;
  }

  private async clientFor(signal?: AbortSignal): Promise<{ client: Client; l: Layout }> {
    let client: Client;
    if (signal) client = this.probeClient ??= await this.connect(signal);
    else client = this.restoreClient ??= await this.connect();
    this.layout ??= await resolveLayout(client, this.mapping, this.target);
    return { client, l: this.layout };
  }

  private sql(l: Layout) {
    const cfg = `c.${quoteIdent(l.config.name)}`;
    const json = /^json/.test(l.config.type);
    return {
      where: `c.${quoteIdent(l.tenant)}::text = $1 AND ${json ? `${cfg}::jsonb = $2::jsonb` : `${cfg} = $2`}`,
      cfg: quoteIdent(l.config.name),
      cast: l.config.type,
      stamp: l.updatedAt && isTime(l.updatedAt) ? l.updatedAt : undefined,
    };
  }

  async read(tenant: string, signal?: AbortSignal): Promise<CanaryDocument | undefined> {
    const { client, l } = await this.clientFor(signal);
    const stamp = l.updatedAt ? `c.${quoteIdent(l.updatedAt.name)}::text` : 'NULL';
    const res = await client.query<{ config: string | null; stamp: string | null }>(
      `SELECT c.${quoteIdent(l.config.name)}::text AS config, ${stamp} AS stamp FROM ${l.table.quoted} c WHERE c.${quoteIdent(l.tenant)}::text = $1`,
      [tenant],
    );
    if (res.rows.length > 1) throw new Error(`canary tenant '${tenant}' has ${res.rows.length} config rows in ${l.table.quoted}; the probe needs exactly one`);
    const row = res.rows[0];
    return row && row.config !== null ? { config: row.config, stamp: row.stamp } : undefined;
  }

  async write(tenant: string, expected: CanaryDocument, next: string, signal?: AbortSignal): Promise<boolean> {
    const { client, l } = await this.clientFor(signal);
    const s = this.sql(l);
    // A real config change moves the stamp; so does the probe, so apps polling on it see the nonce.
    const bump = s.stamp ? `, ${quoteIdent(s.stamp.name)} = now()` : '';
    const res = await client.query(`UPDATE ${l.table.quoted} c SET ${s.cfg} = $3::${s.cast}${bump} WHERE ${s.where}`, [tenant, expected.config, next]);
    return res.rowCount === 1;
  }

  async restore(tenant: string, current: string, original: CanaryDocument): Promise<boolean> {
    const { client, l } = await this.clientFor();
    const s = this.sql(l);
    const stamp = s.stamp ? `, ${quoteIdent(s.stamp.name)} = $4::${s.stamp.type}` : '';
    const params = [tenant, current, original.config, ...(s.stamp ? [original.stamp ?? null] : [])];
    const res = await client.query(`UPDATE ${l.table.quoted} c SET ${s.cfg} = $3::${s.cast}${stamp} WHERE ${s.where}`, params);
    return res.rowCount === 1;
  }

  async close(): Promise<void> {
    await Promise.all([this.probeClient?.end().catch(() => undefined), this.restoreClient?.end().catch(() => undefined)]);
    this.probeClient = this.restoreClient = undefined;
  }
}
