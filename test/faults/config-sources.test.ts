import type { IncomingMessage, ServerResponse } from 'node:http';
import { CreateTableCommand, PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { demoSchemaSql } from '../../demo/dataset';
import { demoConfigSql } from '../../demo/dataset-configs';
import type { CheckResult } from '../../lambda/core/result';
import { startDynamoStandIn } from '../standins/dynamodb';
import { configTable, runConfigGate, tempHistoryFile } from '../config/support';
import { setEnv, startDynalite } from '../standins/dynalite';
import { httpFaultServer, pgErrorResponse, tcpFaultServer, type LocalServer } from '../support/faults';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { hugeIt } from '../support/tiers';

/**
 * Gate 3's sources under the fault matrix of issue 8: the PostgreSQL and DynamoDB config stores
 * and the app's effective-config URL. Each fault ends in ERROR (FAIL where the answer is a real
 * negative) with a specific cause, in bounded time, never PASS; wherever the probe ran, the whole
 * config table is as it was before.
 */
const criterion = (r: CheckResult, id: string) => r.criteria.find((c) => c.id === id);

/** One PGlite for the file: wrong-content tables and the demo's tenant_configs for the propagation faults. */
let pg: PostgresTarget;
beforeAll(async () => {
  pg = await startPglite();
  await pg.exec(demoSchemaSql());
  await pg.exec(demoConfigSql());
});
afterAll(async () => {
  await pg?.stop();
});

describe('gate 3 PostgreSQL config store under faults', () => {
  const run = (url: string, gate: Record<string, unknown> = {}) =>
    runConfigGate(
      { appdb: { type: 'postgres', url, connectTimeoutSeconds: 2 } },
      { history: { file: tempHistoryFile() }, canary: { tenant: 'test-canary' }, ...gate },
    );

  it('unreachable → ERROR naming the refused address', async () => {
    const gone = await tcpFaultServer(() => undefined);
    await gone.close();
    const t0 = Date.now();
    const result = await run(`postgres://app:pw-not-shown@127.0.0.1:${gone.port}/app?sslmode=disable`);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toBe(`config store: PostgreSQL app@127.0.0.1:${gone.port}: connection refused to 127.0.0.1:${gone.port} (ECONNREFUSED)`);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it.each<[string, (s: import('node:net').Socket) => void, RegExp]>([
    [
      'auth rejected (28P01)',
      (s) => s.once('data', () => s.end(pgErrorResponse('28P01', 'password authentication failed for user "app"'))),
      /^config store: PostgreSQL app@127\.0\.0\.1:\d+: password authentication failed for user "app"$/,
    ],
    [
      'garbage instead of the protocol',
      (s) => s.once('data', () => s.end(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))),
      /^config store: PostgreSQL app@127\.0\.0\.1:\d+: Connection terminated unexpectedly$/,
    ],
    [
      'a connection closed mid-handshake',
      (s) => s.once('data', () => s.destroy()),
      /^config store: PostgreSQL app@127\.0\.0\.1:\d+: Connection terminated unexpectedly$/,
    ],
  ])('%s → ERROR with the cause, password never shown', async (_name, behaviour, cause) => {
    const server: LocalServer = await tcpFaultServer(behaviour);
    const t0 = Date.now();
    const result = await run(`postgres://app:pw-not-shown@127.0.0.1:${server.port}/app?sslmode=disable`);
    await server.close();
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(cause);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(JSON.stringify(result)).not.toContain('pw-not-shown');
  });

  it('a server that accepts and never answers, past the gate deadline → ERROR naming the deadline', async () => {
    const server = await tcpFaultServer(() => undefined);
    const t0 = Date.now();
    const result = await runConfigGate(
      { appdb: { type: 'postgres', url: `postgres://app@127.0.0.1:${server.port}/app`, connectTimeoutSeconds: 30 } },
      { timeoutSeconds: 0.5, history: { file: tempHistoryFile() }, canary: { tenant: 'test-canary' } },
    );
    await server.close();
    expect(result).toMatchObject({
      status: 'ERROR',
      summary: "timed out after 0.5 s (raise gates.config.timeoutSeconds if the system is just slow); still waiting on config store (source 'appdb', postgres)",
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  describe('wrong content (PGlite)', () => {
    let n = 0;
    /** A config table of its own: `type` for the config column, `rows` as SQL values (tenant, config). */
    async function table(type: string, rows: string): Promise<string> {
      const name = `cfg_fault_${++n}`;
      await pg.exec(
        `CREATE TABLE ${name} (tenant_id text PRIMARY KEY, config ${type}, updated_at timestamptz NOT NULL DEFAULT now()); INSERT INTO ${name} (tenant_id, config) VALUES ${rows};`,
      );
      return name;
    }

    it.each<[string, string, string, string, RegExp]>([
      [
        'a text config that is not JSON',
        'text',
        `('acme', '{"model":"gpt-4o"}'), ('globex', 'model=gpt-4o; topK=8'), ('test-canary', '{"model":"gpt-4o"}')`,
        'FAIL',
        /^globex: not valid JSON \(Unexpected token/,
      ],
      [
        'a config that is a JSON array',
        'jsonb',
        `('acme', '{"model":"gpt-4o"}'), ('globex', '[1, 2]'), ('test-canary', '{"model":"gpt-4o"}')`,
        'FAIL',
        /^globex: not a JSON object \(array\)$/,
      ],
      [
        'a config that is a JSON number',
        'json',
        `('acme', '{"model":"gpt-4o"}'), ('globex', '42'), ('test-canary', '{"model":"gpt-4o"}')`,
        'FAIL',
        /^globex: not a JSON object \(number\)$/,
      ],
      ['a NULL config', 'jsonb', `('acme', '{"model":"gpt-4o"}'), ('globex', NULL), ('test-canary', '{"model":"gpt-4o"}')`, 'FAIL', /^globex: no config$/],
    ])('%s → configs FAIL naming the tenant; the probe still restores the canary', async (_name, type, rows, status, why) => {
      const t = await table(type, rows);
      const before = await configTable(pg.url, t);
      const result = await run(pg.url, { table: t });
      const configs = criterion(result, 'configs')!;
      expect(configs.status).toBe(status);
      expect(configs.summary).toBe('1 of 3 tenant configs do not parse: globex');
      expect(configs.evidence?.find((e) => e.startsWith('globex'))).toMatch(why);
      expect(result.status).not.toBe('PASS');
      expect(criterion(result, 'round-trip')).toMatchObject({ status: 'PASS' });
      expect(await configTable(pg.url, t)).toBe(before);
    });

    it.each<[string, string, RegExp]>([
      ['not JSON', `'model=gpt-4o'`, /^canary round trip: canary tenant 'test-canary' config is not a JSON object$/],
      ['a JSON array', `'[1,2]'`, /^canary round trip: canary tenant 'test-canary' config is not a JSON object$/],
    ])('a canary config that is %s → round trip ERROR, nothing written', async (_name, value, cause) => {
      const t = await table('text', `('acme', '{"model":"gpt-4o"}'), ('test-canary', ${value})`);
      const before = await configTable(pg.url, t);
      const result = await run(pg.url, { table: t });
      expect(criterion(result, 'round-trip')).toMatchObject({ status: 'ERROR' });
      expect(criterion(result, 'round-trip')!.summary).toMatch(cause);
      expect(await configTable(pg.url, t)).toBe(before);
    });

    it('a config column of the wrong type → ERROR naming the column and its type', async () => {
      const t = await table('integer', `('acme', 1), ('test-canary', 2)`);
      const before = await configTable(pg.url, t);
      const result = await run(pg.url, { table: t });
      expect(result.status).toBe('ERROR');
      expect(result.summary).toBe('config store: config column config is integer; expected jsonb, json or text');
      expect(await configTable(pg.url, t)).toBe(before);
    });
  });
});

describe("gate 3 propagation URL (the app's effective config) under faults", () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const canaryConfig = async () => (await configTable(pg.url)).split('\n').find((r) => r.includes('"test-canary"'))!;

  /** Runs the probe against an app whose every answer `answer` decides; limit 0.3 s, polls every 50 ms. */
  async function probe(answer: (n: number, res: ServerResponse) => void, limitSeconds = 0.3, at?: string) {
    server = await httpFaultServer((n, _req, res) => answer(n, res));
    const url = at ?? `${server.url}/effective-config`;
    const before = await configTable(pg.url);
    const t0 = Date.now();
    const result = await runConfigGate(
      { appdb: { type: 'postgres', url: pg.url } },
      {
        history: { file: tempHistoryFile() },
        canary: { tenant: 'test-canary', effectiveConfigUrl: url, propagationLimitSeconds: limitSeconds, pollIntervalMs: 50 },
      },
    );
    const ms = Date.now() - t0;
    // Whatever the app did, the canary is as it was: every row, every column.
    expect(await configTable(pg.url)).toBe(before);
    return { trip: criterion(result, 'round-trip')!, result, url, ms };
  }
  const json = (res: ServerResponse, status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);

  it.each<[string, (n: number, res: ServerResponse) => void, (url: string) => string]>([
    ['a 503 on every poll', (_n, res) => json(res, 503, '{"message":"Service Unavailable"}'), (url) => `last poll: GET ${url}: HTTP 503`],
    ['credentials rejected (401)', (_n, res) => json(res, 401, '{"message":"Unauthorized"}'), (url) => `last poll: GET ${url}: HTTP 401`],
    [
      'a login page served with 200',
      (_n, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>'),
      (url) => `last poll: GET ${url}: malformed response: not JSON (text/html, 33 bytes)`,
    ],
    [
      'a body cut off mid-way',
      (_n, res) => (
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' }), res.write('{"model": '), setTimeout(() => res.destroy(), 10)
      ),
      (url) => `last poll: GET ${url}: response body cut off (HTTP 200): other side closed`,
    ],
    ['a connection reset before any answer', (_n, res) => res.socket?.destroy(), (url) => `last poll: GET ${url}: other side closed`],
    [
      'an answer declaring 100 MiB',
      (_n, res) => (res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 2 ** 20) }), res.write('{"model": ')),
      (url) => `last poll: GET ${url}: response larger than 64 MiB (HTTP 200); stopped reading`,
    ],
    ['an app that never answers', () => undefined, () => 'last poll: no answer within 1 s'],
  ])('%s → ERROR naming the cause, canary restored', async (_name, answer, cause) => {
    const { trip, result, url, ms } = await probe(answer);
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toBe(`effective config not readable at ${url}: ${cause(url)}`);
    expect(trip.evidence).toContain('canary restored exactly');
    expect(result.status).toBe('ERROR');
    expect(ms).toBeLessThan(3000);
  });

  it('unreachable → ERROR naming the refused address, canary restored', async () => {
    const gone = await httpFaultServer(() => undefined);
    await gone.close();
    const { trip, url, ms } = await probe(() => undefined, 0.3, `${gone.url}/effective-config`);
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toBe(`effective config not readable at ${url}: last poll: GET ${url}: connection refused to 127.0.0.1:${gone.port} (ECONNREFUSED)`);
    expect(ms).toBeLessThan(3000);
  });

  it('an app that shows the nonce only after the limit → FAIL (a real negative) naming the delay', async () => {
    // Each answer takes 500 ms and carries the canary's current config: the nonce arrives, too late.
    const { trip, ms } = await probe((_n, res) => void setTimeout(async () => json(res, 200, await canaryConfig()), 500));
    expect(trip.status).toBe('FAIL');
    expect(trip.summary).toMatch(/^config change reached the app after 0\.\d s, limit 0\.3 s$/);
    expect(ms).toBeLessThan(3000);
  });

  hugeIt('a huge answer (15 MB) that holds the nonce is read, not a crash', async () => {
    const padding = JSON.stringify(Array.from({ length: 30000 }, (_, i) => `feature-${i}-${'x'.repeat(500)}`));
    const { trip, ms } = await probe(async (_n, res) => {
      const row = JSON.parse(await canaryConfig()) as { config: Record<string, unknown> };
      json(res, 200, JSON.stringify({ features: JSON.parse(padding), ...row.config }));
    }, 5);
    expect(padding.length).toBeGreaterThan(15_000_000);
    expect(trip.status).toBe('PASS');
    expect(ms).toBeLessThan(8000);
  });
});

describe('gate 3 DynamoDB config store under faults (JSON 1.0 protocol: dynalite behind a fault proxy)', () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  let standIn: Awaited<ReturnType<typeof startDynamoStandIn>>;
  let proxy: LocalServer;
  let restoreEnv: () => void;
  let client: DynamoDBClient;
  let tables = 0;
  /** Per operation (Scan, GetItem, …): answers its n-th call this test and returns true, or returns false to pass it through. */
  let faults: Record<string, (n: number, res: ServerResponse) => boolean> = {};
  let calls: Record<string, number> = {};

  /** Forwards a request to the stand-in (dynalite + DescribeContinuousBackups) unchanged. */
  function forward(req: IncomingMessage, body: string): Promise<{ status: number; contentType: string; body: string }> {
    return fetch(`${standIn.endpoint}${req.url ?? '/'}`, {
      method: 'POST',
      headers: Object.fromEntries(
        Object.entries(req.headers)
          .filter(([k]) => !['host', 'connection', 'content-length'].includes(k))
          .map(([k, v]) => [k, String(v)]),
      ),
      body,
    }).then(async (r) => ({ status: r.status, contentType: r.headers.get('content-type') ?? 'application/x-amz-json-1.0', body: await r.text() }));
  }

  beforeAll(async () => {
    db = await startDynalite();
    standIn = await startDynamoStandIn(db.endpoint, { pitr: true, stream: false });
    proxy = await httpFaultServer((_n, req, res, body) => {
      const op =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '?';
      calls[op] = (calls[op] ?? 0) + 1;
      if (faults[op]?.(calls[op], res)) return;
      forward(req, body).then(
        (out) => res.writeHead(out.status, { 'content-type': out.contentType }).end(out.body),
        () => res.writeHead(502).end(),
      );
    });
    restoreEnv = setEnv({ ...db.env, AWS_ENDPOINT_URL_DYNAMODB: proxy.url, AWS_MAX_ATTEMPTS: '2' });
    client = db.client;
  });
  afterAll(async () => {
    restoreEnv?.();
    await proxy?.close();
    await standIn?.stop();
    await db?.stop();
  });
  beforeEach(() => {
    faults = {};
    calls = {};
  });

  const amzJson = (res: ServerResponse, status: number, doc: unknown) =>
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(typeof doc === 'string' ? doc : JSON.stringify(doc));
  const throttle = (res: ServerResponse) =>
    amzJson(res, 400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      message: 'Rate of requests exceeds the allowed throughput.',
    });
  const denied = (op: string) => (res: ServerResponse) =>
    amzJson(res, 400, {
      __type: 'com.amazon.coral.service#AccessDeniedException',
      message: `User: arn:aws:sts::123456789012:assumed-role/readiness/x is not authorized to perform: dynamodb:${op}`,
    });

  /** A fresh sbt-aws TenantDetails table with five tenants, the canary among them. */
  async function seed(): Promise<string> {
    const table = `TenantDetailsFault${++tables}`;
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (const id of ['acme', 'globex', 'initech', 'hooli', 'test-canary']) {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: marshall({
            tenantId: id,
            tenantName: id.toUpperCase(),
            tier: 'BASIC',
            sbtaws_active: true,
            tenantConfig: JSON.stringify({ model: 'gpt-4o', retrieval: { topK: 8 } }),
          }),
        }),
      );
    }
    return table;
  }
  /** The whole table, every item and attribute, straight from dynalite (not through the faults). */
  const scanAll = async (table: string) =>
    JSON.stringify(((await client.send(new ScanCommand({ TableName: table }))).Items ?? []).sort((a, b) => (a.tenantId.S! < b.tenantId.S! ? -1 : 1)));

  async function run(table: string, timeoutSeconds = 20) {
    const before = await scanAll(table);
    const t0 = Date.now();
    const result = await runConfigGate(
      { appdb: { type: 'dynamodb', table } },
      { timeoutSeconds, history: { file: tempHistoryFile() }, canary: { tenant: 'test-canary' } },
    );
    const ms = Date.now() - t0;
    expect(await scanAll(table)).toBe(before);
    return { result, ms };
  }

  it('Scan throttled, then recovered → the SDK retries and the gate measures; canary round trip done and restored', async () => {
    const table = await seed();
    faults.Scan = (n, res) => n === 1 && (throttle(res), true);
    const { result } = await run(table);
    expect(calls.Scan).toBe(2);
    expect(criterion(result, 'configs')).toMatchObject({ status: 'PASS', summary: '5 tenant configs parse' });
    expect(criterion(result, 'round-trip')).toMatchObject({ status: 'PASS' });
  });

  it('Scan throttled past the retry budget → ERROR naming throttling, after exactly maxAttempts requests; canary untouched', async () => {
    const table = await seed();
    faults.Scan = (_n, res) => (throttle(res), true);
    const { result, ms } = await run(table);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toBe('config store: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput. (HTTP 400)');
    expect(calls.Scan).toBe(2);
    expect(calls.UpdateItem).toBeUndefined();
    expect(ms).toBeLessThan(8000);
  });

  it.each<[string, string, (res: ServerResponse) => void, RegExp, number]>([
    [
      'Scan access denied',
      'Scan',
      denied('Scan'),
      /^config store: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/readiness\/x is not authorized to perform: dynamodb:Scan \(HTTP 400\)$/,
      1,
    ],
    [
      'DescribeTable access denied',
      'DescribeTable',
      denied('DescribeTable'),
      /^config store: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/readiness\/x is not authorized to perform: dynamodb:DescribeTable \(HTTP 400\)$/,
      1,
    ],
    [
      'Scan answered with malformed JSON',
      'Scan',
      (res) => amzJson(res, 200, '{"Items": [ {"tenantId": '),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: Unexpected end of JSON input$/,
      1,
    ],
    [
      'DescribeTable answered with malformed JSON',
      'DescribeTable',
      (res) => amzJson(res, 200, '{"Table": {"TableName": '),
      /^config store: malformed DescribeTable response from DynamoDB table TenantDetailsFault\d+: Unexpected end of JSON input$/,
      1,
    ],
    // Retried as transient (both attempts). Under plain Node the cause reads "connection reset (ECONNRESET)";
    // inside jest's VM realm the SDK's instanceof-Error check fails and it wraps the same error.
    [
      'Scan cut off mid-body',
      'Scan',
      (res) => (res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '500' }), res.write('{"Items": ['), res.destroy()),
      /^config store: (connection reset \(ECONNRESET\)|Error: AWS SDK error wrapper for TimeoutError: socket hang up)$/,
      2,
    ],
    [
      'Scan with Items not a list',
      'Scan',
      (res) => amzJson(res, 200, { Items: 'not-a-list', Count: 1 }),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: Items is not a list$/,
      1,
    ],
    [
      'Scan with an item that is not a map',
      'Scan',
      (res) => amzJson(res, 200, { Items: ['acme'], Count: 1 }),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: item 1 is not a map of attributes$/,
      1,
    ],
    [
      'Scan with a null item',
      'Scan',
      (res) => amzJson(res, 200, { Items: [{ tenantId: { S: 'acme' } }, null], Count: 2 }),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: item 2 is not a map of attributes$/,
      1,
    ],
    [
      'Scan with a bare string for an attribute value',
      'Scan',
      (res) => amzJson(res, 200, { Items: [{ tenantId: 'acme' }], Count: 1 }),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: item 1, attribute tenantId is a string, not an attribute value$/,
      1,
    ],
    [
      'Scan with an S attribute holding a number',
      'Scan',
      (res) => amzJson(res, 200, { Items: [{ tenantId: { S: 5 } }], Count: 1 }),
      /^config store: malformed Scan response from DynamoDB table TenantDetailsFault\d+: item 1, attribute tenantId is a S attribute holding a number$/,
      1,
    ],
  ])('%s → ERROR with the cause, canary untouched', async (_name, op, answer, cause, attempts) => {
    const table = await seed();
    faults[op] = (_n, res) => (answer(res), true);
    const { result, ms } = await run(table);
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(cause);
    expect(calls[op]).toBe(attempts);
    expect(calls.UpdateItem).toBeUndefined();
    expect(ms).toBeLessThan(8000);
  });

  it('a Scan that never answers, past the gate deadline → ERROR naming the deadline; canary untouched', async () => {
    const table = await seed();
    faults.Scan = () => true;
    const { result, ms } = await run(table, 0.5);
    expect(result).toMatchObject({
      status: 'ERROR',
      summary: "timed out after 0.5 s (raise gates.config.timeoutSeconds if the system is just slow); still waiting on config store (source 'appdb', dynamodb)",
    });
    expect(calls.UpdateItem).toBeUndefined();
    expect(ms).toBeLessThan(2000);
  });

  it('a page whose LastEvaluatedKey is empty is the last page (contract D2), not a loop until the deadline', async () => {
    const table = await seed();
    const items = [
      { tenantId: { S: 'acme' }, tenantConfig: { S: '{"model":"gpt-4o"}' } },
      { tenantId: { S: 'test-canary' }, tenantConfig: { S: '{"model":"gpt-4o"}' } },
    ];
    faults.Scan = (_n, res) => (amzJson(res, 200, { Items: items, Count: 2, ScannedCount: 2, LastEvaluatedKey: {} }), true);
    const { result } = await run(table, 5);
    expect(criterion(result, 'configs')).toMatchObject({ status: 'PASS', summary: '2 tenant configs parse' });
    expect(calls.Scan).toBe(1);
  });

  it('a config attribute of the wrong type (a number) → configs FAIL naming the tenant and the type', async () => {
    const table = await seed();
    faults.Scan = (_n, res) => (
      amzJson(res, 200, {
        Items: [
          { tenantId: { S: 'acme' }, tenantConfig: { N: '42' } },
          { tenantId: { S: 'test-canary' }, tenantConfig: { S: '{"model":"gpt-4o"}' } },
        ],
        Count: 2,
        ScannedCount: 2,
      }),
      true
    );
    const { result } = await run(table);
    const configs = criterion(result, 'configs')!;
    expect(configs).toMatchObject({ status: 'FAIL', summary: '1 of 2 tenant configs do not parse: acme' });
    expect(configs.evidence).toContain('acme: tenantConfig is a N attribute; expected a JSON string or a map');
  });

  it('GetItem (read-back) throttled past the retry budget after the write → round trip ERROR naming throttling; canary restored exactly', async () => {
    const table = await seed();
    // Call 1 reads the original; the write follows; calls 2–3 are the read-back and its retry.
    faults.GetItem = (n, res) => n >= 2 && n <= 3 && (throttle(res), true);
    const { result, ms } = await run(table);
    const trip = criterion(result, 'round-trip')!;
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toBe(
      'canary round trip: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput. (HTTP 400); canary restored exactly',
    );
    expect(calls.UpdateItem).toBe(2);
    expect(ms).toBeLessThan(8000);
  });

  it('GetItem (read-back) answered with malformed JSON after the write → round trip ERROR naming it; canary restored exactly', async () => {
    const table = await seed();
    faults.GetItem = (n, res) => n === 2 && (amzJson(res, 200, '{"Item": {"tenantConfig": '), true);
    const { result } = await run(table);
    const trip = criterion(result, 'round-trip')!;
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toMatch(
      /^canary round trip: malformed GetItem response from DynamoDB table TenantDetailsFault\d+: Unexpected end of JSON input; canary restored exactly$/,
    );
  });

  it('UpdateItem access denied → round trip ERROR naming the permission; nothing written', async () => {
    const table = await seed();
    faults.UpdateItem = (_n, res) => (denied('UpdateItem')(res), true);
    const { result } = await run(table);
    const trip = criterion(result, 'round-trip')!;
    expect(trip.status).toBe('ERROR');
    expect(trip.summary).toBe(
      'canary round trip: AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/readiness/x is not authorized to perform: dynamodb:UpdateItem (HTTP 400)',
    );
  });

  hugeIt('a huge Scan page (10 MB) is read and judged, not a crash', async () => {
    const table = await seed();
    // A system prompt and a long unbroken token per tenant (redaction once went quadratic on those).
    const prompt = 'You are the assistant of this tenant. Answer from the retrieved documents only. '.repeat(4);
    const extra = Array.from({ length: 18000 }, (_, i) =>
      marshall({
        tenantId: `bulk-${i}`,
        tier: 'BASIC',
        tenantConfig: JSON.stringify({ model: 'gpt-4o', systemPrompt: prompt, logo: `data${'A'.repeat(240)}${i}` }),
      }),
    );
    faults.Scan = (_n, res) => {
      void (async () => {
        const real = await client.send(new ScanCommand({ TableName: table }));
        const body = JSON.stringify({
          Items: [...(real.Items ?? []), ...extra],
          Count: (real.Count ?? 0) + extra.length,
          ScannedCount: (real.Count ?? 0) + extra.length,
        });
        expect(body.length).toBeGreaterThan(10_000_000);
        amzJson(res, 200, body);
      })();
      return true;
    };
    const { result, ms } = await run(table, 30);
    expect(criterion(result, 'configs')).toMatchObject({ status: 'PASS', summary: '18005 tenant configs parse' });
    expect(criterion(result, 'round-trip')).toMatchObject({ status: 'PASS' });
    expect(ms).toBeLessThan(15000);
  });
});
