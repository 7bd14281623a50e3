import { createServer, type Server } from 'node:http';
import { HttpQuotaProbe } from '../../lambda/sources/http/quota-probe';
import { plainSecrets } from '../support/gate';

/** A local API that answers 429 after `limit` requests (never when limit is Infinity). */
async function api(limit: number, retryAfter?: string): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    if (req.headers['x-api-key'] !== 'test-key') return void res.writeHead(403).end();
    if (hits > limit) return void res.writeHead(429, retryAfter ? { 'retry-after': retryAfter } : {}).end();
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ping`,
    hits: () => hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const tenants = [{ id: 'test-tenant', headers: { 'x-api-key': 'test-key' } }];
const signal = () => new AbortController().signal;

describe('quota probe', () => {
  it('sees the 429 of an API that enforces the quota, with Retry-After', async () => {
    const a = await api(5, '30');
    const [r] = await new HttpQuotaProbe({ url: a.url, tenants, maxRequests: 20 }, plainSecrets).run(signal());
    expect(r).toMatchObject({ tenant: 'test-tenant', sent: 6, limitedAt: 6, retryAfter: '30', statusCounts: { 200: 5, 429: 1 } });
    expect(a.hits()).toBe(6);
    await a.close();
  });

  it('never exceeds maxRequests against an API that never limits', async () => {
    const a = await api(Infinity);
    const [r] = await new HttpQuotaProbe({ url: a.url, tenants, maxRequests: 17 }, plainSecrets).run(signal());
    expect(r.limitedAt).toBeUndefined();
    expect(r.sent).toBe(17);
    expect(a.hits()).toBe(17);
    await a.close();
  });

  it('reports a 429 without Retry-After', async () => {
    const a = await api(2);
    const probe = new HttpQuotaProbe({ url: a.url, tenants, maxRequests: 10, requireRetryAfter: true }, plainSecrets);
    const [r] = await probe.run(signal());
    expect(r.limitedAt).toBe(3);
    expect(r.retryAfter).toBeUndefined();
    expect(probe.requireRetryAfter).toBe(true);
    await a.close();
  });

  it('stops at a rejected credential and at an unreachable API without exceeding the bound', async () => {
    const a = await api(5);
    const [rejected] = await new HttpQuotaProbe({ url: a.url, tenants: [{ id: 'x', headers: { 'x-api-key': 'wrong' } }] }, plainSecrets).run(signal());
    expect(rejected).toMatchObject({ sent: 1, stoppedBy: "the tenant's credential was rejected (HTTP 403)" });
    await a.close();
    const [down] = await new HttpQuotaProbe({ url: a.url, tenants }, plainSecrets).run(signal());
    expect(down.sent).toBe(1);
    expect(down.stoppedBy).toMatch(/^request 1: connection refused to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)$/);
  });
});
