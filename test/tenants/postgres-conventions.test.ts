/**
 * Gate 1 zero-config against schemas that differ from the conventions: every message names what
 * was found, what was expected and the key that settles it.
 */
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';
import { runGate } from '../support/gate';
import { runCli } from '../support/cli';

/** Twelve tenants in a table shaped by `columns`, each row from `row(i)`. */
function table(name: string, columns: string, row: (i: number) => string, n = 12): string {
  const rows = Array.from({ length: n }, (_, i) => `(${row(i)})`).join(', ');
  return `DROP TABLE IF EXISTS tenant_configs, tenants, "Tenants", orgs CASCADE;
          CREATE TABLE ${name} (${columns}); INSERT INTO ${name} VALUES ${rows};`;
}
const id = (i: number) => `'t${String(i).padStart(2, '0')}'`;

describe.each(postgresTargetNames())('gate 1 conventions on PostgreSQL (%s)', (target) => {
  let pg: PostgresTarget;
  beforeAll(async () => {
    pg = await startTarget(target);
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const run = (gate: Record<string, unknown> = {}) =>
    runGate({ sources: { appdb: { type: 'postgres', url: pg.url } }, gates: { tenants: { source: 'appdb', minTenants: 10, ...gate } } }, 'tenants');

  it('no status column: the summary says every row was counted and names statusColumn', async () => {
    // `state` is not the conventional `status`: 2 suspended tenants would count as active.
    await pg.exec(table('tenants', 'tenant_id text, state text, quota int, config jsonb', (i) => `${id(i)}, '${i < 10 ? 'active' : 'suspended'}', 5, '{}'`));
    const { result } = await run();
    const active = result.criteria.find((c) => c.id === 'active-tenants')!;
    expect(active.summary).toBe(
      "12 active tenants; no status column found in tenants (looked for 'status'), so all 12 rows were counted as active; set statusColumn (e.g. statusColumn: state) and activeValues to count only active tenants",
    );
    expect(result.summary).toMatch(/so all 12 rows were counted as active; set statusColumn/);
    const settled = await run({ statusColumn: 'state' });
    expect(settled.result.criteria[0].summary).toBe('10 active tenants (2 more not active)');
  });

  it('a mixed-case table name is addressed exactly, never folded to lower case', async () => {
    await pg.exec(table('"Tenants"', 'tenant_id text, status text, quota int, config jsonb', (i) => `${id(i)}, 'active', 5, '{}'`));
    const { result } = await run({ table: 'Tenants' });
    expect(result.status).toBe('PASS');
    expect(result.criteria[0].evidence?.[0]).toMatch(/table "Tenants"; active means status in \(active\)$/);
    const lower = await run({ table: 'tenants' });
    expect(lower.result.status).toBe('ERROR');
    expect(lower.result.summary).toMatch(/^tenant store: table 'tenants' not found in .* \(names are matched exactly; there is "Tenants"\)$/);
    expect(lower.result.remediation).toBe('Set table in gates.tenants to the exact name, e.g. table: "Tenants".');
    expect(lower.result.remediation).not.toMatch(/connection/);
  });

  it('an ID column off the conventions names the conventions tried and idColumn', async () => {
    await pg.exec(table('tenants', 'org_id text, status text, quota int', (i) => `${id(i)}, 'active', 5`));
    const { result } = await run();
    expect(result.status).toBe('ERROR');
    expect(result.summary).toBe('tenant store: no ID column in tenants: tried the conventions tenant_id and id (columns: org_id, status, quota)');
    expect(result.remediation).toBe('Set idColumn in gates.tenants to the column that holds the tenant ID.');
    const wrong = await run({ idColumn: 'orgid' });
    expect(wrong.result.summary).toBe("tenant store: ID column 'orgid' (idColumn) not found in tenants (columns: org_id, status, quota)");
    expect(wrong.result.remediation).toMatch(/^Set idColumn in gates\.tenants to one of the columns listed/);
    expect((await run({ idColumn: 'org_id' })).result.criteria[0].status).toBe('PASS');
  });

  it('status values off activeValues are named with activeValues', async () => {
    await pg.exec(table('tenants', 'tenant_id text, status text, quota int', (i) => `${id(i)}, '${i < 11 ? 'enabled' : 'disabled'}', 5`));
    const { result } = await run();
    const active = result.criteria[0];
    expect(active.status).toBe('FAIL');
    expect(active.summary).toBe(
      'only 0 active tenants, need ≥ 10 (short by 10) (12 more not active); status values found: "enabled" ×11, "disabled" ×1; active means status in (active) (set activeValues to the values that mean active)',
    );
    expect(active.remediation).toMatch(/list them in activeValues/);
    expect(result.remediation).not.toMatch(/connection/);
    expect((await run({ activeValues: ['enabled'] })).result.criteria[0].summary).toBe('11 active tenants (1 more not active)');
  });

  it('the same through the zero-config CLI (DATABASE_URL only)', async () => {
    await pg.exec(table('tenants', 'org_id text, status text, quota int', (i) => `${id(i)}, 'active', 5`));
    const res = await runCli(['run', '--check', 'tenants'], { env: { DATABASE_URL: pg.url }, cwd: '/' });
    expect(res.stdout).toMatch(/tried the conventions tenant_id and id/);
    expect(res.stdout).toMatch(/→ Set idColumn in gates\.tenants/);
    expect(res.stdout).not.toMatch(/Check the connection settings/);
  });
});
