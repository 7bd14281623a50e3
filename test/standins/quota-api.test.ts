import { startQuotaApi } from './quota-api';

/** The quota API stand-in answers as documented (test/standins/quota-api.ts): the probes' tests rely on it. */
describe('quota API stand-in', () => {
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });

  it('serves the first `after` requests of a tenant, then 429 with Retry-After; each tenant has its own count', async () => {
    const api = await startQuotaApi({ kind: 'limit', after: 2, retryAfter: '30' }, { tenantHeader: 'x-tenant' });
    try {
      const a = [];
      for (let i = 0; i < 3; i++) a.push(await get(api.url, { 'x-tenant': 'a' }));
      expect(a.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(a[2].headers.get('retry-after')).toBe('30');
      expect((await get(api.url, { 'x-tenant': 'b' })).status).toBe(200);
      expect(Object.fromEntries(api.hits)).toEqual({ a: 3, b: 1 });
      expect(api.total()).toBe(4);
    } finally {
      await api.close();
    }
  });

  it('refuses a wrong credential with 403 (counted), omits Retry-After when told to, and starts again on reset', async () => {
    const api = await startQuotaApi({ kind: 'limit', after: 1 }, { apiKey: { header: 'x-api-key', value: 'k' } });
    try {
      expect((await get(api.url, { 'x-api-key': 'wrong' })).status).toBe(403);
      const limited = await get(api.url, { 'x-api-key': 'k' });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeNull();
      api.reset({ kind: 'never' });
      expect(api.total()).toBe(0);
      for (let i = 0; i < 5; i++) expect((await get(api.url, { 'x-api-key': 'k' })).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('misbehaves on request: 5xx from a request on, a scripted mix of statuses', async () => {
    const down = await startQuotaApi({ kind: '5xx', at: 2, status: 503 });
    const mixed = await startQuotaApi({ kind: 'mixed', statuses: [200, 500, 429] });
    try {
      expect([(await get(down.url)).status, (await get(down.url)).status]).toEqual([200, 503]);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(mixed.url)).status);
      expect(statuses).toEqual([200, 500, 429, 200]);
    } finally {
      await Promise.all([down.close(), mixed.close()]);
    }
  });
});
