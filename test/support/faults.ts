import { setEnv as setProcessEnv } from '../standins/dynalite';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';

export interface LocalServer {
  url: string;
  port: number;
  /** Requests (or connections) received so far. */
  hits(): number;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 whose every answer is decided by the test (request number from 1). */
export async function httpFaultServer(handler: (n: number, req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<LocalServer> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(++n, req, res, body));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: () => n,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A TCP server on 127.0.0.1 that treats each connection as the test says (hang, garbage, close). */
export async function tcpFaultServer(onConnection: (socket: Socket, n: number) => void): Promise<LocalServer> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onConnection(s, ++n);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `127.0.0.1:${port}`,
    port,
    hits: () => n,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A PostgreSQL ErrorResponse message (wire protocol 'E'), e.g. 28P01 for a rejected password. */
export function pgErrorResponse(code: string, message: string): Buffer {
  const fields = Buffer.concat([Buffer.from('SFATAL\0'), Buffer.from(`C${code}\0`), Buffer.from(`M${message}\0`), Buffer.from('\0')]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/**
 * Fault servers and environment variables scoped to one test: what a test starts with `serve` (or
 * pushes onto `servers`) is closed, and what it sets with `setEnv` restored, after it (this registers
 * its own afterEach).
 */
export function perTestFaults(): {
  servers: LocalServer[];
  serve(handler: Parameters<typeof httpFaultServer>[0]): Promise<LocalServer>;
  setEnv(vars: Record<string, string>): void;
} {
  const servers: LocalServer[] = [];
  let restore: (() => void) | undefined;
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return {
    servers,
    async serve(handler) {
      const s = await httpFaultServer(handler);
      servers.push(s);
      return s;
    },
    setEnv(vars) {
      const previous = restore;
      const undo = setProcessEnv(vars);
      restore = () => {
        undo();
        previous?.();
      };
    },
  };
}
