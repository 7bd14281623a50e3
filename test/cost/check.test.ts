import { checkCost, type CostCheckInput } from '../../lambda/checks/cost/check';
import { parseMoney } from '../../lambda/checks/cost/money';
import { SourceError } from '../../lambda/core/errors';
import type { ActualBill, BillSource, CostLedger, LedgerSummary, TrackedTotal } from '../../lambda/checks/cost/ports';

const WINDOW = { from: '2024-05-01', to: '2024-05-31', label: 'test' };
const NOW = new Date('2024-06-02T12:00:00Z');
const never = new AbortController().signal;
const $ = (s: string) => parseMoney(s);

function ledger(totals: [string, string, string][], newest: LedgerSummary['newest'] = { at: new Date('2024-06-01T00:00:00Z'), dateOnly: true }): CostLedger {
  return {
    summarize: async () => ({
      source: 'test ledger',
      totals: totals.map(([tenant, provider, amount]): TrackedTotal => ({ tenant, provider, amount: $(amount) })),
      newest,
    }),
    close: async () => undefined,
  };
}

function bill(provider: 'aws' | 'openai', groups: Record<string, string>, extra: Partial<ActualBill> = {}): BillSource {
  return {
    provider,
    fetch: async () => ({ source: 'test bill', groups: new Map(Object.entries(groups).map(([k, v]) => [k, $(v)])), estimated: [], notes: [], ...extra }),
  };
}

function failing(provider: 'aws' | 'openai', message: string): BillSource {
  return { provider, fetch: async () => Promise.reject(new SourceError('malformed', message, { remediation: 'do something' })) };
}

function input(over: Partial<CostCheckInput>): CostCheckInput {
  return {
    ledger: ledger([]),
    window: WINDOW,
    providers: {},
    tolerancePercent: $('5'),
    materiality: $('1'),
    maxLagHours: 24,
    now: NOW,
    signal: never,
    ...over,
  };
}

const criterion = (o: Awaited<ReturnType<typeof checkCost>>, id: string) => o.criteria.find((c) => c.id === id)!;

describe('checkCost: order of work', () => {
  it('opens the ledger (connect, catalog) before any bill is read, so the aggregation runs while the bills page', async () => {
    const order: string[] = [];
    const base = ledger([['acme', 'aws', '10']]);
    const out = await checkCost(
      input({
        ledger: {
          open: async () => {
            order.push('open');
            await new Promise((r) => setTimeout(r, 20));
            order.push('opened');
          },
          summarize: async (w, s) => {
            order.push('summarize');
            return base.summarize(w, s);
          },
          close: base.close,
        },
        providers: {
          aws: {
            bill: { provider: 'aws', fetch: async (w, s) => (order.push('bill'), bill('aws', { acme: '10' }).fetch(w, s)) },
            ledgerValues: ['aws'],
          },
        },
      }),
    );
    expect(order).toEqual(['open', 'opened', 'summarize', 'bill']);
    expect(out.status).toBe('PASS');
  });

  it('a ledger that cannot be opened is ERROR naming the cause; the bills are still read and reported', async () => {
    let summarized = false;
    let fetched = false;
    const out = await checkCost(
      input({
        ledger: {
          open: () => Promise.reject(new Error("table 'tenant_costs' not found in app@db:5432 (set gates.cost.ledger.table)")),
          summarize: async () => {
            summarized = true;
            throw new Error('not reached');
          },
          close: async () => undefined,
        },
        providers: {
          aws: { bill: { provider: 'aws', fetch: async (w, s) => ((fetched = true), bill('aws', { acme: '10' }).fetch(w, s)) }, ledgerValues: ['aws'] },
        },
      }),
    );
    expect(out.status).toBe('ERROR');
    expect(criterion(out, 'ledger').summary).toBe("cost ledger: table 'tenant_costs' not found in app@db:5432 (set gates.cost.ledger.table)");
    expect(summarized).toBe(false);
    expect(fetched).toBe(true);
  });
});

describe('checkCost: reconciliation', () => {
  it('PASSes when totals and every material tenant are within 5%, with evidence and the CSV artifact', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([
          ['acme', 'aws', '100.00'],
          ['globex', 'aws', '52.50'],
          ['tiny', 'aws', '0.40'],
        ]),
        providers: {
          aws: {
            bill: bill('aws', { acme: '98.00', globex: '50.00', tiny: '0.90', '': '1.00' }, { requests: { count: 2, cost: $('0.02'), throttled: 0 } }),
            ledgerValues: ['aws'],
            tagKey: 'tenant_id',
          },
        },
      }),
    );
    expect(out.status).toBe('PASS');
    expect(criterion(out, 'aws-total').summary).toBe('AWS: tracked $152.90 vs billed $149.90 (+2.00%)');
    expect(criterion(out, 'aws-tenants').summary).toBe('AWS: all 2 material tenants within ±5%');
    expect(criterion(out, 'aws-tenants').evidence![0]).toMatch(/2 tenants judged, 1 below the \$1.00 floor/);
    expect(criterion(out, 'aws-total').evidence).toContain('2 Cost Explorer requests made, $0.02 at $0.01 each');
    expect(criterion(out, 'aws-total').evidence!.join('\n')).toMatch(/unallocated: \$1.00 \(0.67% of the AWS bill\): untagged \$1.00/);
    const csv = out.artifacts!.find((a) => a.name === 'tenant_costs.csv')!.content;
    expect(csv.split('\n')).toEqual([
      'tenant_id,provider,tracked_cost,actual_cost,variance_pct',
      '(total),aws,152.90,149.90,+2.00',
      '(untagged),aws,0.00,1.00,-100.00',
      'acme,aws,100.00,98.00,+2.04',
      'globex,aws,52.50,50.00,+5.00',
      'tiny,aws,0.40,0.90,-55.56',
      '',
    ]);
    expect(out.measurements).toEqual(expect.arrayContaining([{ name: 'costExplorerRequests', value: 2, unit: 'requests' }]));
  });

  it('names exactly the tenants outside tolerance with tracked, actual and variance, largest gap first', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([
          ['acme', 'aws', '100'],
          ['globex', 'aws', '50'],
          ['initech', 'aws', '30'],
          ['hooli', 'aws', '5'],
          ['ghost', 'aws', '2'],
        ]),
        providers: { aws: { bill: bill('aws', { acme: '100', globex: '60', initech: '30', hooli: '4.70', stark: '3' }), ledgerValues: ['aws'] } },
      }),
    );
    expect(out.status).toBe('FAIL');
    expect(criterion(out, 'aws-tenants').summary).toBe(
      'AWS: 4 of 6 tenants outside ±5%: globex (tracked $50.00, billed $60.00, -16.67%), stark (tracked $0.00, billed $3.00, -100.00%), ghost (tracked $2.00, billed $0.00), hooli (tracked $5.00, billed $4.70, +6.38%)',
    );
    expect(criterion(out, 'aws-tenants').measurements).toEqual([{ name: 'awsTenantsOutsideTolerance', value: 4, unit: 'tenants', threshold: '0' }]);
  });

  it('does not judge tenants under the materiality floor', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([
          ['a', 'aws', '0.99'],
          ['b', 'aws', '10'],
        ]),
        providers: { aws: { bill: bill('aws', { a: '0.10', b: '10' }), ledgerValues: ['aws'] } },
        tolerancePercent: $('10'),
      }),
    );
    expect(criterion(out, 'aws-tenants').status).toBe('PASS');
    const json = JSON.parse(out.artifacts!.find((a) => a.name === 'tenant_costs.json')!.content);
    expect(json.lines.find((l: { tenant_id: string }) => l.tenant_id === 'a').status).toBe('below-floor');
  });

  it('matches tenant IDs across sources after normalisation (case, spaces, width)', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([['ACME ', 'AWS', '10']]),
        providers: { aws: { bill: bill('aws', { acme: '10' }), ledgerValues: ['aws'] } },
      }),
    );
    expect(out.status).toBe('PASS');
  });

  it('totals match an independent computation to the cent over many small amounts', async () => {
    const rows: [string, string, string][] = [];
    const billed: Record<string, string> = {};
    let trackedCents = 0;
    let billedCents = 0;
    for (let i = 0; i < 500; i++) {
      const t = 1000 + i * 7; // cents
      const b = t + (i % 3) - 1;
      rows.push([`t${i}`, 'aws', (t / 100).toFixed(2)]);
      billed[`t${i}`] = (b / 100).toFixed(2);
      trackedCents += t;
      billedCents += b;
    }
    const out = await checkCost(input({ ledger: ledger(rows), providers: { aws: { bill: bill('aws', billed), ledgerValues: ['aws'] } } }));
    const total = out.artifacts![0].content.split('\n')[1].split(',');
    expect(total[2]).toBe((trackedCents / 100).toFixed(2));
    expect(total[3]).toBe((billedCents / 100).toFixed(2));
  });

  it('FAILs with the tag activation hint when all AWS spend is untagged', async () => {
    const out = await checkCost(
      input({ ledger: ledger([['acme', 'aws', '40']]), providers: { aws: { bill: bill('aws', { '': '40' }), ledgerValues: ['aws'], tagKey: 'tenant_id' } } }),
    );
    const c = criterion(out, 'aws-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('all $40.00 of AWS spend in the window is untagged (no tenant_id tag value)');
    expect(c.remediation).toMatch(/Activate 'tenant_id' as a user-defined cost allocation tag/);
  });

  it('reconciles the shared tag value against a ledger entry of that name, else counts it as unallocated', async () => {
    const withEntry = await checkCost(
      input({
        ledger: ledger([
          ['acme', 'aws', '10'],
          ['shared', 'aws', '5'],
        ]),
        providers: { aws: { bill: bill('aws', { acme: '10', shared: '5' }), ledgerValues: ['aws'], sharedValue: 'shared' } },
      }),
    );
    expect(withEntry.status).toBe('PASS');
    const without = await checkCost(
      input({
        ledger: ledger([['acme', 'aws', '10']]),
        providers: { aws: { bill: bill('aws', { acme: '10', shared: '5' }), ledgerValues: ['aws'], sharedValue: 'shared' } },
      }),
    );
    expect(criterion(without, 'aws-tenants').status).toBe('PASS');
    expect(criterion(without, 'aws-total').status).toBe('FAIL');
    expect(criterion(without, 'aws-total').summary).toMatch(/\$5.00 of the bill is not allocated to any tenant/);
    expect(criterion(without, 'aws-total').evidence!.join('\n')).toMatch(/shared \(tag value 'shared', no ledger entry of that name\) \$5.00/);
  });

  it('compares OpenAI in total without a project map, and per tenant with one', async () => {
    const led = ledger([
      ['acme', 'openai', '12'],
      ['globex', 'openai', '8'],
    ]);
    const totalOnly = await checkCost(
      input({ ledger: led, providers: { openai: { bill: bill('openai', { proj_a: '12', proj_b: '8.2' }), ledgerValues: ['openai'] } } }),
    );
    expect(totalOnly.status).toBe('PASS');
    expect(totalOnly.criteria.map((c) => c.id)).toEqual(['fresh', 'openai-total']);
    const mapped = await checkCost(
      input({
        ledger: led,
        providers: {
          openai: {
            bill: bill('openai', { proj_a: '12', proj_b: '9', proj_x: '0.5' }),
            ledgerValues: ['openai'],
            projects: { proj_a: 'acme', proj_b: 'globex' },
          },
        },
      }),
    );
    expect(criterion(mapped, 'openai-tenants').summary).toMatch(/^OpenAI: 1 of 2 tenants outside ±5%: globex \(tracked \$8.00, billed \$9.00, -11.11%\)/);
    expect(criterion(mapped, 'openai-total').evidence!.join('\n')).toMatch(/projects not in openai.projects \$0.50; projects: proj_x/);
  });

  it('FAILs a stale ledger: date-only entries must be from yesterday or today', async () => {
    const aws = { bill: bill('aws', { acme: '10' }), ledgerValues: ['aws'] };
    const yesterday = await checkCost(
      input({ ledger: ledger([['acme', 'aws', '10']], { at: new Date('2024-06-01T00:00:00Z'), dateOnly: true }), providers: { aws } }),
    );
    expect(criterion(yesterday, 'fresh').status).toBe('PASS');
    const older = await checkCost(
      input({ ledger: ledger([['acme', 'aws', '10']], { at: new Date('2024-05-31T00:00:00Z'), dateOnly: true }), providers: { aws } }),
    );
    expect(older.status).toBe('FAIL');
    expect(criterion(older, 'fresh').summary).toBe('ledger is stale: newest entry 2024-05-31 is 2 days old (need 2024-06-01 or later)');
    const stamp = await checkCost(
      input({ ledger: ledger([['acme', 'aws', '10']], { at: new Date('2024-06-01T11:00:00Z'), dateOnly: false }), providers: { aws } }),
    );
    expect(criterion(stamp, 'fresh').summary).toMatch(/ledger is stale: newest entry 2024-06-01T11:00:00.000Z is 25.0 h old \(max 24 h\)/);
    const empty = await checkCost(input({ ledger: ledger([], null), providers: { aws } }));
    expect(criterion(empty, 'fresh').summary).toBe('the cost ledger is empty (test ledger)');
  });

  it('never PASSes when a configured source is in error, even when the rest reconciles', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([
          ['acme', 'aws', '10'],
          ['acme', 'openai', '3'],
        ]),
        providers: {
          aws: { bill: bill('aws', { acme: '10' }), ledgerValues: ['aws'] },
          openai: { bill: failing('openai', 'OpenAI rejected the admin key (HTTP 401)'), ledgerValues: ['openai'] },
        },
      }),
    );
    expect(out.status).toBe('ERROR');
    expect(out.summary).toBe('OpenAI bill: OpenAI rejected the admin key (HTTP 401)');
    expect(out.remediation).toBe('do something');
    const broken = await checkCost(
      input({
        ledger: { summarize: () => Promise.reject(new Error('connection refused to 127.0.0.1:1 (ECONNREFUSED)')), close: async () => undefined },
        providers: { aws: { bill: bill('aws', { acme: '10' }), ledgerValues: ['aws'] } },
      }),
    );
    expect(broken.status).toBe('ERROR');
    expect(broken.summary).toMatch(/cost ledger: connection refused/);
  });

  it('ERRORs when neither the bill nor the ledger has spend in the window (nothing was reconciled)', async () => {
    const out = await checkCost(input({ ledger: ledger([]), providers: { aws: { bill: bill('aws', {}), ledgerValues: ['aws'] } } }));
    expect(out.status).toBe('ERROR');
    expect(criterion(out, 'aws-total').summary).toMatch(/nothing to reconcile/);
  });

  it('flags estimated periods in the evidence', async () => {
    const out = await checkCost(
      input({
        ledger: ledger([['a', 'aws', '10']]),
        providers: { aws: { bill: bill('aws', { a: '10' }, { estimated: ['2024-05-01..2024-05-31'] }), ledgerValues: ['aws'] } },
      }),
    );
    expect(criterion(out, 'aws-total').evidence).toContain('estimated by the provider (may still change): 2024-05-01..2024-05-31');
  });
});

describe('checkCost: conservation of the AWS bill (aws-allocation)', () => {
  const aws = (groups: Record<string, string>, extra: Partial<ActualBill> = {}, maxUntaggedPercent?: string) => ({
    bill: bill('aws', groups, extra),
    ledgerValues: ['aws'],
    sharedValue: 'shared',
    tagKey: 'tenant_id',
    ...(maxUntaggedPercent ? { maxUntaggedPercent: $(maxUntaggedPercent) } : {}),
  });
  const tracked = ledger([
    ['acme', 'aws', '60'],
    ['globex', 'aws', '20'],
  ]);

  it("PASSes when tenants + shared + untagged equal the source's own total and untagged stays under the ceiling", async () => {
    const out = await checkCost(input({ ledger: tracked, providers: { aws: aws({ acme: '60', globex: '20', shared: '5', '': '15' }, { total: $('100') }) } }));
    const c = criterion(out, 'aws-allocation');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe("AWS: tenants $80.00 + shared $5.00 + untagged $15.00 = $100.00, the source's own total $100.00; untagged 15.00%");
  });

  it("ERRORs when the groups do not add up to the source's total (a page or file lost while reading)", async () => {
    const out = await checkCost(input({ ledger: tracked, providers: { aws: aws({ acme: '60', globex: '20', '': '1' }, { total: $('100.01') }) } }));
    expect(criterion(out, 'aws-allocation')).toMatchObject({
      status: 'ERROR',
      summary: expect.stringMatching(/does not add up: .* = \$81\.00, but the source's own total \$100\.01/),
    });
    expect(out.status).toBe('ERROR');
  });

  it('FAILs a bill whose untagged share passes the ceiling, even when every tagged tenant reconciles', async () => {
    const out = await checkCost(input({ ledger: tracked, providers: { aws: aws({ acme: '60', globex: '20', '': '80' }, {}, '30') } }));
    expect(criterion(out, 'aws-tenants').status).toBe('PASS');
    expect(criterion(out, 'aws-allocation')).toMatchObject({ status: 'FAIL', summary: expect.stringMatching(/untagged 50\.00% exceeds the 30% ceiling/) });
    expect(criterion(out, 'aws-allocation').summary).toContain("the sum of the source's groups (it gives no total of its own)");
  });

  it('reports what reading the bill cost beside the criteria', async () => {
    const readCost = {
      summary: 'Athena: query q scanned 1.0 MiB',
      cost: $('0.0000476837'),
      measurements: [{ name: 'athenaScannedBytes', value: 1048576, unit: 'bytes' }],
    };
    const out = await checkCost(input({ ledger: tracked, providers: { aws: aws({ acme: '60', globex: '20' }, { readCost }) } }));
    expect(criterion(out, 'aws-total').evidence).toContain('Athena: query q scanned 1.0 MiB: ≈ $0.000048');
    expect(out.measurements).toEqual(
      expect.arrayContaining([
        { name: 'billReadCostUsd', value: 0.000048, unit: 'USD' },
        { name: 'athenaScannedBytes', value: 1048576, unit: 'bytes' },
      ]),
    );
  });
});
