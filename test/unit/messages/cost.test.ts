/** Gate 2 messages: what the bills cost when the ledger failed, and ledger rows without a cost. */
import { checkCost, type CostCheckInput } from '../../../lambda/checks/cost/check';
import { parseMoney } from '../../../lambda/checks/cost/money';
import type { GateOutcome } from '../../../lambda/core/result';
import { fakeBill, fakeLedger, type FakeLedgerOptions } from '../fakes/cost';

const WINDOW = { from: '2024-05-01', to: '2024-05-31', label: 'test window' };
const signal = new AbortController().signal;
const awsBill = (groups: Record<string, string>, requests = { count: 3, cost: parseMoney('0.03'), throttled: 1 }) => ({
  bill: fakeBill('aws', groups, { requests }),
  ledgerValues: ['aws'],
  tagKey: 'tenant_id',
});

function run(ledger: FakeLedgerOptions, rows: { tenant: string; cost: string }[], providers: CostCheckInput['providers']): Promise<GateOutcome> {
  return checkCost({
    ledger: fakeLedger(
      [...rows.map((r) => ({ ...r, provider: 'aws', at: '2024-05-15' })), { tenant: 'x', provider: 'none', cost: '0', at: '2024-06-01' }],
      ledger,
    ),
    window: WINDOW,
    providers,
    tolerancePercent: parseMoney('5'),
    materiality: parseMoney('1'),
    maxLagHours: 24,
    now: new Date('2024-06-02T12:00:00Z'),
    signal,
  });
}

describe('gate 2 when the ledger side fails', () => {
  it('reports the Cost Explorer requests already made (and paid for)', async () => {
    const out = await run({ failSummarize: new Error('relation "tenant_costs" does not exist') }, [], { aws: awsBill({ acme: '10' }) });
    expect(out.status).toBe('ERROR');
    expect(out.evidence).toContain(
      'AWS bill read but not reconciled (the ledger could not be read): 3 Cost Explorer requests made, $0.03 at $0.01 each (1 throttled and retried)',
    );
    expect(out.measurements).toContainEqual({ name: 'costExplorerRequests', value: 3, unit: 'requests' });
    expect(out.measurements).toContainEqual({ name: 'costExplorerCostUsd', value: 0.03, unit: 'USD' });
  });

  it('one request is one request', async () => {
    const out = await run({ failSummarize: new Error('boom') }, [], { aws: awsBill({ acme: '10' }, { count: 1, cost: parseMoney('0.01'), throttled: 0 }) });
    expect(out.evidence).toContain('AWS bill read but not reconciled (the ledger could not be read): 1 Cost Explorer request made, $0.01 at $0.01 each');
  });
});

describe('gate 2 ledger rows without a cost', () => {
  const nullCosts = { count: 7, examples: ['acme (aws) on 2024-05-02', 'acme (aws) on 2024-05-03'] };

  it('are counted and named in the evidence of a PASS', async () => {
    const out = await run({ nullCosts }, [{ tenant: 'acme', cost: '10' }], { aws: awsBill({ acme: '10' }) });
    expect(out.status).toBe('PASS');
    expect(out.evidence).toContain(
      'ledger: 7 rows in the window have no cost (NULL) and count as $0: acme (aws) on 2024-05-02, acme (aws) on 2024-05-03 … (7 in total)',
    );
  });

  it('reach the summary when the totals do not reconcile', async () => {
    const out = await run({ nullCosts: { count: 1, examples: ['acme (aws) on 2024-05-02'] } }, [{ tenant: 'acme', cost: '5' }], {
      aws: awsBill({ acme: '10' }),
    });
    expect(out.status).toBe('FAIL');
    const total = out.criteria.find((c) => c.id === 'aws-total')!;
    expect(total.summary).toMatch(/outside ±5%; ledger: 1 row in the window has no cost \(NULL\) and counts as \$0: acme \(aws\) on 2024-05-02$/);
  });
});
