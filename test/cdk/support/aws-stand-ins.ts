import { createServer, type IncomingMessage, type Server } from 'node:http';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * AWS Secrets Manager's JSON 1.1 protocol for GetSecretValue (`X-Amz-Target:
 * secretsmanager.GetSecretValue`), answering from a map of secret ARN → SecretString.
 */
export async function startSecretsManager(secrets: Record<string, string>): Promise<{ endpoint: string; requests: string[]; stop(): Promise<void> }> {
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const input = JSON.parse((await body(req)).toString('utf8') || '{}') as { SecretId?: string };
    requests.push(`${target} ${input.SecretId}`);
    const reply = (status: number, doc: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(doc));
    };
    if (target !== 'secretsmanager.GetSecretValue') return reply(400, { __type: 'UnknownOperationException', message: target });
    const value = input.SecretId ? secrets[input.SecretId] : undefined;
    if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    reply(200, { ARN: input.SecretId, Name: input.SecretId!.split(':').pop(), SecretString: value, VersionId: 'v1', VersionStages: ['AWSCURRENT'], CreatedDate: 1_700_000_000 });
  });
  const endpoint = await listen(server);
  return { endpoint, requests, stop: () => new Promise((r) => server.close(() => r())) };
}

/** S3's REST PutObject, path style (`PUT /bucket/key`), keeping the objects in memory. */
export async function startS3(): Promise<{ endpoint: string; objects: Map<string, { body: string; contentType?: string }>; stop(): Promise<void> }> {
  const objects = new Map<string, { body: string; contentType?: string }>();
  const server = createServer(async (req, res) => {
    const data = await body(req);
    if (req.method !== 'PUT') {
      res.writeHead(405, { 'content-type': 'application/xml' });
      res.end('<Error><Code>MethodNotAllowed</Code></Error>');
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    objects.set(path, { body: data.toString('utf8'), contentType: req.headers['content-type'] });
    res.writeHead(200, { etag: '"0123456789abcdef0123456789abcdef"' });
    res.end();
  });
  const endpoint = await listen(server);
  return { endpoint, objects, stop: () => new Promise((r) => server.close(() => r())) };
}
