import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from 'pg';
import { BatchWriteItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { formatDecimal } from '../../lambda/checks/cost/money';
import type { LedgerSummary } from '../../lambda/checks/cost/ports';
import { CurBill } from '../../lambda/sources/cur/bill';
import { CsvCostLedger } from '../../lambda/sources/csv/ledger';
import { DynamoDbCostLedger } from '../../lambda/sources/dynamodb/ledger';
import { PostgresCostLedger } from '../../lambda/sources/postgres/ledger';
import { startDynalite } from '../standins/dynalite';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';

const WINDOW = { from: '2024-05-01', to: '2024-05-31', label: 'test' };
const never = new AbortController().signal;
const totals = (s: LedgerSummary) =>
  Object.fromEntries(s.totals.map((t) => [`${t.provider}:${t.tenant}`, formatDecimal(t.amount, 10)]).sort(([a], [b]) => a.localeCompare(b)));

/** The same ledger rows for every backend: the days just outside the window must not count. */
const ROWS: [string, string, string, string][] = [
  ['acme', '2024-04-30', 'aws', '1000'],
  ['acme', '2024-05-01', 'aws', '10.0000000001'],
  ['acme', '2024-05-31', 'aws', '0.1'],
  ['acme', '2024-05-15', 'openai', '2.5'],
  ['globex', '2024-05-20', 'aws', '0.2'],
  ['globex', '2024-06-01', 'aws', '500'],
];
const EXPECTED = { 'aws:acme': '10.1000000001', 'aws:globex': '0.2000000000', 'openai:acme': '2.5000000000' };

describe('PostgresCostLedger: one GROUP BY in the database', () => {
  const targets: PostgresTarget[] = [];
  beforeAll(async () => {
    for (const name of await postgresTargetNames()) targets.push(await startTarget(name));
  });
  afterAll(async () => {
    for (const t of targets) await t.stop();
  });
  const connect = (t: PostgresTarget) => async () => {
    const c = new Client({ connectionString: t.url });
    await c.connect();
    return c;
  };

  it.each([['date'], ['timestamptz']])('sums per tenant and provider inside the window (%s column) on every target', async (type) => {
    for (const target of targets) {
      const table = `costs_${type}`;
      const value = (d: string) => (type === 'date' ? `'${d}'` : `'${d} 23:30:00+00'`);
      await target.exec(`CREATE TABLE ${table} (tenant_id text, usage_date ${type}, provider text, cost_usd numeric(20,10));
        INSERT INTO ${table} VALUES ${ROWS.map(([t, d, p, c]) => `('${t}', ${value(d)}, '${p}', ${c})`).join(',')};`);
      const ledger = new PostgresCostLedger(connect(target), { table }, target.name);
      try {
        const out = await ledger.summarize(WINDOW);
        expect(totals(out)).toEqual(EXPECTED);
        expect(out.newest).toEqual(
          type === 'date' ? { at: new Date('2024-06-01T00:00:00Z'), dateOnly: true } : { at: new Date('2024-06-01T23:30:00Z'), dateOnly: false },
        );
      } finally {
        await ledger.close();
      }
    }
  });

  // PGlite has one (superuser) login: only the server can log in as a role subject to a policy.
  (postgresTargetNames().includes('server') ? it : it.skip)('refuses to sum only the rows row-level security shows its login', async () => {
    const server = targets.find((t) => t.name === 'server')!;
    const login = `sr_ledger_${Date.now()}`;
    await server.exec(`CREATE TABLE costs_rls (tenant_id text, usage_date date, provider text, cost_usd numeric(20,10));
      INSERT INTO costs_rls VALUES ${ROWS.map(([t, d, p, c]) => `('${t}', '${d}', '${p}', ${c})`).join(',')};
      CREATE ROLE ${login} LOGIN; GRANT SELECT ON costs_rls TO ${login};
      ALTER TABLE costs_rls ENABLE ROW LEVEL SECURITY; CREATE POLICY acme_only ON costs_rls USING (tenant_id = 'acme')`);
    const ledger = new PostgresCostLedger(
      connect({ ...server, url: server.url.replace(/^postgres:\/\/[^@]*@/, `postgres://${login}@`) }),
      { table: 'costs_rls' },
      'test',
    );
    try {
      await expect(ledger.summarize(WINDOW)).rejects.toThrow(
        'table costs_rls has row-level security that applies to this login, which would see only some of its rows',
      );
    } finally {
      await ledger.close();
      await server.exec(`DROP TABLE costs_rls; DROP OWNED BY ${login}; DROP ROLE ${login}`);
    }
  });

  it('lets its connection go once the aggregate is read, and connects again for another summary', async () => {
    const target = targets[0];
    await target.exec(
      `CREATE TABLE costs_release (tenant_id text, usage_date date, provider text, cost_usd numeric); INSERT INTO costs_release VALUES ('acme', '2024-05-02', 'aws', 3);`,
    );
    const clients: Client[] = [];
    const ended: Client[] = [];
    const ledger = new PostgresCostLedger(
      async () => {
        const c = await connect(target)();
        c.on('end', () => ended.push(c));
        clients.push(c);
        return c;
      },
      { table: 'costs_release' },
      target.name,
    );
    try {
      await ledger.open();
      expect(clients).toHaveLength(1);
      const first = await ledger.summarize(WINDOW);
      await new Promise((r) => setTimeout(r, 50));
      expect(ended).toEqual(clients);
      const second = await ledger.summarize(WINDOW);
      expect(clients).toHaveLength(2);
      expect(totals(second)).toEqual(totals(first));
      expect(totals(first)).toEqual({ 'aws:acme': '3.0000000000' });
    } finally {
      await ledger.close();
    }
    expect(ended).toHaveLength(2);
  });

  it('finds the newest entry when nothing is newer than the window start, and names missing columns', async () => {
    const target = targets[0];
    await target.exec(`CREATE TABLE costs_old (tenant text, day date, vendor text, usd numeric); INSERT INTO costs_old VALUES ('a', '2024-03-02', 'aws', 1);`);
    const ledger = new PostgresCostLedger(
      connect(target),
      { table: 'costs_old', tenantColumn: 'tenant', dateColumn: 'day', providerColumn: 'vendor', costColumn: 'usd' },
      'test',
    );
    try {
      const out = await ledger.summarize(WINDOW);
      expect(out.totals).toEqual([]);
      expect(out.newest?.at.toISOString()).toBe('2024-03-02T00:00:00.000Z');
    } finally {
      await ledger.close();
    }
    const wrong = new PostgresCostLedger(connect(target), { table: 'costs_old' }, 'test');
    try {
      await expect(wrong.summarize(WINDOW)).rejects.toThrow(
        /column 'tenant_id' not found in costs_old \(set gates.cost.ledger.tenantColumn; columns: tenant, day, vendor, usd\)/,
      );
    } finally {
      await wrong.close();
    }
  });
});

describe('CSV ledger and CUR bill export: streamed, plain or gzip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cost-ledgers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a CSV ledger, plain and gzipped', async () => {
    const text = ['tenant_id,usage_date,provider,cost_usd', ...ROWS.map((r) => r.join(','))].join('\n');
    writeFileSync(join(dir, 'ledger.csv'), text);
    writeFileSync(join(dir, 'ledger.csv.gz'), gzipSync(text));
    for (const file of ['ledger.csv', 'ledger.csv.gz']) {
      const out = await new CsvCostLedger({ type: 'csv', path: join(dir, file) }, {}).summarize(WINDOW, never);
      expect(totals(out)).toEqual(EXPECTED);
      expect(out.rowsRead).toBe(6);
      expect(out.newest).toEqual({ at: new Date('2024-06-01T00:00:00Z'), dateOnly: true });
    }
    await expect(new CsvCostLedger({ type: 'csv', path: join(dir, 'missing.csv') }, {}).summarize(WINDOW, never)).rejects.toThrow(/file not found/);
  });

  const legacy = [
    'identity/LineItemId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,lineItem/UnblendedCost,resourceTags/user:tenant_id',
    'a1,111111111111,Usage,2024-04-30T23:00:00Z,USD,1000,acme',
    'a2,111111111111,Usage,2024-05-01T00:00:00Z,USD,0.0000001,acme',
    'a3,111111111111,Usage,2024-05-31T23:00:00Z,USD,4.9999999,acme',
    'a4,111111111111,Credit,2024-05-10T00:00:00Z,USD,-3,acme',
    'a5,111111111111,Tax,2024-05-10T00:00:00Z,USD,1.2,acme',
    'a6,111111111111,Usage,2024-05-10T00:00:00Z,USD,2.5,',
    'a7,222222222222,Usage,2024-05-10T00:00:00Z,USD,7,"glo,bex"',
    'a8,111111111111,Usage,2024-06-01T00:00:00Z,USD,99,acme',
  ].join('\n');
  const cur2 = [
    'line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_currency_code,line_item_unblended_cost,resource_tags',
    '111111111111,Usage,2024-05-01 00:00:00,USD,5,"{""user_tenant_id"":""acme"",""user_team"":""x""}"',
    '222222222222,Usage,2024-05-10 00:00:00,USD,7,"{""user_tenant_id"":""glo,bex""}"',
    '111111111111,Usage,2024-05-10 00:00:00,USD,2.5,{}',
    '111111111111,Refund,2024-05-10 00:00:00,USD,-1,"{""user_tenant_id"":""acme""}"',
  ].join('\n');
  const query = { tagKey: 'tenant_id', metric: 'UnblendedCost' as const, excludeRecordTypes: ['Credit', 'Refund', 'Tax'] };
  const groups = (m: Map<string, bigint>) => Object.fromEntries([...m].map(([k, v]) => [k, formatDecimal(v, 2)]));

  it.each([
    ['legacy CUR', 'legacy.csv', legacy],
    ['legacy CUR, gzipped', 'legacy.csv.gz', legacy],
    ['CUR 2.0', 'cur2.csv', cur2],
  ])('reads %s: window by usage start day, record types excluded, tags grouped', async (_name, file, text) => {
    writeFileSync(join(dir, file), file.endsWith('.gz') ? gzipSync(text) : text);
    const out = await new CurBill({ type: 'cur', path: join(dir, file) }, query).fetch(WINDOW, never);
    expect(groups(out.groups)).toEqual({ acme: '5.00', 'glo,bex': '7.00', '': '2.50' });
    const one = await new CurBill({ type: 'cur', path: join(dir, file) }, { ...query, linkedAccounts: ['222222222222'] }).fetch(WINDOW, never);
    expect(groups(one.groups)).toEqual({ 'glo,bex': '7.00' });
  });

  /** Every line item type amortization treats apart, May 2024 (and one in June, outside the window). */
  const AMORTIZED_ROWS = [
    // type, unblended, RI effective, RI unused upfront, RI unused recurring, RI ARN, SP effective, SP commitment to date, SP used, tag
    ['Usage', '10', '', '', '', '', '', '', '', 'acme'],
    ['DiscountedUsage', '0', '3.25', '', '', 'arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1', '', '', '', 'acme'],
    ['RIFee', '50', '', '1.5', '2.25', 'arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1', '', '', '', ''],
    ['Fee', '100', '', '', '', 'arn:aws:ec2:us-east-1:111111111111:reserved-instances/ri-1', '', '', '', ''],
    ['Fee', '29', '', '', '', '', '', '', '', ''],
    ['SavingsPlanCoveredUsage', '8', '', '', '', '', '5.5', '', '', 'globex'],
    ['SavingsPlanNegation', '-8', '', '', '', '', '', '', '', 'globex'],
    ['SavingsPlanRecurringFee', '20', '', '', '', '', '', '20', '17.5', ''],
    ['SavingsPlanUpfrontFee', '200', '', '', '', '', '', '', '', ''],
    ['Tax', '4', '', '', '', '', '', '', '', 'acme'],
  ];
  const amortizedLegacy = [
    'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,lineItem/UnblendedCost,reservation/EffectiveCost,reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,reservation/UnusedRecurringFee,reservation/ReservationARN,savingsPlan/SavingsPlanEffectiveCost,savingsPlan/TotalCommitmentToDate,savingsPlan/UsedCommitment,resourceTags/user:tenant_id',
    ...AMORTIZED_ROWS.map(([type, ...rest]) => [type, '2024-05-10T00:00:00Z', 'USD', ...rest].join(',')),
    'Usage,2024-06-01T00:00:00Z,USD,99,,,,,,,,acme',
  ].join('\n');
  const amortizedCur2 = [
    'line_item_line_item_type,line_item_usage_start_date,line_item_currency_code,line_item_unblended_cost,reservation_effective_cost,reservation_unused_amortized_upfront_fee_for_billing_period,reservation_unused_recurring_fee,reservation_reservation_a_r_n,savings_plan_savings_plan_effective_cost,savings_plan_total_commitment_to_date,savings_plan_used_commitment,resource_tags',
    ...AMORTIZED_ROWS.map(([type, ...rest]) => {
      const tag = rest.pop();
      return [type, '2024-05-10 00:00:00', 'USD', ...rest, tag ? `"{""user_tenant_id"":""${tag}""}"` : '{}'].join(',');
    }),
  ].join('\n');

  it.each([
    ['legacy CUR', 'amortized-legacy.csv', amortizedLegacy],
    ['CUR 2.0', 'amortized-cur2.csv', amortizedCur2],
  ])('derives AmortizedCost from the reservation and savings-plan columns of a %s export, as Cost Explorer does', async (_name, file, text) => {
    writeFileSync(join(dir, file), text);
    const amortized = await new CurBill({ type: 'cur', path: join(dir, file) }, { ...query, metric: 'AmortizedCost' }).fetch(WINDOW, never);
    // acme: usage 10 + RI-covered 3.25; globex: SP-covered 5.50 (its negation counts nothing);
    // untagged: unused RI 1.50 + 2.25, support fee 29, unused SP commitment 2.50; upfront fees 0; tax excluded.
    expect(groups(amortized.groups)).toEqual({ acme: '13.25', globex: '5.50', '': '35.25' });
    expect(amortized.source).toContain('AmortizedCost by tag tenant_id');
    const unblended = await new CurBill({ type: 'cur', path: join(dir, file) }, query).fetch(WINDOW, never);
    expect(groups(unblended.groups)).toEqual({ acme: '10.00', globex: '0.00', '': '399.00' });
  });

  it('AmortizedCost: an export without reservations or savings plans is its unblended cost; a covered line without its column is named', async () => {
    writeFileSync(join(dir, 'plain.csv'), legacy);
    const plain = await new CurBill({ type: 'cur', path: join(dir, 'plain.csv') }, { ...query, metric: 'AmortizedCost' }).fetch(WINDOW, never);
    expect(groups(plain.groups)).toEqual({ acme: '5.00', 'glo,bex': '7.00', '': '2.50' });
    writeFileSync(
      join(dir, 'no-ri-columns.csv'),
      'lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UnblendedCost,resourceTags/user:tenant_id\nUsage,2024-05-02T00:00:00Z,1,acme\nDiscountedUsage,2024-05-02T00:00:00Z,0,acme\n',
    );
    const err = await new CurBill({ type: 'cur', path: join(dir, 'no-ri-columns.csv') }, { ...query, metric: 'AmortizedCost' }).fetch(WINDOW, never).then(
      () => undefined,
      (e) => e,
    );
    expect(err.message).toBe(
      `${join(dir, 'no-ri-columns.csv')}: line 3: a DiscountedUsage line item needs reservation/EffectiveCost or reservation_effective_cost for AmortizedCost, and the export has no such column`,
    );
    expect(err.remediation).toMatch(/reservation and savings-plan columns/);
    writeFileSync(join(dir, 'no-type.csv'), 'lineItem/UsageStartDate,lineItem/UnblendedCost,resourceTags/user:tenant_id\n2024-05-02T00:00:00Z,1,acme\n');
    await expect(new CurBill({ type: 'cur', path: join(dir, 'no-type.csv') }, { ...query, metric: 'AmortizedCost' }).fetch(WINDOW, never)).rejects.toThrow(
      /has no lineItem\/LineItemType or line_item_line_item_type column, which AmortizedCost needs/,
    );
  });

  it('explains a file without the tag column and a non-USD export', async () => {
    writeFileSync(join(dir, 'notag.csv'), 'lineItem/UsageStartDate,lineItem/UnblendedCost\n2024-05-01T00:00:00Z,1\n');
    const err = await new CurBill({ type: 'cur', path: join(dir, 'notag.csv') }, query).fetch(WINDOW, never).then(
      () => undefined,
      (e) => e,
    );
    expect(err.message).toMatch(/missing resourceTags\/user:tenant_id or resource_tags/);
    expect(err.remediation).toMatch(/Activate 'tenant_id' as a cost allocation tag/);
    writeFileSync(join(dir, 'eur.csv'), legacy.replace(/,USD,/g, ',EUR,'));
    await expect(new CurBill({ type: 'cur', path: join(dir, 'eur.csv') }, query).fetch(WINDOW, never)).rejects.toThrow(/in EUR; only a bill entirely in USD/);
  });
});

describe('DynamoDbCostLedger against dynalite', () => {
  it('scans with a projection and sums exact decimal numbers per page', async () => {
    const ddb = await startDynalite();
    try {
      await ddb.client.send(
        new CreateTableCommand({
          TableName: 'tenant-costs',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await ddb.client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            'tenant-costs': ROWS.map(([t, d, p, c], i) => ({
              PutRequest: { Item: { pk: { S: `e${i}` }, tenant_id: { S: t }, usage_date: { S: d }, provider: { S: p }, cost_usd: { N: c } } },
            })),
          },
        }),
      );
      const out = await new DynamoDbCostLedger(ddb.client, 'tenant-costs', {}, 2).summarize(WINDOW, never);
      expect(totals(out)).toEqual(EXPECTED);
      expect(out.rowsRead).toBe(6);
    } finally {
      await ddb.stop();
    }
  });
});
