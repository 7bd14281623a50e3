import { createServer, type Server } from 'node:http';

/**
 * The SaaS app's effective-config endpoint as gate 3's canary probe reads it (README "Config
 * probe": `effectiveConfigUrl`): GET answers 200 with the tenant's config as the running app
 * sees it, as JSON. `respond` decides the body per request (n counts from 1), so a test can serve
 * what the database holds, a stale config, or a change that arrives late; a rejected `respond`
 * answers 500, as an app failing to read its own store would.
 */
export interface AppConfigEndpoint {
  url: string;
  requests(): number;
  stop(): Promise<void>;
}

export async function startEffectiveConfigApp(respond: (n: number) => Promise<string> | string): Promise<AppConfigEndpoint> {
  let n = 0;
  const server: Server = createServer((_req, res) => {
    n++;
    Promise.resolve(respond(n)).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/effective-config`,
    requests: () => n,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
