import type { Client } from 'pg';
import type { IsolationProbe, IsolationProbeResult, IsolationTableResult } from '../../checks/tenants/ports';
import { quoteIdent } from './connection';

/** How to see what one tenant can see: the app's role and the setting its RLS policies read. */
export interface IsolationProbeConfig {
  /** The application's database role (must not be a superuser or have BYPASSRLS). */
  role: string;
  /** Tables that must isolate tenants. */
  tables: string[];
  /** Column holding the tenant ID in those tables. Default `tenant_id`. */
  tenantColumn?: string;
  /** The setting the RLS policies read, e.g. `app.current_tenant`. */
  setting: string;
  /** The tenant whose view is probed. Default: the tenant with the most rows in the first table. */
  tenant?: string;
}

/**
 * Read-only probe: checks the RLS flags in the catalog, then inside a transaction that is always
 * rolled back switches to the app role (`SET LOCAL ROLE`) with tenant A's context (`set_config(…, true)`)
 * and counts the rows of other tenants it can see. Transaction-scoped settings keep it safe on
 * connections that share one session (PGlite behind pglite-socket).
 */
export class PostgresIsolationProbe implements IsolationProbe {
  constructor(private readonly connect: () => Promise<Client>, private readonly cfg: IsolationProbeConfig) {}

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
    const role = await client.query<{ super: boolean; bypass: boolean }>(
      'SELECT rolsuper AS super, rolbypassrls AS bypass FROM pg_roles WHERE rolname = $1',
      [this.cfg.role],
    );
    if (role.rows.length === 0) throw new Error(`role '${this.cfg.role}' does not exist`);

    const tables: { name: string; quoted: string; enabled: boolean; forced: boolean }[] = [];
    for (const name of this.cfg.tables) {
      const r = await client.query<{ quoted: string | null; enabled: boolean; forced: boolean }>(
        `SELECT c.oid::regclass::text AS quoted, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced
           FROM pg_class c WHERE c.oid = to_regclass($1)`,
        [name],
      );
      if (!r.rows[0]?.quoted) throw new Error(`table '${name}' not found`);
      const cols = await client.query('SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped', [name, tenantCol]);
      if (cols.rowCount === 0) throw new Error(`table '${name}' has no column '${tenantCol}'`);
      tables.push({ name, quoted: r.rows[0].quoted, enabled: r.rows[0].enabled, forced: r.rows[0].forced });
    }

    const col = quoteIdent(tenantCol);
    let tenant = this.cfg.tenant;
    if (!tenant) {
      const busiest = await client.query<{ t: string }>(
        `SELECT ${col}::text AS t FROM ${tables[0].quoted} GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      );
      tenant = busiest.rows[0]?.t;
      if (!tenant) throw new Error(`table '${tables[0].name}' is empty: no tenant rows to probe with`);
    }

    const results: IsolationTableResult[] = [];
    for (const t of tables) {
      const others = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.quoted} WHERE ${col}::text <> $1`, [tenant]);
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`SET LOCAL ROLE ${quoteIdent(this.cfg.role)}`);
        await client.query('SELECT set_config($1, $2, true)', [this.cfg.setting, tenant]);
        const seen = await client.query<{ own: string; leaked: string }>(
          `SELECT count(*) FILTER (WHERE ${col}::text = $1) AS own, count(*) FILTER (WHERE ${col}::text <> $1) AS leaked FROM ${t.quoted}`,
          [tenant],
        );
        results.push({
          table: t.quoted,
          rlsEnabled: t.enabled,
          rlsForced: t.forced,
          otherTenantRows: Number(others.rows[0].n),
          leakedRows: Number(seen.rows[0].leaked),
          ownRows: Number(seen.rows[0].own),
        });
      } finally {
        await client.query('ROLLBACK');
      }
    }
    return { role: this.cfg.role, roleIsSuperuser: role.rows[0].super, roleBypassesRls: role.rows[0].bypass, tenant, tables: results };
  }
}
