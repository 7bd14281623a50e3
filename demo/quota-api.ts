import { createServer, type Server } from 'node:http';

/**
 * A stand-in for the app's API on 127.0.0.1: a fixed-window rate limiter per API key that answers
 * 429 with Retry-After once a tenant's quota is used, as an app's own limiter should.
 */
export async function startQuotaApi(quotas: Record<string, number>, windowSeconds = 60): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const used = new Map<string, number>();
  const server = createServer((req, res) => {
    const key = String(req.headers['x-api-key'] ?? '');
    const quota = quotas[key];
    if (quota === undefined) {
      res.writeHead(401).end('unknown api key');
      return;
    }
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    if (n > quota) {
      res.writeHead(429, { 'retry-after': String(windowSeconds), 'content-type': 'application/json' }).end('{"error":"quota exceeded"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/v1/ping`,
    server,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
