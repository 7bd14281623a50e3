import fc from 'fast-check';
import { outcomeFromCriteria, STATUSES, type Criterion } from '../../lambda/core/result';
import { verdictOf } from '../../lambda/core/runner';
import { checkTenants } from '../../lambda/checks/tenants/check';
import type { TenantCensus, TenantStore } from '../../lambda/checks/tenants/ports';

const criterion = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  title: fc.string({ maxLength: 12 }),
  status: fc.constantFrom(...STATUSES),
  summary: fc.string({ maxLength: 20 }),
}) as fc.Arbitrary<Criterion>;

describe('never a false PASS (property)', () => {
  it('a gate is PASS exactly when it has criteria and every one PASSed', () => {
    fc.assert(
      fc.property(fc.array(criterion, { maxLength: 8 }), (criteria) => {
        const status = outcomeFromCriteria(criteria).status;
        const allPass = criteria.length > 0 && criteria.every((c) => c.status === 'PASS');
        expect(status === 'PASS').toBe(allPass);
      }),
    );
  });

  it('the suite is READY only when nothing failed or errored and something passed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STATUSES), { maxLength: 6 }), fc.boolean(), (statuses, allowSkip) => {
        const { verdict } = verdictOf(
          statuses.map((status) => ({ status }) as never),
          allowSkip,
        );
        const ready = statuses.includes('PASS') && !statuses.includes('FAIL') && !statuses.includes('ERROR') && (allowSkip || !statuses.includes('SKIP'));
        expect(verdict === 'READY').toBe(ready);
      }),
    );
  });

  /** A tenant store reporting arbitrary measured facts; as the port promises, one ID per active row. */
  const census = fc.record({
    total: fc.nat(50),
    missingConfig: fc.nat(5),
    quotaFields: fc.array(fc.constantFrom('quota', 'rate_limit'), { maxLength: 2 }),
    missingQuota: fc.nat(5),
    ids: fc.array(fc.option(fc.constantFrom('a', 'A ', 'b', 'ｂ', 'c', '', ' d', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'), { nil: null }), { maxLength: 15 }),
    minTenants: fc.integer({ min: 1, max: 15 }),
  });

  it('gate 1 PASSes only when every measured fact meets its criterion', async () => {
    await fc.assert(
      fc.asyncProperty(census, async (c) => {
        const facts: TenantCensus = {
          store: 'fake',
          total: Math.max(c.total, c.ids.length),
          active: c.ids.length,
          activeRule: 'x',
          configRule: 'y',
          missingConfig: { count: c.missingConfig, examples: [] },
          quotaFields: c.quotaFields,
          missingQuota: { count: c.missingQuota, examples: [] },
          activeIds: async function* () {
            yield c.ids;
          },
          notes: [],
        };
        const store: TenantStore = { census: async () => facts, close: async () => undefined };
        const out = await checkTenants({ store, minTenants: c.minTenants, probesAllowed: true, signal: new AbortController().signal });
        const normal = c.ids.map((id) => (id === null ? '' : id.trim().normalize('NFKC').toLowerCase()));
        const idsOk = normal.every((n) => n !== '') && new Set(normal).size === normal.length;
        const shouldPass = c.ids.length >= c.minTenants && idsOk && c.missingConfig === 0 && c.quotaFields.length > 0 && c.missingQuota === 0;
        expect(out.status === 'PASS').toBe(shouldPass);
      }),
      { numRuns: 300 },
    );
  });

  it('gate 1 is ERROR, never PASS, when the store cannot be read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (message) => {
        const store: TenantStore = { census: async () => Promise.reject(new Error(message)), close: async () => undefined };
        const out = await checkTenants({ store, minTenants: 1, probesAllowed: true, signal: new AbortController().signal });
        expect(out.status).toBe('ERROR');
      }),
      { numRuns: 50 },
    );
  });
});
