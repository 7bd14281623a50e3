import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { IsolationProbe, IsolationProbeConfig, IsolationProbeResult, IsolationTableResult } from '../../checks/tenants/ports';
import { quoteIdent, requireEveryRowVisible } from './connection';

interface ProbedTable {
  name: string;
  quoted: string;
  enabled: boolean;
  forced: boolean;
  selectPolicies: number;
  settingsRead: string[];
}

/** Names read by `current_setting('name'…)` in a policy expression as pg_get_expr prints it. */
function settingsIn(expression: string): string[] {
  return [...expression.matchAll(/current_setting\('((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'"));
}

/**
 * Read-only probe (docs/contracts/postgresql.md). What exists is counted by the probe's login, which
 * must be one row-level security does not filter (row_security_active()). Then, inside a
 * transaction that is always rolled back, it switches to the app role (`SET LOCAL ROLE`) and sets
 * the tenant setting (`set_config(…, true)`) twice: to the probed tenant (own rows must be visible,
 * others' not) and to a tenant that does not exist (nothing may be visible). PostgreSQL accepts
 * any two-part setting name as a placeholder, so only this difference shows that the policies
 * read the configured setting. Rows whose tenant column is NULL belong to no tenant and are left
 * out of every count. Transaction-scoped settings keep it safe on connections that share one
 * session (PGlite behind pglite-socket).
 */
export class PostgresIsolationProbe implements IsolationProbe {
  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly cfg: IsolationProbeConfig,
  ) {}

  async run(): Promise<IsolationProbeResult> {
    const client = await this.connect();
    try {
      return await this.probe(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async probe(client: Client): Promise<IsolationProbeResult> {
    const tenantCol = this.cfg.tenantColumn ?? 'tenant_id';
    const col = quoteIdent(tenantCol);
    const role = await client.query<{ super: boolean; bypass: boolean }>('SELECT rolsuper AS super, rolbypassrls AS bypass FROM pg_roles WHERE rolname = $1', [
      this.cfg.role,
    ]);
    if (role.rows.length === 0) throw new Error(`role '${this.cfg.role}' does not exist`);

    const tables: ProbedTable[] = [];
    for (const name of this.cfg.tables) {
      const r = await client.query<{ quoted: string | null; enabled: boolean; forced: boolean }>(
        `SELECT c.oid::regclass::text AS quoted, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
           FROM pg_class c WHERE c.oid = to_regclass($1)`,
        [name],
      );
      if (!r.rows[0]?.quoted) throw new Error(`table '${name}' not found`);
      const cols = await client.query('SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped', [name, tenantCol]);
      if (cols.rowCount === 0) throw new Error(`table '${name}' has no column '${tenantCol}'`);
      // Policies for SELECT (or ALL) that apply to the app role, directly, through membership, or as PUBLIC.
      const policies = await client.query<{ qual: string | null }>(
        `SELECT pg_get_expr(p.polqual, p.polrelid) AS qual FROM pg_policy p
          WHERE p.polrelid = to_regclass($1) AND p.polcmd IN ('r', '*')
            AND EXISTS (SELECT 1 FROM unnest(p.polroles) AS r(oid) WHERE r.oid = 0 OR pg_has_role($2, r.oid, 'MEMBER'))`,
        [name, this.cfg.role],
      );
      tables.push({
        name,
        quoted: r.rows[0].quoted,
        enabled: r.rows[0].enabled,
        forced: r.rows[0].forced,
        selectPolicies: policies.rows.length,
        settingsRead: [...new Set(policies.rows.flatMap((p) => settingsIn(p.qual ?? '')))].sort(),
      });
    }

    const { tenant, existing } = await this.countExisting(client, tables, col);
    const unknownTenant = `saas-readiness-no-such-tenant-${randomBytes(6).toString('hex')}`;
    const results: IsolationTableResult[] = [];
    await client.query('BEGIN READ ONLY');
    try {
      await client.query(`SET LOCAL ROLE ${quoteIdent(this.cfg.role)}`);
      await client.query('SELECT set_config($1, $2, true)', [this.cfg.setting, tenant]);
      const seen: { own: number; leaked: number }[] = [];
      for (const t of tables) {
        const r = await client.query<{ own: string; leaked: string }>(
          `SELECT count(*) FILTER (WHERE ${col}::text = $1) AS own, count(*) FILTER (WHERE ${col}::text <> $1) AS leaked FROM ${t.quoted}`,
          [tenant],
        );
        seen.push({ own: Number(r.rows[0].own), leaked: Number(r.rows[0].leaked) });
      }
      await client.query('SELECT set_config($1, $2, true)', [this.cfg.setting, unknownTenant]);
      for (const [i, t] of tables.entries()) {
        const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.quoted} WHERE ${col} IS NOT NULL`);
        results.push({
          table: t.quoted,
          rlsEnabled: t.enabled,
          rlsForced: t.forced,
          tenantRows: existing[i].own,
          otherTenantRows: existing[i].others,
          ownRows: seen[i].own,
          leakedRows: seen[i].leaked,
          unknownTenantRows: Number(r.rows[0].n),
          selectPolicies: t.selectPolicies,
          settingsRead: t.settingsRead,
        });
      }
    } finally {
      await client.query('ROLLBACK');
    }
    return {
      role: this.cfg.role,
      roleIsSuperuser: role.rows[0].super,
      roleBypassesRls: role.rows[0].bypass,
      setting: this.cfg.setting,
      tenant,
      tables: results,
    };
  }

  /** Picks the tenant (unless configured) and counts the rows that exist, as a login that sees every row. */
  private async countExisting(client: Client, tables: ProbedTable[], col: string): Promise<{ tenant: string; existing: { own: number; others: number }[] }> {
    await requireEveryRowVisible(
      client,
      tables.map((t) => t.quoted),
    );
    let tenant = this.cfg.tenant;
    if (!tenant) {
      const inEvery = tables
        .slice(1)
        .map((t) => `AND a.t IN (SELECT ${col}::text FROM ${t.quoted})`)
        .join(' ');
      const busiest = await client.query<{ t: string }>(
        `SELECT a.t FROM (SELECT ${col}::text AS t, count(*) AS n FROM ${tables[0].quoted} GROUP BY 1) a
          WHERE a.t IS NOT NULL ${inEvery} ORDER BY a.n DESC, a.t LIMIT 1`,
      );
      tenant = busiest.rows[0]?.t;
      if (!tenant) {
        const what =
          tables.length > 1
            ? `no tenant has rows in every probed table (${tables.map((t) => t.name).join(', ')})`
            : `table '${tables[0].name}' has no tenant rows`;
        throw new Error(`${what}: nothing to probe with (set isolationProbe.tenant)`);
      }
    }
    const existing: { own: number; others: number }[] = [];
    for (const t of tables) {
      const r = await client.query<{ own: string; others: string }>(
        `SELECT count(*) FILTER (WHERE ${col}::text = $1) AS own, count(*) FILTER (WHERE ${col}::text <> $1) AS others FROM ${t.quoted}`,
        [tenant],
      );
      existing.push({ own: Number(r.rows[0].own), others: Number(r.rows[0].others) });
    }
    return { tenant, existing };
  }
}
