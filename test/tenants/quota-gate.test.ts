import { createServer } from 'node:http';
import { demoSchemaSql } from '../../demo/dataset';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { runGate } from '../support/gate';

describe('gate 1 verdict with the quota probe', () => {
  let pg: PostgresTarget;
  let url: string;
  let mode: 'enforce' | 'never' | 'no-retry-after' = 'enforce';
  let count = 0;
  const server = createServer((_req, res) => {
    count++;
    if (mode !== 'never' && count > 3) return void res.writeHead(429, mode === 'enforce' ? { 'retry-after': '60' } : {}).end();
    res.writeHead(200).end();
  });
  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(demoSchemaSql());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/ping`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await pg?.stop();
  });
  const run = async (m: typeof mode, requireRetryAfter = false) => {
    mode = m;
    count = 0;
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
    expect(count).toBe(10);
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
