import { createServer, request, type IncomingHttpHeaders } from 'node:http';

/**
 * dynalite implements neither DescribeContinuousBackups nor streams. This stand-in sits in front
 * of it speaking the same JSON 1.0 protocol: it answers DescribeContinuousBackups itself, adds a
 * StreamSpecification to DescribeTable answers when streams are "on", and forwards everything
 * else to dynalite unchanged.
 */
export async function startDynamoStandIn(dynalite: string, state: { pitr: boolean; stream: boolean }): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const forward = (path: string, headers: IncomingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const target = new URL(dynalite);
      const req = request({ host: target.hostname, port: target.port, path, method: 'POST', headers: { ...headers, host: target.host } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const op = String(req.headers['x-amz-target'] ?? '').split('.').pop();
      const json = (status: number, doc: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'standin' }).end(JSON.stringify(doc));
      };
      if (op === 'DescribeContinuousBackups') {
        const now = Math.floor(Date.now() / 1000);
        return json(200, {
          ContinuousBackupsDescription: {
            ContinuousBackupsStatus: 'ENABLED',
            PointInTimeRecoveryDescription: state.pitr
              ? { PointInTimeRecoveryStatus: 'ENABLED', EarliestRestorableDateTime: now - 35 * 86400, LatestRestorableDateTime: now - 300, RecoveryPeriodInDays: 35 }
              : { PointInTimeRecoveryStatus: 'DISABLED' },
          },
        });
      }
      try {
        const out = await forward(req.url ?? '/', req.headers, body);
        if (op === 'DescribeTable' && out.status === 200 && state.stream) {
          const doc = JSON.parse(out.body.toString('utf8')) as { Table: Record<string, unknown> };
          doc.Table.StreamSpecification = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' };
          doc.Table.LatestStreamArn = `${String(doc.Table.TableArn)}/stream/2026-01-01T00:00:00.000`;
          return json(200, doc);
        }
        res.writeHead(out.status, { 'content-type': String(out.headers['content-type'] ?? 'application/x-amz-json-1.0') }).end(out.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
