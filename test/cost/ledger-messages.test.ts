/** Gate 2 messages about the ledger's own values: NaN named by tenant and date, NULL costs counted and shown. */
import { Client } from 'pg';
import { PostgresCostLedger } from '../../lambda/sources/postgres/ledger';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';
import { runGate } from '../support/gate';

const WINDOW = { from: '2024-05-01', to: '2024-05-31', label: 'test' };

describe.each(postgresTargetNames())('ledger values on PostgreSQL (%s)', (name) => {
  let pg: PostgresTarget;
  beforeAll(async () => {
    pg = await startTarget(name);
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const ledger = (table: string) =>
    new PostgresCostLedger(
      async () => {
        const c = new Client({ connectionString: pg.url });
        await c.connect();
        return c;
      },
      { table },
      name,
    );

  it('a NaN cost is an error naming tenant and date, with a fix about the value', async () => {
    await pg.exec(`DROP TABLE IF EXISTS nan_costs; CREATE TABLE nan_costs (tenant_id text, usage_date date, provider text, cost_usd numeric);
      INSERT INTO nan_costs VALUES ('acme', '2024-05-02', 'aws', 1), ('globex', '2024-05-03', 'aws', 'NaN');`);
    const l = ledger('nan_costs');
    try {
      const err = await l.summarize(WINDOW).then(
        () => undefined,
        (e: Error & { remediation?: string }) => e,
      );
      expect(err?.message).toBe('ledger rows whose cost is not a finite number: globex (aws) on 2024-05-03: NaN (column "cost_usd" of nan_costs)');
      expect(err?.remediation).toMatch(/^Correct the cost value of the rows named \(NaN and Infinity cannot be summed/);
      expect(err?.remediation).not.toMatch(/table|column name/);
    } finally {
      await l.close();
    }
  });

  it('NULL costs are counted and named, not dropped', async () => {
    await pg.exec(`DROP TABLE IF EXISTS null_costs; CREATE TABLE null_costs (tenant_id text, usage_date date, provider text, cost_usd numeric);
      INSERT INTO null_costs VALUES ('acme', '2024-05-02', 'aws', 1), ('acme', '2024-05-04', 'aws', NULL), ('globex', '2024-05-03', 'aws', NULL),
        ('globex', '2024-06-03', 'aws', NULL);`);
    const l = ledger('null_costs');
    try {
      const out = await l.summarize(WINDOW);
      expect(out.nullCosts).toEqual({ count: 2, examples: ['globex (aws) on 2024-05-03', 'acme (aws) on 2024-05-04'] });
    } finally {
      await l.close();
    }
  });

  it('the gate ERRORs on NaN naming tenant and date, with the fix about the value', async () => {
    await pg.exec(`DROP TABLE IF EXISTS tenant_costs; CREATE TABLE tenant_costs (tenant_id text, usage_date date, provider text, cost_usd numeric);
      INSERT INTO tenant_costs VALUES ('acme', CURRENT_DATE - 3, 'openai', 'NaN');`);
    const gate = {
      sources: { appdb: { type: 'postgres', url: pg.url }, bill: { type: 'cur', path: '/nonexistent/bill.csv' } },
      gates: { cost: { ledger: { source: 'appdb' }, aws: { source: 'bill' } } },
    };
    const { result } = await runGate(gate, 'cost');
    const ledgerCriterion = result.criteria.find((c) => c.id === 'ledger')!;
    expect(ledgerCriterion.summary).toMatch(/^cost ledger: ledger rows whose cost is not a finite number: acme \(openai\) on \d{4}-\d{2}-\d{2}: NaN/);
    expect(ledgerCriterion.remediation).toMatch(/^Correct the cost value of the rows named/);
  });

  it('a ledger column not found names the key to set, not the connection', async () => {
    await pg.exec(`DROP TABLE IF EXISTS odd_costs; CREATE TABLE odd_costs (tenant text, usage_date date, provider text, cost_usd numeric);`);
    const l = ledger('odd_costs');
    try {
      const err = await l.summarize(WINDOW).then(
        () => undefined,
        (e: Error & { remediation?: string }) => e,
      );
      expect(err?.message).toMatch(
        /^column 'tenant_id' not found in odd_costs \(set gates\.cost\.ledger\.tenantColumn; columns: tenant, usage_date, provider, cost_usd\)$/,
      );
      expect(err?.remediation).toBe('Set gates.cost.ledger.tenantColumn to one of the columns listed (names are matched exactly).');
    } finally {
      await l.close();
    }
  });
});
