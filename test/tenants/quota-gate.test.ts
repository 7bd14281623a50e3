import { demoSchemaSql } from '../../demo/dataset';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { runGate } from '../support/gate';
import { startQuotaApi, type QuotaApi, type QuotaBehaviour } from '../standins/quota-api';

describe('gate 1 verdict with the quota probe', () => {
  let pg: PostgresTarget;
  let url: string;
  let api: QuotaApi;
  const MODES: Record<'enforce' | 'never' | 'no-retry-after', QuotaBehaviour> = {
    enforce: { kind: 'limit', after: 3, retryAfter: '60' },
    never: { kind: 'never' },
    'no-retry-after': { kind: 'limit', after: 3 },
  };
  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(demoSchemaSql());
    api = await startQuotaApi(MODES.enforce);
    url = api.url;
  });
  afterAll(async () => {
    await api?.close();
    await pg?.stop();
  });
  const run = async (m: keyof typeof MODES, requireRetryAfter = false) => {
    api.reset(MODES[m]);
    const quotaProbe = { url, tenants: [{ id: 'test-canary' }], maxRequests: 10, requireRetryAfter };
    return (await runGate({ sources: { appdb: { type: 'postgres', url: pg.url } }, gates: { tenants: { source: 'appdb', quotaProbe } } }, 'tenants')).result;
  };

  it('PASSes when the 429 arrives within the bound', async () => {
    const r = await run('enforce');
    expect(r.status).toBe('PASS');
    expect(r.criteria.find((c) => c.id === 'quota-probe')!.evidence![0]).toMatch(/^test-canary: 429 at request 4\/10, Retry-After 60 in/);
  });
  it('FAILs naming the tenant when no 429 comes', async () => {
    const r = await run('never');
    expect(r.status).toBe('FAIL');
    expect(r.summary).toBe('quota not enforced: no 429 within 10 requests for test-canary');
    expect(api.total()).toBe(10);
  });
  it('notes a missing Retry-After, and FAILs on it only when required', async () => {
    const lenient = await run('no-retry-after');
    expect(lenient.status).toBe('PASS');
    expect(lenient.criteria.find((c) => c.id === 'quota-probe')!.evidence![0]).toContain('Retry-After missing');
    const strict = await run('no-retry-after', true);
    expect(strict.status).toBe('FAIL');
    expect(strict.summary).toBe('429 without Retry-After for test-canary (requireRetryAfter is set)');
  });
});
