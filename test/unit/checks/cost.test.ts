/**
 * Gate 2 (`checkCost`) through its ports with an in-memory ledger and fixed bills: every criterion
 * (fresh, <provider>-total, <provider>-tenants, ledger and bill errors) to each status it can reach,
 * and the README's boundaries: exactly 5 % vs 5.0000001 %, the materiality floor, maxLagHours,
 * untagged and shared spend, unmapped OpenAI projects.
 */
import { checkCost, type CostCheckInput, type ProviderSetup } from '../../../lambda/checks/cost/check';
import { parseMoney } from '../../../lambda/checks/cost/money';
import { SourceError } from '../../../lambda/core/errors';
import type { GateOutcome } from '../../../lambda/core/result';
import { fakeBill, fakeLedger, type LedgerEntry } from '../fakes/cost';

const WINDOW = { from: '2024-05-01', to: '2024-05-31', label: 'test window' };
const NOW = new Date('2024-06-02T12:00:00Z');
const signal = new AbortController().signal;

/** Ledger entries dated inside the window, plus one fresh (yesterday) zero entry so `fresh` passes. */
function entries(rows: [tenant: string, provider: string, cost: string][], newest = '2024-06-01'): LedgerEntry[] {
  return [
    ...rows.map(([tenant, provider, cost]) => ({ tenant, provider, cost, at: '2024-05-15' })),
    { tenant: 'any', provider: 'none', cost: '0', at: newest },
  ];
}

const aws = (groups: Record<string, string> | Error, over: Partial<ProviderSetup> = {}, extra = {}): ProviderSetup => ({
  bill: fakeBill('aws', groups, extra),
  ledgerValues: ['aws'],
  tagKey: 'tenant_id',
  ...over,
});
const openai = (groups: Record<string, string> | Error, over: Partial<ProviderSetup> = {}): ProviderSetup => ({
  bill: fakeBill('openai', groups),
  ledgerValues: ['openai'],
  ...over,
});

function run(ledgerRows: LedgerEntry[], providers: CostCheckInput['providers'], over: Partial<CostCheckInput> = {}): Promise<GateOutcome> {
  return checkCost({
    ledger: fakeLedger(ledgerRows),
    window: WINDOW,
    providers,
    tolerancePercent: parseMoney('5'),
    materiality: parseMoney('1'),
    maxLagHours: 24,
    now: NOW,
    signal,
    ...over,
  });
}

const byId = (o: GateOutcome, id: string) => {
  const c = o.criteria.find((x) => x.id === id);
  if (!c) throw new Error(`no criterion ${id} in ${o.criteria.map((x) => x.id).join(', ')}`);
  return c;
};
const statuses = (o: GateOutcome) => Object.fromEntries(o.criteria.map((c) => [c.id, c.status]));
const artifact = (o: GateOutcome, name: string) => o.artifacts!.find((a) => a.name === name)!.content;

describe('checkCost: the whole gate', () => {
  it('PASSes when the ledger is fresh and AWS reconciles in total and per tenant', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '100'],
        ['globex', 'aws', '50'],
      ]),
      { aws: aws({ acme: '100', globex: '50' }) },
    );
    expect(statuses(out)).toEqual({ fresh: 'PASS', 'aws-total': 'PASS', 'aws-tenants': 'PASS', 'aws-allocation': 'PASS' });
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('tracked costs reconcile within ±5%: AWS: tracked $150.00 vs billed $150.00 (0.00%)');
    expect(out.evidence).toEqual(['window: 2024-05-01 to 2024-05-31 inclusive (test window)', 'ledger: memory ledger']);
  });

  it('PASS summary names every provider reconciled', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '10'],
        ['acme', 'openai', '4'],
      ]),
      { aws: aws({ acme: '10' }), openai: openai({ p1: '4' }) },
    );
    expect(out.status).toBe('PASS');
    expect(out.summary).toBe('tracked costs reconcile within ±5%: AWS: tracked $10.00 vs billed $10.00 (0.00%); OpenAI: tracked $4.00 vs billed $4.00 (0.00%)');
  });

  it('gives the ledger and every bill the same window, and reports progress', async () => {
    const ledger = fakeLedger(entries([['acme', 'aws', '10']]));
    const a = aws({ acme: '10' });
    const progress: string[] = [];
    await run([], { aws: a }, { ledger, progress: (m) => progress.push(m) });
    expect(ledger.windows).toEqual([WINDOW]);
    expect((a.bill as ReturnType<typeof fakeBill>).windows).toEqual([WINDOW]);
    expect(ledger.calls).toEqual(['open', 'summarize']);
    expect(progress).toEqual(['reading the ledger and the AWS bill for 2024-05-01..2024-05-31']);
  });

  it('works with a ledger that has no open() (the port makes it optional)', async () => {
    const ledger = fakeLedger(entries([['acme', 'aws', '10']]), { withOpen: false });
    const out = await run([], { aws: aws({ acme: '10' }) }, { ledger });
    expect(out.status).toBe('PASS');
    expect(ledger.calls).toEqual(['summarize']);
  });

  it('shows rows read where the ledger could not aggregate where it lives', async () => {
    const out = await run([], { aws: aws({ acme: '10' }) }, { ledger: fakeLedger(entries([['acme', 'aws', '10']]), { rowsRead: 120 }) });
    expect(out.evidence).toContain('ledger: memory ledger (120 rows read)');
  });

  it('counts only entries inside the window (both ends inclusive), as the ledger port defines', async () => {
    const rows: LedgerEntry[] = [
      { tenant: 'acme', provider: 'aws', cost: '1', at: '2024-04-30' },
      { tenant: 'acme', provider: 'aws', cost: '10', at: '2024-05-01' },
      { tenant: 'acme', provider: 'aws', cost: '10', at: '2024-05-31T23:59:59Z' },
      { tenant: 'acme', provider: 'aws', cost: '1', at: '2024-06-01' },
    ];
    const out = await run(rows, { aws: aws({ acme: '20' }) });
    expect(byId(out, 'aws-total').summary).toBe('AWS: tracked $20.00 vs billed $20.00 (0.00%)');
  });

  it('reports ledger costs of providers that are not configured, without reconciling them', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '10'],
        ['acme', 'gcp', '2'],
        ['b', 'gcp', '1.5'],
        ['acme', 'openai', '7'],
      ]),
      { aws: aws({ acme: '10' }) },
    );
    expect(out.status).toBe('PASS');
    expect(out.evidence).toContain('not reconciled (provider not configured): gcp $3.50, openai $7.00');
  });

  it('matches ledger provider values case-insensitively, several per provider', async () => {
    const out = await run(
      entries([
        ['acme', 'AWS', '6'],
        ['acme', 'aws-infra', '4'],
      ]),
      { aws: aws({ acme: '10' }, { ledgerValues: ['aws', 'AWS-Infra'] }) },
    );
    expect(byId(out, 'aws-total').summary).toBe('AWS: tracked $10.00 vs billed $10.00 (0.00%)');
    expect(out.evidence.join('\n')).not.toContain('not reconciled');
  });
});

describe('ledger and bill errors: ERROR, never PASS', () => {
  it('a ledger that cannot be summarised is ERROR `ledger`; the bills are not reconciled and no artifact is written', async () => {
    const ledger = fakeLedger([], { failSummarize: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: 'db', port: 5432 }) });
    const out = await run([], { aws: aws({ acme: '10' }) }, { ledger });
    expect(statuses(out)).toEqual({ ledger: 'ERROR' });
    expect(out.summary).toBe('cost ledger: connection refused to db:5432 (ECONNREFUSED)');
    expect(out.remediation).toMatch(/ledger source settings/);
    expect(out.artifacts).toEqual([]);
  });

  it('a ledger whose open() fails is ERROR and summarize() is not called', async () => {
    const ledger = fakeLedger([], { failOpen: new Error('relation "tenant_costs" does not exist') });
    const out = await run([], { aws: aws({ acme: '10' }) }, { ledger });
    expect(out.summary).toBe('cost ledger: relation "tenant_costs" does not exist');
    expect(ledger.calls).toEqual(['open']);
  });

  it('an unreadable ledger and an unreadable bill are both reported', async () => {
    const out = await run([], { aws: aws(new Error('ThrottlingException')) }, { ledger: fakeLedger([], { failSummarize: new Error('timeout') }) });
    expect(statuses(out)).toEqual({ ledger: 'ERROR', aws: 'ERROR' });
  });

  it("a bill error is ERROR under the provider id, with the source's own remediation", async () => {
    const out = await run(entries([['acme', 'aws', '10']]), {
      aws: aws(
        new SourceError('credentials', 'AccessDeniedException: not authorized to perform ce:GetCostAndUsage', { remediation: 'Allow ce:GetCostAndUsage.' }),
      ),
    });
    expect(statuses(out)).toEqual({ fresh: 'PASS', aws: 'ERROR' });
    expect(byId(out, 'aws')).toMatchObject({
      title: 'AWS bill readable',
      summary: 'AWS bill: AccessDeniedException: not authorized to perform ce:GetCostAndUsage',
    });
    expect(out.remediation).toBe('Allow ce:GetCostAndUsage.');
  });

  it('a bill error without a remediation gets the generic one naming the provider', async () => {
    const out = await run(entries([['acme', 'openai', '10']]), { openai: openai(new Error('HTTP 503')) });
    expect(byId(out, 'openai')).toMatchObject({
      status: 'ERROR',
      summary: 'OpenAI bill: HTTP 503',
      remediation: 'Check the OpenAI bill source settings and credentials.',
    });
  });

  it('one provider in error keeps the gate from PASS while the other reconciles', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '10'],
        ['acme', 'openai', '3'],
      ]),
      { aws: aws({ acme: '10' }), openai: openai(new Error('rate limited')) },
    );
    expect(statuses(out)).toEqual({ fresh: 'PASS', 'aws-total': 'PASS', 'aws-tenants': 'PASS', 'aws-allocation': 'PASS', openai: 'ERROR' });
    expect(out.status).toBe('ERROR');
  });

  it('a measured FAIL outranks a source in error', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '10'],
        ['acme', 'openai', '3'],
      ]),
      { aws: aws({ acme: '20' }), openai: openai(new Error('rate limited')) },
    );
    expect(out.status).toBe('FAIL');
  });
});

describe('criterion fresh: newest ledger entry within maxLagHours', () => {
  const fresh = async (rows: LedgerEntry[], over: Partial<CostCheckInput> = {}) => byId(await run(rows, { aws: aws({ acme: '10' }) }, over), 'fresh');
  const at = (stamp: string): LedgerEntry[] => [
    { tenant: 'acme', provider: 'aws', cost: '10', at: '2024-05-15' },
    { tenant: 'acme', provider: 'aws', cost: '0', at: stamp },
  ];

  it('PASSes a timestamp exactly maxLagHours old', async () => {
    const c = await fresh(at('2024-06-01T12:00:00.000Z'));
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('newest ledger entry 2024-06-01T12:00:00.000Z (24.0 h old)');
    expect(c.title).toBe('Ledger fresh (newest entry within 24 h)');
    expect(c.measurements).toEqual([{ name: 'ledgerAgeHours', value: 24, unit: 'h', threshold: '<= 24' }]);
  });

  it('FAILs a timestamp one millisecond older', async () => {
    const c = await fresh(at('2024-06-01T11:59:59.999Z'));
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('ledger is stale: newest entry 2024-06-01T11:59:59.999Z is 24.0 h old (max 24 h)');
    expect(c.remediation).toMatch(/metering job/);
  });

  it('honours a non-default maxLagHours', async () => {
    expect((await fresh(at('2024-06-01T00:00:00Z'), { maxLagHours: 36 })).status).toBe('PASS');
    expect((await fresh(at('2024-06-01T00:00:00Z'), { maxLagHours: 35.5 })).status).toBe('FAIL');
  });

  it('a date-only entry covers its day: yesterday is fresh at 24 h, the day before is not', async () => {
    expect((await fresh(at('2024-06-01'))).status).toBe('PASS');
    const stale = await fresh(at('2024-05-31'));
    expect(stale.status).toBe('FAIL');
    expect(stale.summary).toBe('ledger is stale: newest entry 2024-05-31 is 2 days old (need 2024-06-01 or later)');
  });

  it('a date-only entry is judged by day even just after midnight', async () => {
    const justAfterMidnight = new Date('2024-06-02T00:00:01Z');
    expect((await fresh(at('2024-06-01'), { now: justAfterMidnight })).status).toBe('PASS');
    expect((await fresh(at('2024-05-31'), { now: justAfterMidnight })).status).toBe('FAIL');
  });

  it('an entry stamped in the future is 0 h old, not negative', async () => {
    const c = await fresh(at('2024-06-03T00:00:00Z'));
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('newest ledger entry 2024-06-03T00:00:00.000Z (0.0 h old)');
  });

  it('an empty ledger FAILs (nothing measured is not fresh)', async () => {
    const out = await run([], { aws: aws({ acme: '10' }) });
    expect(byId(out, 'fresh')).toMatchObject({ status: 'FAIL', summary: 'the cost ledger is empty (memory ledger)' });
    expect(out.status).toBe('FAIL');
  });

  it('the freshness measurement is one of the gate measurements', async () => {
    const out = await run(entries([['acme', 'aws', '10']]), { aws: aws({ acme: '10' }) });
    expect(out.measurements).toContainEqual({ name: 'ledgerAgeHours', value: 36, unit: 'h', threshold: '<= 24' });
  });
});

describe('criterion <provider>-total: whole bill within the tolerance', () => {
  const total = async (tracked: string, billed: string, over: Partial<CostCheckInput> = {}) =>
    byId(await run(entries([['acme', 'aws', tracked]]), { aws: aws({ acme: billed }) }, over), 'aws-total');

  it('exactly +5 % PASSes', async () => {
    const c = await total('105', '100');
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('AWS: tracked $105.00 vs billed $100.00 (+5.00%)');
    expect(c.title).toBe('AWS total within ±5%');
  });

  it('exactly -5 % PASSes', async () => {
    expect((await total('95', '100')).status).toBe('PASS');
  });

  it('5.0000001 % FAILs, although it prints as +5.00%', async () => {
    const c = await total('105.0000001', '100');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: tracked $105.00 vs billed $100.00 (+5.00%), outside ±5%');
    expect(c.remediation).toMatch(/^Find the AWS costs the app does not record/);
  });

  it('-5.0000001 % FAILs', async () => {
    expect((await total('94.9999999', '100')).status).toBe('FAIL');
  });

  it('judges a non-integer tolerance exactly and prints it without trailing zeros', async () => {
    const c = await total('102.5', '100', { tolerancePercent: parseMoney('2.5') });
    expect(c.status).toBe('PASS');
    expect(c.title).toBe('AWS total within ±2.5%');
    expect((await total('102.51', '100', { tolerancePercent: parseMoney('2.5') })).status).toBe('FAIL');
    expect((await total('110', '100', { tolerancePercent: parseMoney('10') })).title).toBe('AWS total within ±10%');
  });

  it('tracked spend with nothing billed FAILs as "billed nothing", not a division error', async () => {
    const out = await run(entries([['acme', 'aws', '3']]), { aws: aws({}) });
    const c = byId(out, 'aws-total');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: tracked $3.00 vs billed $0.00 (billed nothing), outside ±5%');
    expect(c.measurements).toContainEqual({ name: 'awsVariancePct', value: null, unit: '%', threshold: '<= ±5%' });
  });

  it('no spend on either side is ERROR: nothing to reconcile', async () => {
    const out = await run(entries([]), { aws: aws({}) });
    const c = byId(out, 'aws-total');
    expect(c.status).toBe('ERROR');
    expect(c.summary).toBe('AWS: no spend in the bill or the ledger for 2024-05-01..2024-05-31: nothing to reconcile');
    expect(c.remediation).toMatch(/linked accounts, record types/);
    expect(byId(out, 'aws-tenants')).toMatchObject({ status: 'ERROR', summary: 'AWS: no tenant has spend in the ledger or the bill' });
    expect(out.status).toBe('ERROR');
  });

  it('includes unallocated spend: untagged AWS cost FAILs the total and asks for tags', async () => {
    const out = await run(entries([['acme', 'aws', '100']]), { aws: aws({ acme: '100', '': '10' }) });
    const c = byId(out, 'aws-total');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: tracked $100.00 vs billed $110.00 (-9.09%), outside ±5%; $10.00 of the bill is not allocated to any tenant');
    expect(c.evidence).toContain('unallocated: $10.00 (9.09% of the AWS bill): untagged $10.00');
    expect(c.remediation).toBe(
      'Tag every resource that serves tenants with tenant_id (pooled ones with the shared value), and record every billed cost in the ledger.',
    );
    expect(byId(out, 'aws-tenants').status).toBe('PASS');
  });

  it('a tag value that is only whitespace counts as untagged', async () => {
    const out = await run(entries([['acme', 'aws', '100']]), { aws: aws({ acme: '100', ' \u3000': '1' }) });
    expect(byId(out, 'aws-total').evidence).toContain('unallocated: $1.00 (0.99% of the AWS bill): untagged $1.00');
  });

  it('sums credits (negative amounts) exactly', async () => {
    const out = await run(
      entries([
        ['acme', 'aws', '12'],
        ['acme', 'aws', '-2'],
      ]),
      { aws: aws({ acme: '10.00' }) },
    );
    expect(byId(out, 'aws-total').summary).toBe('AWS: tracked $10.00 vs billed $10.00 (0.00%)');
  });

  it('carries the bill source, notes, estimated periods and request cost as evidence and measurements', async () => {
    const setup = aws(
      { acme: '10' },
      {},
      { notes: ['grouped by tag tenant_id'], estimated: ['2024-05-30..2024-05-31'], requests: { count: 3, cost: parseMoney('0.03'), throttled: 1 } },
    );
    const out = await run(entries([['acme', 'aws', '10']]), { aws: setup });
    expect(byId(out, 'aws-total').evidence).toEqual([
      'bill: memory aws bill',
      'grouped by tag tenant_id',
      'estimated by the provider (may still change): 2024-05-30..2024-05-31',
      '3 Cost Explorer requests made, $0.03 at $0.01 each (1 throttled and retried)',
    ]);
    expect(byId(out, 'aws-total').measurements).toEqual([
      { name: 'awsTrackedUsd', value: 10, unit: 'USD' },
      { name: 'awsActualUsd', value: 10, unit: 'USD' },
      { name: 'awsVariancePct', value: 0, unit: '%', threshold: '<= ±5%' },
    ]);
    expect(out.measurements).toEqual(
      expect.arrayContaining([
        { name: 'costExplorerRequests', value: 3, unit: 'requests' },
        { name: 'costExplorerCostUsd', value: 0.03, unit: 'USD' },
        { name: 'awsUnallocatedPct', value: 0, unit: '%' },
        { name: 'awsTenantsOutsideTolerance', value: 0, unit: 'tenants', threshold: '0' },
      ]),
    );
  });

  it('OpenAI out of tolerance asks to fix the metering, not to tag', async () => {
    const c = byId(await run(entries([['acme', 'openai', '10']]), { openai: openai({ p: '20' }) }), 'openai-total');
    expect(c.status).toBe('FAIL');
    expect(c.remediation).toBe('Find the OpenAI costs the app does not record (or records twice) and fix the metering that writes the ledger.');
  });
});

describe('criterion <provider>-tenants: every material tenant within the tolerance', () => {
  const tenants = async (rows: [string, string][], groups: Record<string, string>, over: Partial<CostCheckInput> = {}) =>
    byId(await run(entries(rows.map(([t, c]) => [t, 'aws', c])), { aws: aws(groups) }, over), 'aws-tenants');

  it('exactly 5 % per tenant PASSes, 5.0000001 % FAILs naming the tenant', async () => {
    expect(
      (
        await tenants(
          [
            ['acme', '105'],
            ['big', '1000'],
          ],
          { acme: '100', big: '1000' },
        )
      ).status,
    ).toBe('PASS');
    const c = await tenants(
      [
        ['acme', '105.0000001'],
        ['big', '1000'],
      ],
      { acme: '100', big: '1000' },
    );
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: 1 of 2 tenants outside ±5%: acme (tracked $105.00, billed $100.00, +5.00%)');
    expect(c.remediation).toMatch(/resources tagged with that tenant/);
  });

  it('tenants below the floor on both sides are counted, not judged', async () => {
    const c = await tenants(
      [
        ['tiny', '0.99'],
        ['acme', '10'],
      ],
      { tiny: '0.01', acme: '10' },
    );
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('AWS: all 1 material tenant within ±5%');
    expect(c.evidence![0]).toBe('1 tenant judged, 1 below the $1.00 floor (tracked $0.99, billed $0.01 together)');
  });

  it('tracked exactly at the floor with nothing billed is material and FAILs', async () => {
    const c = await tenants(
      [
        ['ghost', '1.00'],
        ['acme', '10'],
      ],
      { acme: '10' },
    );
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: 1 of 2 tenants outside ±5%: ghost (tracked $1.00, billed $0.00)');
  });

  it('billed exactly at the floor and never tracked is material and FAILs', async () => {
    const c = await tenants([['acme', '10']], { acme: '10', stark: '1' });
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('AWS: 1 of 2 tenants outside ±5%: stark (tracked $0.00, billed $1.00, -100.00%)');
  });

  it('just under the floor on both sides is not judged', async () => {
    const c = await tenants(
      [
        ['ghost', '0.999999999999'],
        ['acme', '10'],
      ],
      { ghost: '0.5', acme: '10' },
    );
    expect(c.status).toBe('PASS');
  });

  it('a credit at the floor (negative) is material too', async () => {
    const c = await tenants(
      [
        ['refunded', '-1'],
        ['acme', '10'],
      ],
      { acme: '10', refunded: '-2' },
    );
    expect(c.status).toBe('FAIL');
    expect(c.summary).toContain('refunded (tracked -$1.00, billed -$2.00, +50.00%)');
  });

  it('a materiality of 0 judges every tenant', async () => {
    const c = await tenants(
      [
        ['tiny', '0.02'],
        ['acme', '10'],
      ],
      { tiny: '0.01', acme: '10' },
      { materiality: 0n },
    );
    expect(c.status).toBe('FAIL');
    expect(c.title).toBe('AWS per tenant within ±5% (tenants ≥ $0.00)');
  });

  it('matches tenant IDs across ledger and bill after trim, NFKC and lower-case', async () => {
    const c = await tenants(
      [
        ['ＡＣＭＥ ', '10'],
        ['Globex', '5'],
      ],
      { acme: '10', ' globex': '5' },
    );
    expect(c.status).toBe('PASS');
    expect(c.summary).toBe('AWS: all 2 material tenants within ±5%');
  });

  it('orders offenders by the size of the gap, ties by tenant ID, and shows the five largest differences', async () => {
    const c = await tenants(
      [
        ['b', '20'],
        ['a', '20'],
        ['c', '50'],
        ['ok', '100'],
        ['d', '12'],
      ],
      { a: '10', b: '10', c: '10', ok: '100', d: '10' },
    );
    expect(c.summary).toBe(
      'AWS: 4 of 5 tenants outside ±5%: c (tracked $50.00, billed $10.00, +400.00%), a (tracked $20.00, billed $10.00, +100.00%), b (tracked $20.00, billed $10.00, +100.00%), d (tracked $12.00, billed $10.00, +20.00%)',
    );
    expect(c.evidence).toContain(
      'largest differences: c (tracked $50.00, billed $10.00, +400.00%), a (tracked $20.00, billed $10.00, +100.00%), b (tracked $20.00, billed $10.00, +100.00%), d (tracked $12.00, billed $10.00, +20.00%), ok (tracked $100.00, billed $100.00, 0.00%)',
    );
    expect(c.measurements).toEqual([{ name: 'awsTenantsOutsideTolerance', value: 4, unit: 'tenants', threshold: '0' }]);
  });

  it('more than 10 offenders: the summary names 10 and the total, the evidence lists all of them', async () => {
    const rows: [string, string][] = Array.from({ length: 12 }, (_, i) => [`t${String(i).padStart(2, '0')}`, String(20 + i)]);
    const groups = Object.fromEntries(rows.map(([t]) => [t, '10']));
    const c = await tenants(rows, groups);
    expect(c.summary).toMatch(/^AWS: 12 of 12 tenants outside ±5%: t11 .* … \(12 in total\)$/);
    expect(c.summary).not.toContain('t00 (');
    const all = c.evidence!.find((e) => e.startsWith('outside tolerance (all 12, largest first): '))!;
    expect(all).toContain('t00 (tracked $20.00');
    expect(all).not.toContain('see tenant_costs.csv');
  });

  it('more than 100 offenders: the evidence points to tenant_costs.csv', async () => {
    const rows: [string, string][] = Array.from({ length: 101 }, (_, i) => [`t${i}`, '20']);
    const c = await tenants(rows, Object.fromEntries(rows.map(([t]) => [t, '10'])));
    expect(c.evidence!.find((e) => e.startsWith('outside tolerance'))).toMatch(/ … \(see tenant_costs\.csv\)$/);
  });

  it('FAILs when all AWS spend is untagged, with the activation hint for the tag key', async () => {
    const out = await run(entries([['acme', 'aws', '40']]), { aws: aws({ '': '40' }, { tagKey: 'org' }) });
    const c = byId(out, 'aws-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('all $40.00 of AWS spend in the window is untagged (no org tag value)');
    expect(c.evidence).toEqual(['unallocated: $40.00 (100.00% of the AWS bill): untagged $40.00']);
    expect(c.remediation).toMatch(/^Activate 'org' as a user-defined cost allocation tag/);
  });

  it('the shared tag value (normalised) is a tenant line only when the ledger has that name', async () => {
    const shared = { acme: '10', 'SHARED ': '5' };
    const withLine = await run(
      entries([
        ['acme', 'aws', '10'],
        ['shared', 'aws', '5'],
      ]),
      { aws: aws(shared, { sharedValue: 'Shared' }) },
    );
    expect(withLine.status).toBe('PASS');
    expect(byId(withLine, 'aws-tenants').summary).toBe('AWS: all 2 material tenants within ±5%');
    const without = await run(entries([['acme', 'aws', '10']]), { aws: aws(shared, { sharedValue: 'Shared' }) });
    expect(byId(without, 'aws-tenants').status).toBe('PASS');
    expect(byId(without, 'aws-total').evidence).toContain(
      "unallocated: $5.00 (33.33% of the AWS bill): shared (tag value 'Shared', no ledger entry of that name) $5.00",
    );
    expect(artifact(without, 'tenant_costs.csv')).toContain('\n(shared),aws,0.00,5.00,-100.00\n');
  });

  it('without a tagKey, the messages name the tag generically', async () => {
    const untagged = await run(entries([['acme', 'aws', '40']]), { aws: aws({ '': '40' }, { tagKey: undefined }) });
    expect(byId(untagged, 'aws-tenants').summary).toBe('all $40.00 of AWS spend in the window is untagged (no tenant tag value)');
    expect(byId(untagged, 'aws-tenants').remediation).toMatch(/^Activate 'tenant_id' as a user-defined cost allocation tag/);
    const partly = await run(entries([['acme', 'aws', '40']]), { aws: aws({ acme: '40', '': '10' }, { tagKey: undefined }) });
    expect(byId(partly, 'aws-total').remediation).toMatch(/^Tag every resource that serves tenants with the cost allocation tag /);
  });

  it('without a sharedValue, a tag value "shared" is just another tenant', async () => {
    const c = byId(await run(entries([['acme', 'aws', '10']]), { aws: aws({ acme: '10', shared: '5' }) }), 'aws-tenants');
    expect(c.summary).toContain('shared (tracked $0.00, billed $5.00, -100.00%)');
  });
});

describe('OpenAI: per project mapped to tenants, or in total', () => {
  it('without openai.projects compares the total only, with no per-tenant criterion or unallocated share', async () => {
    const out = await run(
      entries([
        ['acme', 'openai', '12'],
        ['globex', 'openai', '8'],
      ]),
      { openai: openai({ proj_a: '12', proj_b: '8' }) },
    );
    expect(statuses(out)).toEqual({ fresh: 'PASS', 'openai-total': 'PASS' });
    expect(byId(out, 'openai-total').evidence).toContain('no project → tenant map (openai.projects): compared in total only');
    expect(out.measurements.map((m) => m.name)).not.toContain('openaiUnallocatedPct');
    expect(artifact(out, 'tenant_costs.csv').split('\n')).toEqual([
      'tenant_id,provider,tracked_cost,actual_cost,variance_pct',
      '(total),openai,20.00,20.00,0.00',
      '',
    ]);
  });

  it('maps projects to (normalised) tenant IDs and reconciles per tenant', async () => {
    const out = await run(
      entries([
        ['acme', 'openai', '12'],
        ['globex', 'openai', '8'],
      ]),
      {
        openai: openai({ proj_a: '12', proj_b: '8' }, { projects: { proj_a: 'ACME', proj_b: 'globex' } }),
      },
    );
    expect(statuses(out)).toEqual({ fresh: 'PASS', 'openai-total': 'PASS', 'openai-tenants': 'PASS' });
    expect(byId(out, 'openai-tenants').title).toBe('OpenAI per tenant within ±5% (tenants ≥ $1.00)');
  });

  it('spend without a project and in unmapped projects is unallocated; zero-cost unmapped projects are not named', async () => {
    const out = await run(entries([['acme', 'openai', '12']]), {
      openai: openai({ proj_a: '12', '': '0.30', proj_x: '0.20', proj_zero: '0' }, { projects: { proj_a: 'acme' } }),
    });
    const total = byId(out, 'openai-total');
    expect(total.status).toBe('PASS');
    expect(total.evidence).toContain(
      'unallocated: $0.50 (4.00% of the OpenAI bill): no project $0.30; projects not in openai.projects $0.20; projects: proj_x',
    );
    const csv = artifact(out, 'tenant_costs.csv');
    expect(csv).toContain('\n(no project),openai,0.00,0.30,-100.00\n');
    expect(csv).toContain('\n(projects not in openai.projects),openai,0.00,0.20,-100.00\n');
  });

  it('a tenant outside tolerance is traced to its project', async () => {
    const out = await run(entries([['acme', 'openai', '10']]), { openai: openai({ p1: '12' }, { projects: { p1: 'acme' } }) });
    const c = byId(out, 'openai-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.remediation).toBe("For each tenant listed, compare the ledger entries with the bill (the tenant's project) and fix the metering.");
  });

  it('FAILs when none of the spend is in a mapped project', async () => {
    const out = await run(entries([['acme', 'openai', '5']]), { openai: openai({ proj_x: '5' }, { projects: { proj_a: 'acme' } }) });
    const c = byId(out, 'openai-tenants');
    expect(c.status).toBe('FAIL');
    expect(c.summary).toBe('none of the $5.00 OpenAI spend is in a project mapped to a tenant');
    expect(c.remediation).toBe('Map every OpenAI project to its tenant under openai.projects (one project per tenant).');
  });

  it('an empty project map still reconciles per tenant (every project unmapped)', async () => {
    const out = await run(entries([['acme', 'openai', '5']]), { openai: openai({ proj_x: '5' }, { projects: {} }) });
    expect(byId(out, 'openai-tenants').status).toBe('FAIL');
  });
});

describe('artifacts: tenant_costs.csv and tenant_costs.json', () => {
  it('writes one line per tenant with signed variance, empty where nothing was billed, and quotes CSV fields', async () => {
    const out = await run(
      entries([
        ['a,b', 'aws', '10'],
        ['q"x', 'aws', '2'],
        ['tiny', 'aws', '0.5'],
      ]),
      { aws: aws({ 'a,b': '10', tiny: '0.5', '': '1' }) },
    );
    expect(artifact(out, 'tenant_costs.csv').split('\n')).toEqual([
      'tenant_id,provider,tracked_cost,actual_cost,variance_pct',
      '(total),aws,12.50,11.50,+8.70',
      '(untagged),aws,0.00,1.00,-100.00',
      '"a,b",aws,10.00,10.00,0.00',
      '"q""x",aws,2.00,0.00,',
      'tiny,aws,0.50,0.50,0.00',
      '',
    ]);
  });

  it('the JSON carries the window, tolerance, floor and a status per line', async () => {
    const out = await run(
      entries([
        ['ok', 'aws', '10'],
        ['off', 'aws', '20'],
        ['tiny', 'aws', '0.1'],
      ]),
      { aws: aws({ ok: '10', off: '10', '': '1' }) },
    );
    const doc = JSON.parse(artifact(out, 'tenant_costs.json'));
    expect(doc.window).toEqual({ from: '2024-05-01', to: '2024-05-31' });
    expect(doc.tolerancePercent).toBe('5.00');
    expect(doc.materialityUsd).toBe('1.00');
    expect(doc.lines.map((l: { tenant_id: string; status: string }) => `${l.tenant_id}:${l.status}`)).toEqual([
      '(total):total',
      '(untagged):unallocated',
      'off:outside',
      'ok:ok',
      'tiny:below-floor',
    ]);
    expect(doc.lines.find((l: { tenant_id: string }) => l.tenant_id === 'tiny')).toEqual({
      tenant_id: 'tiny',
      provider: 'aws',
      tracked_cost: '0.10',
      actual_cost: '0.00',
      variance_pct: null,
      status: 'below-floor',
    });
  });
});

describe('nothing to judge is never PASS', () => {
  it('no bill configured: ERROR, not a PASS with an empty summary', async () => {
    const out = await run(entries([['acme', 'aws', '10']]), {});
    expect(out.status).toBe('ERROR');
    expect(out.summary).toBe('no bill to reconcile the ledger with: configure aws and/or openai');
  });

  it('every tenant below the materiality floor: per-tenant accuracy ERROR naming the floor, not "all 0 within"', async () => {
    const out = await run(
      entries([
        ['a', 'aws', '0.50'],
        ['b', 'aws', '0.90'],
      ]),
      { aws: aws({ a: '0.90', b: '0.50' }) },
    );
    expect(byId(out, 'aws-tenants')).toMatchObject({
      status: 'ERROR',
      summary: 'AWS: none of the 2 tenants reaches the $1.00 floor on either side, so per-tenant accuracy was not measured',
      remediation: expect.stringMatching(/materialityUsd/),
    });
    expect(out.status).not.toBe('PASS');
  });

  it('a tolerance finer than a hundredth of a percent is shown as configured', async () => {
    const out = await run(entries([['acme', 'aws', '100']]), { aws: aws({ acme: '100' }) }, { tolerancePercent: parseMoney('0.125') });
    expect(byId(out, 'aws-total').title).toMatch(/±0\.125%/);
    const tiny = await run(entries([['acme', 'aws', '100']]), { aws: aws({ acme: '100' }) }, { tolerancePercent: parseMoney('0.001') });
    expect(tiny.summary).toMatch(/within ±0\.001%/);
  });
});
