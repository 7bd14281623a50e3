import { createServer, type Server } from 'node:http';

/**
 * The SaaS app's own API as the quota probe meets it (gate 1, README "Quota probe"): each tenant
 * may send so many requests, then the API answers 429 Too Many Requests (RFC 6585 §4) with a
 * Retry-After header (RFC 9110 §10.2.3) saying when to try again, the way API Gateway usage plans
 * and most rate limiters do. A request whose credential the API does not accept gets 403. Requests
 * are counted per tenant (by a header naming the tenant, or all together), on arrival — also one
 * the client gives up on — so a test can check that a probe never exceeded its bound.
 *
 * Shared by the tests and the benchmarks; the fault suites drive it through misbehaviours too
 * (5xx from some request on, slow answers, a scripted mix of statuses).
 */
export type QuotaBehaviour =
  /** The first `after` requests of a tenant succeed (200), every later one is 429; `retryAfter` undefined = no header. */
  | { kind: 'limit'; after: number; retryAfter?: string }
  /** No quota at all: always 200. */
  | { kind: 'never' }
  /** From request `at` on: the given 5xx status. */
  | { kind: '5xx'; at: number; status: number }
  /** From request `at` on: 200, but only after `ms`. */
  | { kind: 'slow'; at: number; ms: number }
  /** Request n answers statuses[(n - 1) % length]. */
  | { kind: 'mixed'; statuses: number[] };

export interface QuotaApiOptions {
  /** The header whose value names the tenant a request counts for; default: all requests count as one tenant (''). */
  tenantHeader?: string;
  /** The credential the API accepts; any other value (or none) is refused with 403. Default: no check. */
  apiKey?: { header: string; value: string };
}

export interface QuotaApi {
  /** The endpoint the probe calls (`/ping`). */
  url: string;
  /** Requests seen per tenant (see tenantHeader), refused ones included. */
  hits: Map<string, number>;
  /** Every request seen. */
  total(): number;
  /** Changes the behaviour and starts counting again. */
  reset(behaviour?: QuotaBehaviour): void;
  close(): Promise<void>;
}

export async function startQuotaApi(initial: QuotaBehaviour, opts: QuotaApiOptions = {}): Promise<QuotaApi> {
  let behaviour = initial;
  const hits = new Map<string, number>();
  let total = 0;
  const server: Server = createServer((req, res) => {
    total++;
    const tenant = opts.tenantHeader ? String(req.headers[opts.tenantHeader.toLowerCase()] ?? '') : '';
    const n = (hits.get(tenant) ?? 0) + 1;
    hits.set(tenant, n);
    if (opts.apiKey && req.headers[opts.apiKey.header.toLowerCase()] !== opts.apiKey.value) return void res.writeHead(403).end('forbidden');
    const b = behaviour;
    if (b.kind === 'limit' && n > b.after) return void res.writeHead(429, b.retryAfter === undefined ? {} : { 'retry-after': b.retryAfter }).end();
    if (b.kind === '5xx' && n >= b.at) return void res.writeHead(b.status).end('upstream down');
    if (b.kind === 'slow' && n >= b.at) return void setTimeout(() => res.writeHead(200).end('late'), b.ms);
    if (b.kind === 'mixed') return void res.writeHead(b.statuses[(n - 1) % b.statuses.length]).end();
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/ping`,
    hits,
    total: () => total,
    reset(next) {
      if (next) behaviour = next;
      hits.clear();
      total = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
