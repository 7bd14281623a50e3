/** A gate past its deadline keeps what it had measured and names the source it was still waiting on. */
import { definePort } from '../../lambda/core/ports';
import { Registry } from '../../lambda/core/registry';
import { outcomeFromCriteria } from '../../lambda/core/result';
import { runGates } from '../../lambda/core/runner';
import { opens, type SourceDefinition } from '../../lambda/core/source';
import { fakeGate } from '../support/fake-gate';

interface Bill {
  fetch(signal: AbortSignal): Promise<number>;
}
const BILL = definePort<Bill, undefined>('slowBill', 'slow bill');
const slowSource: SourceDefinition = {
  type: 'slowbill',
  title: 'A bill that never answers',
  module: __filename,
  schema: {},
  opens: [
    opens(BILL, {
      open: () => ({
        fetch: (signal: AbortSignal) => new Promise<number>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      }),
    }),
  ],
};

const secrets = { resolve: async (v: string) => v, json: async () => ({}) };

it('keeps the criteria and evidence produced before the deadline and says which source was pending', async () => {
  const gate = fakeGate('cost', async (_config, ctx) => {
    const bill = await ctx.open({ port: BILL, source: 'bill', field: 'bill', options: undefined });
    const ledger = { id: 'ledger', title: 'Ledger read', status: 'PASS' as const, summary: '12 rows read', evidence: ['ledger: 12 rows'] };
    try {
      await bill.fetch(ctx.signal);
      return outcomeFromCriteria([ledger]);
    } catch (err) {
      const billCriterion = { id: 'bill', title: 'Bill read', status: 'ERROR' as const, summary: `bill: ${(err as Error).message}` };
      return outcomeFromCriteria([ledger, billCriterion], { evidence: ['window: 2026-10-01 to 2026-10-31'] });
    }
  });
  const t0 = Date.now();
  const report = await runGates({
    registry: new Registry([gate], [slowSource]),
    loaded: { config: { version: 1, suite: 's', sources: { bill: { type: 'slowbill' } }, gates: { cost: { timeoutSeconds: 0.2 } } }, skipped: {} },
    secrets,
  });
  expect(Date.now() - t0).toBeLessThan(1500);
  const result = report.results[0];
  expect(result.status).toBe('ERROR');
  expect(result.summary).toBe(
    "timed out after 0.2 s (raise gates.cost.timeoutSeconds if the system is just slow); still waiting on slow bill (source 'bill', slowbill)",
  );
  expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
    ['ledger', 'PASS'],
    ['bill', 'ERROR'],
  ]);
  expect(result.criteria[0].evidence).toEqual(['ledger: 12 rows']);
  expect(result.evidence).toEqual(['window: 2026-10-01 to 2026-10-31', 'criteria and evidence above are what the gate had measured when its deadline passed']);
});

it('a gate that hands back nothing is the deadline alone', async () => {
  const gate = fakeGate('cost', (_config, ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('late')))));
  const report = await runGates({
    registry: new Registry([gate], []),
    loaded: { config: { version: 1, suite: 's', sources: {}, gates: { cost: { timeoutSeconds: 0.2 } } }, skipped: {} },
    secrets,
  });
  expect(report.results[0]).toMatchObject({
    status: 'ERROR',
    summary: 'timed out after 0.2 s (raise gates.cost.timeoutSeconds if the system is just slow)',
    criteria: [],
  });
});
