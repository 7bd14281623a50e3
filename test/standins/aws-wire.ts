import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** What the stand-ins read from a SigV4-signed request: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export interface SigV4Scope {
  accessKeyId: string;
  region: string;
  service: string;
}

export function sigV4Scope(req: IncomingMessage): SigV4Scope | undefined {
  const m = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
  return m ? { accessKeyId: m[1], region: m[2], service: m[3] } : undefined;
}

/** An AWS JSON 1.0/1.1 error: the status, `__type` and `Message`, as the services send them. */
export function sendAwsJsonError(res: ServerResponse, contentType: string, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': `standin-${Date.now()}` });
  res.end(JSON.stringify({ __type: type, Message: message }));
}

export interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 (random port) that hands each request over with its whole body. */
export async function listenLocal(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks), res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Today's date in UTC, YYYY-MM-DD. */
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}
