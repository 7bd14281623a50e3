import { HttpQuotaProbe } from '../../lambda/sources/http/quota-probe';
import { startQuotaApi } from '../standins/quota-api';
import { plainSecrets } from '../support/gate';

/** The quota API stand-in: 429 after `limit` requests (never when limit is Infinity), 403 without the tenant's key. */
const api = (limit: number, retryAfter?: string) =>
  startQuotaApi(limit === Infinity ? { kind: 'never' } : { kind: 'limit', after: limit, retryAfter }, { apiKey: { header: 'x-api-key', value: 'test-key' } });

const tenants = [{ id: 'test-tenant', headers: { 'x-api-key': 'test-key' } }];
const signal = () => new AbortController().signal;

describe('quota probe', () => {
  it('sees the 429 of an API that enforces the quota, with Retry-After', async () => {
    const a = await api(5, '30');
    const [r] = await new HttpQuotaProbe({ url: a.url, tenants, maxRequests: 20 }, plainSecrets).run(signal());
    expect(r).toMatchObject({ tenant: 'test-tenant', sent: 6, limitedAt: 6, retryAfter: '30', statusCounts: { 200: 5, 429: 1 } });
    expect(a.total()).toBe(6);
    await a.close();
  });

  it('never exceeds maxRequests against an API that never limits', async () => {
    const a = await api(Infinity);
    const [r] = await new HttpQuotaProbe({ url: a.url, tenants, maxRequests: 17 }, plainSecrets).run(signal());
    expect(r.limitedAt).toBeUndefined();
    expect(r.sent).toBe(17);
    expect(a.total()).toBe(17);
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
