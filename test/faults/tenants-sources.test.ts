import { httpFaultServer, pgErrorResponse, tcpFaultServer, type LocalServer } from '../support/faults';
import { setEnv } from '../standins/dynalite';
import { runGate } from '../support/gate';
import { hugeIt } from '../support/tiers';

/**
 * Gate 1's sources under faults: each ends in ERROR (never PASS) with a specific cause, in bounded
 * time, and does not crash the runner.
 */
describe('gate 1 PostgreSQL source under faults', () => {
  const run = (url: string, timeoutSeconds = 5) =>
    runGate({ sources: { db: { type: 'postgres', url, connectTimeoutSeconds: 2 } }, gates: { tenants: { source: 'db', timeoutSeconds } } }, 'tenants');

  it.each<[string, (s: import('node:net').Socket) => void, RegExp]>([
    [
      'auth rejected',
      (s) => s.once('data', () => s.end(pgErrorResponse('28P01', 'password authentication failed for user "app"'))),
      /: password authentication failed for user "app"$/,
    ],
    [
      'garbage instead of the protocol',
      (s) => s.once('data', () => s.end(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))),
      /^tenant store: PostgreSQL app@127\.0\.0\.1:\d+: /,
    ],
    ['a connection closed mid-handshake', (s) => s.once('data', () => s.destroy()), /^tenant store: PostgreSQL app@127\.0\.0\.1:\d+: /],
    ['a server that accepts and never answers', () => undefined, /^tenant store: PostgreSQL app@127\.0\.0\.1:\d+: .*(timeout|timed out)/i],
  ])('%s → ERROR with the cause', async (_name, behaviour, cause) => {
    const server: LocalServer = await tcpFaultServer(behaviour);
    const t0 = Date.now();
    const { result, report } = await run(`postgres://app:pw-not-shown@127.0.0.1:${server.port}/app?sslmode=disable`);
    await server.close();
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(cause);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(JSON.stringify(report)).not.toContain('pw-not-shown');
  });

  it('a server slower than the gate deadline → ERROR naming the deadline', async () => {
    const server = await tcpFaultServer(() => undefined);
    const { result } = await runGate(
      {
        sources: { db: { type: 'postgres', url: `postgres://app@127.0.0.1:${server.port}/app`, connectTimeoutSeconds: 30 } },
        gates: { tenants: { source: 'db', timeoutSeconds: 0.5 } },
      },
      'tenants',
    );
    await server.close();
    expect(result).toMatchObject({
      status: 'ERROR',
      summary: "timed out after 0.5 s (raise gates.tenants.timeoutSeconds if the system is just slow); still waiting on tenant store (source 'db', postgres)",
    });
  });
});

describe('gate 1 DynamoDB source under faults (JSON 1.0 protocol stand-in)', () => {
  let restore: () => void;
  let server: LocalServer | undefined;
  afterEach(async () => {
    restore?.();
    await server?.close();
    server = undefined;
  });
  const item = (id: string) => ({ tenantId: { S: id }, sbtaws_active: { BOOL: true }, tenantConfig: { S: '{"quota":5}' } });
  const scanPage = (ids: string[]) => JSON.stringify({ Items: ids.map(item), Count: ids.length, ScannedCount: ids.length });
  const throttle = (res: import('node:http').ServerResponse) =>
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'Rate of requests exceeds the allowed throughput.',
      }),
    );

  async function run(handler: Parameters<typeof httpFaultServer>[0], timeoutSeconds = 10) {
    server = await httpFaultServer(handler);
    restore = setEnv({
      AWS_ENDPOINT_URL_DYNAMODB: server.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret-test',
      AWS_MAX_ATTEMPTS: '3',
    });
    const t0 = Date.now();
    const out = await runGate(
      { sources: { reg: { type: 'dynamodb', table: 'TenantDetails' } }, gates: { tenants: { source: 'reg', scanSegments: 1, minTenants: 2, timeoutSeconds } } },
      'tenants',
    );
    return { ...out, ms: Date.now() - t0 };
  }

  it('throttled then recovered → the SDK retries and the gate reaches a verdict', async () => {
    const { result } = await run((n, _req, res) =>
      n === 1 ? throttle(res) : res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(scanPage(['a', 'b'])),
    );
    expect(result.status).toBe('PASS');
    expect(server!.hits()).toBe(2);
  });

  it('throttled past the retry budget → ERROR naming throttling, after exactly maxAttempts requests', async () => {
    const { result, ms } = await run((_n, _req, res) => throttle(res));
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(/^tenant store: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput\. \(HTTP 400\)$/);
    expect(server!.hits()).toBe(3);
    expect(ms).toBeLessThan(8000);
  });

  it.each<[string, (res: import('node:http').ServerResponse) => void, RegExp]>([
    [
      'access denied',
      (res) =>
        res
          .writeHead(400, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: 'User is not authorized to perform: dynamodb:Scan' })),
      /AccessDeniedException: User is not authorized to perform: dynamodb:Scan \(HTTP 400\)/,
    ],
    [
      'a 500',
      (res) => res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'InternalServerError', message: 'boom' })),
      /InternalServerError/,
    ],
    [
      'malformed JSON',
      (res) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"Items": [ {"tenantId": '),
      /^tenant store: malformed response: /,
    ],
    [
      'a truncated body',
      (res) => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '500' });
        res.write('{"Items": [');
        res.destroy();
      },
      /^tenant store: .*socket hang up/,
    ],
    [
      'wrong types',
      (res) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ Items: 'not-a-list', Count: 'x' })),
      /^tenant store: malformed Scan response from DynamoDB table TenantDetails: Items is not a list$/,
    ],
  ])('%s → ERROR, never PASS', async (_name, answer, cause) => {
    const { result, ms } = await run((_n, _req, res) => answer(res));
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(cause);
    expect(ms).toBeLessThan(9000);
  });

  it('a page whose LastEvaluatedKey is empty is the last page (contract D2), not a loop until the deadline', async () => {
    const { result } = await run(
      (_n, _req, res) =>
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ ...JSON.parse(scanPage(['a', 'b'])), LastEvaluatedKey: {} })),
      3,
    );
    expect(result.status).toBe('PASS');
    expect(server!.hits()).toBe(1);
  });

  hugeIt('a huge page (20 MB of items) is counted, not a crash', async () => {
    const ids = Array.from({ length: 40000 }, (_, i) => `tenant-${i}-${'x'.repeat(400)}`);
    const body = scanPage(ids);
    expect(body.length).toBeGreaterThan(20_000_000);
    const { result } = await run((_n, _req, res) => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(body), 30);
    expect(result.status).toBe('PASS');
    expect(result.measurements[0]).toMatchObject({ name: 'activeTenants', value: 40000 });
  });

  it('a server slower than the deadline → ERROR naming the deadline', async () => {
    const { result, ms } = await run(() => undefined, 0.5);
    expect(result.summary).toBe(
      "timed out after 0.5 s (raise gates.tenants.timeoutSeconds if the system is just slow); still waiting on tenant store (source 'reg', dynamodb)",
    );
    expect(ms).toBeLessThan(3000);
  });
});
