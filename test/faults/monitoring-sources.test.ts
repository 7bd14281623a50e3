import { renderJson } from '../../lambda/core/report/json';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpFaultServer, type LocalServer } from '../support/faults';
import { setEnv } from '../standins/dynalite';
import { runGate } from '../support/gate';
import type { CheckResult } from '../../lambda/core/result';
import type { RunReport } from '../../lambda/core/runner';
import { healthyDatadog, startDatadog } from '../standins/datadog';
import { healthyNewRelic, startNewRelic } from '../standins/newrelic';
import { healthyCloudWatch, startCloudWatch } from '../standins/cloudwatch';
import type { LocalServer as FakeServer } from '../standins/local-server';
import { hugeIt } from '../support/tiers';

/**
 * Gate 4's sources under faults. Each provider is reached through a fault server on 127.0.0.1 that
 * either answers the fault or passes the request on to the healthy stand-in (Datadog API v1 and
 * NerdGraph in test/monitoring, CloudWatch AWS JSON 1.0 via the real SDK client in test/standins). A rejected key is
 * FAIL "key rejected" (gate 4 measures whether the integration is live); everything else that
 * prevents measuring is ERROR with a specific cause; never PASS, in bounded time, and no key
 * appears anywhere in the report.
 */

interface Exchange {
  n: number;
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  /** Path and query of the request. */
  path: string;
  /** What the healthy stand-in answers to this request. */
  upstream(): Promise<{ status: number; type: string; text: string }>;
  /** Answer as the healthy stand-in does. */
  pass(): Promise<void>;
}
type FaultHandler = (x: Exchange) => unknown;

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

async function faultServerBefore(target: string, handler: FaultHandler): Promise<LocalServer> {
  return httpFaultServer((n, req, res, body) => {
    const upstream = async () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const r = await fetch(target + req.url, { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
      return { status: r.status, type: r.headers.get('content-type') ?? 'application/json', text: await r.text() };
    };
    const pass = async () => {
      const u = await upstream();
      res.writeHead(u.status, { 'content-type': u.type }).end(u.text);
    };
    Promise.resolve(handler({ n, req, res, body, path: req.url ?? '/', upstream, pass })).catch(() => res.destroy());
  });
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
/** Headers arrive, then the connection drops mid-body. */
const truncate = (res: ServerResponse, type = 'application/json') => {
  res.writeHead(200, { 'content-type': type, 'content-length': '5000' });
  res.write('{"series": [{"scope": "tenant:');
  setTimeout(() => res.destroy(), 20);
};
/** Declares an answer over the 64 MiB limit, sends its first bytes and holds the rest. */
const oversized = (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 2 ** 20) });
  res.write('{"series": [');
};
/** Streams 1 MiB chunks without a length, past the 64 MiB limit, until the reader goes away (at most 80). */
const endless = (res: ServerResponse) => {
  const chunk = Buffer.alloc(2 ** 20, ' ');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"valid": true, "padding": "');
  let sent = 0;
  const more = () => {
    while (sent < 80 && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end('"}');
  };
  more();
};
/** A closed port on 127.0.0.1. */
async function closedPort(): Promise<number> {
  const s = await httpFaultServer(() => undefined);
  await s.close();
  return s.port;
}

interface Outcome {
  result: CheckResult;
  report: RunReport;
  ms: number;
  json: string;
  criterion(id: string): CheckResult['criteria'][number];
}

function outcome(out: { result: CheckResult; report: RunReport }, t0: number): Outcome {
  return {
    ...out,
    ms: Date.now() - t0,
    json: JSON.stringify(out.report),
    criterion: (id) => {
      const c = out.result.criteria.find((x) => x.id === id);
      if (!c) throw new Error(`no criterion ${id} in ${out.result.criteria.map((x) => x.id).join(', ')}: ${out.result.summary}`);
      return c;
    },
  };
}

/** The default latency query of the healthy stand-in (`avg:trace.express.request{env:prod}`). */
const isLatencyQuery = (x: Exchange) =>
  x.path.startsWith('/api/v1/query') && new URL(x.path, 'http://h').searchParams.get('query')?.startsWith('avg:') === true;

/** The deadline, and the source still pending when it passed. */
const deadlineSummary = (source: string, type: string) =>
  `timed out after 1 s (raise gates.monitoring.timeoutSeconds if the system is just slow); still waiting on monitoring provider (source '${source}', ${type})`;
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Huge answers are built once per run: spans aggregate buckets with long tenant IDs. */
function hugeDatadogBreakdown(tenants: number): string {
  const data = Array.from({ length: tenants }, (_, i) => ({
    type: 'bucket',
    id: `b-${i}`,
    attributes: { by: { '@tenant_id': `t-${i}-${'x'.repeat(450)}` }, compute: { c0: 40 } },
  }));
  return JSON.stringify({ data, meta: { status: 'done', elapsed: 900, request_id: 'r' } });
}

// ───────────────────────────────────────── Datadog ─────────────────────────────────────────

describe('gate 4 Datadog source under faults', () => {
  const keys = healthyDatadog();
  let fake: FakeServer;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    fake = await startDatadog(healthyDatadog());
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function run(handler: FaultHandler, opts: { timeoutSeconds?: number; url?: string } = {}): Promise<Outcome> {
    server = await faultServerBefore(fake.url, handler);
    const t0 = Date.now();
    const out = await runGate(
      {
        sources: { dd: { type: 'datadog', apiKey: keys.apiKey, appKey: keys.appKey, apiUrl: opts.url ?? server.url } },
        gates: { monitoring: { timeoutSeconds: opts.timeoutSeconds ?? 10, minTenants: 10, datadog: { source: 'dd', env: 'prod' } } },
      },
      'monitoring',
    );
    const o = outcome(out, t0);
    expect(o.result.status).not.toBe('PASS');
    expect(o.json).not.toContain(keys.apiKey);
    expect(o.json).not.toContain(keys.appKey);
    return o;
  }
  const where = (path: string) => `\\((GET|POST) 127\\.0\\.0\\.1:\\d+${esc(path)}\\)`;

  it('unreachable → ERROR naming host and port, not evaluated further', async () => {
    const port = await closedPort();
    const o = await run(() => undefined, { url: `http://127.0.0.1:${port}` });
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion('datadog.credentials').summary).toBe(
      `Datadog unreachable: connection refused to 127.0.0.1:${port} (ECONNREFUSED) (GET 127.0.0.1:${port}/api/v1/validate)`,
    );
    expect(o.criterion('datadog.signals').summary).toBe('not evaluated: no signal was read, as the credentials check did not pass');
    expect(o.result.summary).toMatch(/^Datadog \(127\.0\.0\.1:\d+\): Datadog unreachable: connection refused/);
    expect(o.ms).toBeLessThan(3000);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    const o = await run(() => undefined, { timeoutSeconds: 1 });
    expect(o.result).toMatchObject({ status: 'ERROR', summary: deadlineSummary('dd', 'datadog') });
    expect(o.ms).toBeLessThan(2500);
  });

  it.each<[string, FaultHandler, RegExp]>([
    [
      'API key: 403 (the body even echoes the key)',
      (x) => (x.path.startsWith('/api/v1/validate') ? json(x.res, 403, { errors: [`Forbidden: API key ${keys.apiKey} is not valid`] }) : x.pass()),
      new RegExp(`^Datadog API key rejected: Datadog answered HTTP 403 "Forbidden: API key \\*\\*\\* is not valid" ${where('/api/v1/validate')}$`),
    ],
    [
      'API key: 401',
      (x) => (x.path.startsWith('/api/v1/validate') ? json(x.res, 401, { errors: ['Unauthorized'] }) : x.pass()),
      new RegExp(`^Datadog API key rejected: Datadog answered HTTP 401 "Unauthorized" ${where('/api/v1/validate')}$`),
    ],
    [
      'API key: valid false',
      (x) => (x.path.startsWith('/api/v1/validate') ? json(x.res, 200, { valid: false }) : x.pass()),
      /^Datadog API key rejected: GET \/api\/v1\/validate did not answer valid: true$/,
    ],
    [
      'application key: 403 on the monitor check',
      (x) => (x.path.startsWith('/api/v1/monitor') ? json(x.res, 403, { errors: ['Forbidden'] }) : x.pass()),
      new RegExp(`^Datadog API or application key rejected: Datadog answered HTTP 403 "Forbidden" ${where('/api/v1/monitor')}`),
    ],
  ])('auth rejected (%s) → FAIL "key rejected", the rest not evaluated', async (_name, handler, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('FAIL');
    expect(o.criterion('datadog.credentials').summary).toMatch(cause);
    expect(o.criterion('datadog.alerting')).toMatchObject({ status: 'ERROR', summary: 'not evaluated: no alert rule was read either' });
    expect(o.ms).toBeLessThan(3000);
  });

  it('throttled then recovered → waits the announced reset and reaches PASS', async () => {
    let limited = 0;
    server = await faultServerBefore(fake.url, (x) => {
      if (x.path === '/api/v2/spans/analytics/aggregate' && limited < 2) {
        limited++;
        return json(x.res, 429, { errors: ['Rate limit exceeded'] }, { 'x-ratelimit-reset': '0', 'x-ratelimit-name': 'query' });
      }
      return x.pass();
    });
    const t0 = Date.now();
    const out = await runGate(
      {
        sources: { dd: { type: 'datadog', apiKey: keys.apiKey, appKey: keys.appKey, apiUrl: server.url } },
        gates: { monitoring: { timeoutSeconds: 10, minTenants: 10, datadog: { source: 'dd', env: 'prod' } } },
      },
      'monitoring',
    );
    expect(out.result.status).toBe('PASS');
    expect(limited).toBe(2);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('throttled past the retry budget → ERROR naming the limit, after 1 + 3 requests', async () => {
    const o = await run((x) => json(x.res, 429, { errors: ['Rate limit exceeded'] }, { 'x-ratelimit-reset': '0', 'x-ratelimit-name': 'query' }));
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion('datadog.credentials').summary).toMatch(
      new RegExp(`^Datadog rate limit hit \\(query\\): still limited after 3 retries ${where('/api/v1/validate')}$`),
    );
    expect(server!.hits()).toBe(4);
    expect(o.ms).toBeLessThan(3000);
  });

  it('throttled with a reset beyond the deadline → ERROR at once, no waiting', async () => {
    const o = await run((x) => json(x.res, 429, { errors: ['Rate limit exceeded'] }, { 'x-ratelimit-reset': '3600' }));
    expect(o.criterion('datadog.credentials').summary).toMatch(
      new RegExp(`^Datadog rate limit hit: the limit resets in 3600 s, beyond the [89] s this check may wait ${where('/api/v1/validate')}$`),
    );
    expect(server!.hits()).toBe(1);
    expect(o.ms).toBeLessThan(2000);
  });

  it.each<[string, FaultHandler, string, RegExp]>([
    [
      'a 502 with an HTML body',
      (x) => x.res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>'),
      'datadog.credentials',
      new RegExp(`^Datadog answered HTTP 502 ${where('/api/v1/validate')}$`),
    ],
    [
      'malformed JSON',
      (x) => json(x.res, 200, '{"valid": tru'),
      'datadog.credentials',
      new RegExp(`^Datadog answered HTTP 200 with a body that is not JSON ${where('/api/v1/validate')}$`),
    ],
    [
      'a truncated body',
      (x) => truncate(x.res),
      'datadog.credentials',
      new RegExp(`^Datadog answer broken off after HTTP 200: other side closed ${where('/api/v1/validate')}$`),
    ],
    [
      'an answer declaring 100 MiB',
      (x) => oversized(x.res),
      'datadog.credentials',
      new RegExp(`^Datadog answer larger than 64 MiB after HTTP 200; stopped reading ${where('/api/v1/validate')}$`),
    ],
    [
      'an answer streaming past 64 MiB',
      (x) => endless(x.res),
      'datadog.credentials',
      new RegExp(`^Datadog answer larger than 64 MiB after HTTP 200; stopped reading ${where('/api/v1/validate')}$`),
    ],
    [
      'wrong type: valid is a string',
      (x) => (x.path.startsWith('/api/v1/validate') ? json(x.res, 200, { valid: 'yes' }) : x.pass()),
      'datadog.credentials',
      /^malformed response from Datadog GET \/api\/v1\/validate: valid is a string, not true or false$/,
    ],
    [
      'wrong type: series is a string',
      (x) => (isLatencyQuery(x) ? json(x.res, 200, { status: 'ok', series: 'lots' }) : x.pass()),
      'datadog.signals',
      /^malformed response from Datadog GET \/api\/v1\/query \(query "avg:trace\.express\.request\{env:prod\}"\): series is a string, not a list$/,
    ],
    [
      'wrong type: datapoints are strings',
      (x) => (isLatencyQuery(x) ? json(x.res, 200, { status: 'ok', series: [{ scope: '*', pointlist: [[Date.now(), '12']] }] }) : x.pass()),
      'datadog.signals',
      /: series\[0\]\.pointlist\[0\] is \[\d+,"12"\], not \[time, number or null\]$/,
    ],
    [
      'wrong type: a monitor message is a number',
      async (x) => {
        if (!x.path.includes('with_downtimes=true')) return x.pass();
        const monitors = JSON.parse((await x.upstream()).text);
        monitors[1].message = 42;
        json(x.res, 200, monitors);
      },
      'datadog.alerting',
      /^malformed response from Datadog GET \/api\/v1\/monitor: monitors\[1\]\.message is a number, not a string$/,
    ],
    [
      'spans aggregate timed out (partial counts)',
      async (x) =>
        x.path === '/api/v2/spans/analytics/aggregate' ? json(x.res, 200, { ...JSON.parse((await x.upstream()).text), meta: { status: 'timeout' } }) : x.pass(),
      'datadog.signals',
      /^Datadog POST \/api\/v2\/spans\/analytics\/aggregate answered status "timeout": the span counts are partial$/,
    ],
    [
      'wrong type: spans aggregate data is an object',
      (x) => (x.path === '/api/v2/spans/analytics/aggregate' ? json(x.res, 200, { data: {} }) : x.pass()),
      'datadog.signals',
      /^malformed response from Datadog POST \/api\/v2\/spans\/analytics\/aggregate: data is an object, not a list of buckets$/,
    ],
    [
      'wrong type: active metrics is a string',
      (x) => (x.path.startsWith('/api/v1/metrics') ? json(x.res, 200, { metrics: 'all' }) : x.pass()),
      'datadog.signals',
      /^malformed response from Datadog GET \/api\/v1\/metrics: metrics is a string, not a list of names$/,
    ],
    [
      'wrong type: notification rules data is a string',
      (x) => (x.path.startsWith('/api/v2/monitor/notification_rule') ? json(x.res, 200, { data: 'none' }) : x.pass()),
      'datadog.alerting',
      /^malformed response from Datadog GET \/api\/v2\/monitor\/notification_rule: data is a string, not a list of rules$/,
    ],
    [
      'wrong type: monitors is an object',
      (x) => (x.path.includes('with_downtimes=true') ? json(x.res, 200, { monitors: [] }) : x.pass()),
      'datadog.alerting',
      /^Datadog GET \/api\/v1\/monitor did not answer a list of monitors$/,
    ],
    [
      'a query error inside HTTP 200',
      (x) => (isLatencyQuery(x) ? json(x.res, 200, { status: 'error', error: 'Rule: unknown metric' }) : x.pass()),
      'datadog.signals',
      /^Datadog rejected the query "avg:trace\.express\.request\{env:prod\}": Rule: unknown metric$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, handler, criterion, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion(criterion)).toMatchObject({ status: 'ERROR' });
    expect(o.criterion(criterion).summary).toMatch(cause);
    expect(o.result.summary).toContain(o.criterion(criterion).summary);
    expect(o.ms).toBeLessThan(3000);
  });

  hugeIt('a huge answer (~11 MB tenant breakdown, 20,000 tenants) is counted, not a crash', async () => {
    const huge = hugeDatadogBreakdown(20_000);
    expect(huge.length).toBeGreaterThan(10_000_000);
    server = await faultServerBefore(fake.url, (x) => (x.path === '/api/v2/spans/analytics/aggregate' ? json(x.res, 200, huge) : x.pass()));
    const t0 = Date.now();
    const out = await runGate(
      {
        sources: { dd: { type: 'datadog', apiKey: keys.apiKey, appKey: keys.appKey, apiUrl: server.url } },
        gates: { monitoring: { timeoutSeconds: 15, minTenants: 10, datadog: { source: 'dd', env: 'prod' } } },
      },
      'monitoring',
    );
    expect(out.result.status).toBe('PASS');
    expect(out.result.measurements).toContainEqual(expect.objectContaining({ name: 'datadog.tenantsMonitored', value: 20_000 }));
    // The report stays small; the full tenant list is the artifact written with --out (report.json names it only).
    expect(renderJson(out.report).length).toBeLessThan(100_000);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

// ──────────────────────────────────────── New Relic ────────────────────────────────────────

describe('gate 4 New Relic (NerdGraph) source under faults', () => {
  const healthy = healthyNewRelic();
  let fake: FakeServer;
  let server: LocalServer | undefined;
  beforeAll(async () => {
    fake = await startNewRelic(healthyNewRelic());
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const config = (url: string, timeoutSeconds: number) => ({
    sources: { nr: { type: 'newrelic', apiKey: healthy.apiKey, accountId: healthy.accountId, apiUrl: url } },
    gates: { monitoring: { timeoutSeconds, minTenants: 10, newrelic: { source: 'nr' } } },
  });
  async function run(handler: FaultHandler, opts: { timeoutSeconds?: number; url?: string } = {}): Promise<Outcome> {
    server = await faultServerBefore(fake.url, handler);
    const t0 = Date.now();
    const o = outcome(await runGate(config(opts.url ?? server.url, opts.timeoutSeconds ?? 10), 'monitoring'), t0);
    expect(o.result.status).not.toBe('PASS');
    expect(o.json).not.toContain(healthy.apiKey);
    return o;
  }
  /** Which NerdGraph request this is, from its query text. */
  const op = (x: Exchange) => {
    const q = String(JSON.parse(x.body || '{}').query ?? '');
    return q.includes('user { email }')
      ? 'user'
      : q.includes('$latency')
        ? 'signals'
        : q.includes('$tenants')
          ? 'tenants'
          : q.includes('nrqlConditionsSearch')
            ? 'alerts'
            : 'other';
  };
  /** Answers one operation with the stand-in's data changed by `mutate`. */
  const mutating =
    (which: string, mutate: (doc: any) => unknown): FaultHandler =>
    async (x) => {
      if (op(x) !== which) return x.pass();
      const doc = JSON.parse((await x.upstream()).text);
      json(x.res, 200, mutate(doc) ?? doc);
    };
  const where = `\\(POST 127\\.0\\.0\\.1:\\d+/graphql\\)`;

  it('unreachable → ERROR naming host and port', async () => {
    const port = await closedPort();
    const o = await run(() => undefined, { url: `http://127.0.0.1:${port}` });
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion('newrelic.credentials').summary).toBe(
      `New Relic unreachable: connection refused to 127.0.0.1:${port} (ECONNREFUSED) (POST 127.0.0.1:${port}/graphql)`,
    );
    expect(o.ms).toBeLessThan(3000);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    const o = await run(() => undefined, { timeoutSeconds: 1 });
    expect(o.result).toMatchObject({ status: 'ERROR', summary: deadlineSummary('nr', 'newrelic') });
    expect(o.ms).toBeLessThan(2500);
  });

  it.each<[string, FaultHandler, RegExp]>([
    [
      'HTTP 401',
      (x) => json(x.res, 401, { errors: [{ message: 'Invalid API key' }] }),
      new RegExp(`^New Relic API key rejected: New Relic answered HTTP 401 "Invalid API key" ${where}$`),
    ],
    [
      "NerdGraph's auth error inside HTTP 200 (echoing the key)",
      (x) => json(x.res, 200, { errors: [{ message: `Invalid API key: ${healthy.apiKey}`, extensions: { error_code: 'BAD_API_KEY' } }] }),
      /^New Relic API key rejected: NerdGraph: Invalid API key: \*\*\*$/,
    ],
    [
      'no access to the account (FORBIDDEN)',
      (x) =>
        json(x.res, 200, {
          data: { actor: { user: { email: 'sre@example.com' }, account: null } },
          errors: [{ message: 'Access denied.', path: ['actor', 'account'], extensions: { errorClass: 'FORBIDDEN' } }],
        }),
      /^New Relic API key rejected: NerdGraph: Access denied\.$/,
    ],
  ])('auth rejected (%s) → FAIL "key rejected"', async (_name, handler, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('FAIL');
    expect(o.criterion('newrelic.credentials').summary).toMatch(cause);
    expect(o.criterion('newrelic.signals')).toMatchObject({
      status: 'ERROR',
      summary: 'not evaluated: no signal was read, as the credentials check did not pass',
    });
  });

  it('throttled then recovered (429, Retry-After: 0) → PASS', async () => {
    let limited = 0;
    server = await faultServerBefore(fake.url, (x) =>
      x.n === 1 ? (limited++, json(x.res, 429, { errors: [{ message: 'Too many requests' }] }, { 'retry-after': '0' })) : x.pass(),
    );
    const out = await runGate(config(server.url, 10), 'monitoring');
    expect(out.result.status).toBe('PASS');
    expect(limited).toBe(1);
  });

  it('throttled past the retry budget → ERROR naming the limit, after 1 + 3 requests', async () => {
    const o = await run((x) => json(x.res, 429, { errors: [{ message: 'Too many requests' }] }, { 'retry-after': '0' }));
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion('newrelic.credentials').summary).toMatch(new RegExp(`^New Relic rate limit hit: still limited after 3 retries ${where}$`));
    expect(server!.hits()).toBe(4);
    expect(o.ms).toBeLessThan(3000);
  });

  it('throttled past the retry budget the NerdGraph way (HTTP 200 TOO_MANY_REQUESTS) → ERROR naming the limit, after 1 + 3 requests', async () => {
    const o = await run((x) => json(x.res, 200, { errors: [{ message: 'Too many requests', extensions: { errorClass: 'TOO_MANY_REQUESTS' } }] }));
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion('newrelic.credentials').summary).toMatch(
      new RegExp(`^New Relic rate limit hit \\(TOO_MANY_REQUESTS\\): still limited after 3 retries ${where}$`),
    );
    expect(server!.hits()).toBe(4);
    expect(o.ms).toBeLessThan(6000);
  });

  it.each<[string, FaultHandler, string, RegExp]>([
    [
      'a 503',
      (x) => json(x.res, 503, { errors: [{ message: 'Service Unavailable' }] }),
      'newrelic.credentials',
      new RegExp(`^New Relic answered HTTP 503 "Service Unavailable" ${where}$`),
    ],
    [
      'malformed JSON',
      (x) => json(x.res, 200, '{"data": {"actor": '),
      'newrelic.credentials',
      new RegExp(`^New Relic answered HTTP 200 with a body that is not JSON ${where}$`),
    ],
    [
      'a truncated body',
      (x) => truncate(x.res),
      'newrelic.credentials',
      new RegExp(`^New Relic answer broken off after HTTP 200: other side closed ${where}$`),
    ],
    [
      'an answer declaring 100 MiB',
      (x) => oversized(x.res),
      'newrelic.credentials',
      new RegExp(`^New Relic answer larger than 64 MiB after HTTP 200; stopped reading ${where}$`),
    ],
    [
      'a GraphQL error that is not about the key',
      mutating('signals', () => ({ data: null, errors: [{ message: 'NRQL Syntax Error: Error at line 1', path: ['actor', 'account', 'latency'] }] })),
      'newrelic.signals',
      /^NerdGraph error at actor\.account\.latency: NRQL Syntax Error: Error at line 1$/,
    ],
    [
      'a GraphQL validation error (the schema lacks a field)',
      (x) => json(x.res, 200, { errors: [{ message: 'Cannot query field "accounts" on type "Actor".', locations: [{ line: 1, column: 28 }] }] }),
      'newrelic.credentials',
      /^NerdGraph error: Cannot query field "accounts" on type "Actor"\.$/,
    ],
    [
      'wrong type: data null without errors',
      (x) => json(x.res, 200, { data: null }),
      'newrelic.credentials',
      /^malformed NerdGraph response: data is null, not an object, and there are no errors$/,
    ],
    [
      'wrong type: the answer is a JSON string',
      (x) => json(x.res, 200, '"ok"'),
      'newrelic.credentials',
      /^malformed NerdGraph response: the answer is a string, not an object$/,
    ],
    [
      'wrong type: actor is a list',
      mutating('user', () => ({ data: { actor: [] } })),
      'newrelic.credentials',
      /^malformed NerdGraph response to the user check query: actor is a list, not an object$/,
    ],
    [
      'wrong type: NRQL results is a string',
      mutating('signals', (d) => void (d.data.actor.account.latency.results = 'many')),
      'newrelic.signals',
      /^malformed NerdGraph response to the signals NRQL query: latency\.results is a string, not a list$/,
    ],
    [
      'wrong type: a count is a string',
      mutating('signals', (d) => void (d.data.actor.account.errors.results = [{ 'count.error': '5400' }])),
      'newrelic.signals',
      /^malformed NerdGraph response to the signals NRQL query: errors\.results\[0\] has no numeric value \(\{"count\.error":"5400"\}\)$/,
    ],
    [
      'wrong type: facet results is an object',
      mutating('tenants', (d) => void (d.data.actor.account.tenants.results = { facet: 'tenant-01' })),
      'newrelic.signals',
      /^malformed NerdGraph response to the tenant breakdown NRQL query: tenants\.results is an object, not a list$/,
    ],
    [
      'wrong type: conditions is a string',
      mutating('alerts', (d) => void (d.data.actor.account.alerts.nrqlConditionsSearch.nrqlConditions = 'none')),
      'newrelic.alerting',
      /^malformed NerdGraph response to the alert conditions query: alerts\.nrqlConditionsSearch\.nrqlConditions is a string, not a list$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, handler, criterion, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion(criterion).status).toBe('ERROR');
    expect(o.criterion(criterion).summary).toMatch(cause);
    expect(o.result.summary).toContain(o.criterion(criterion).summary);
    expect(o.ms).toBeLessThan(3000);
  });

  hugeIt('a huge answer (~15 MB facet results, 30,000 tenants) is counted, not a crash', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ facet: `t-${i}`, tenant_id: `t-${i}`, count: 450, note: 'n'.repeat(450) }));
    const huge = JSON.stringify({ data: { actor: { account: { tenants: { results: rows }, apps: { results: [{ 'uniques.appName': ['acme-api'] }] } } } } });
    expect(huge.length).toBeGreaterThan(14_000_000);
    server = await faultServerBefore(fake.url, (x) => (op(x) === 'tenants' ? json(x.res, 200, huge) : x.pass()));
    const t0 = Date.now();
    const out = await runGate(config(server.url, 15), 'monitoring');
    expect(out.result.status).toBe('PASS');
    expect(out.result.measurements).toContainEqual(expect.objectContaining({ name: 'newrelic.tenantsMonitored', value: 30_000 }));
    // The report stays small; the full tenant list is the artifact written with --out (report.json names it only).
    expect(renderJson(out.report).length).toBeLessThan(100_000);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});

// ──────────────────────────────────────── CloudWatch ───────────────────────────────────────

describe('gate 4 CloudWatch source under faults (real SDK client, AWS JSON 1.0)', () => {
  const healthy = healthyCloudWatch();
  const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYFAULTTESTKEY';
  let fake: FakeServer;
  let server: LocalServer | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    fake = await startCloudWatch(healthyCloudWatch());
  });
  afterAll(() => fake.close());
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await server?.close();
    server = undefined;
  });

  const config = (timeoutSeconds: number) => ({
    sources: { aws: { type: 'cloudwatch', region: 'eu-west-1' } },
    gates: { monitoring: { timeoutSeconds, minTenants: 10, cloudwatch: { source: 'aws', tenantMetric: { namespace: 'SaaS/Api', metricName: 'Requests' } } } },
  });
  async function start(handler: FaultHandler, endpoint?: string): Promise<void> {
    server = await faultServerBefore(fake.url, handler);
    restore = setEnv({
      AWS_ENDPOINT_URL_CLOUDWATCH: endpoint ?? server.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: healthy.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    });
  }
  async function run(handler: FaultHandler, opts: { timeoutSeconds?: number; endpoint?: string } = {}): Promise<Outcome> {
    await start(handler, opts.endpoint);
    const t0 = Date.now();
    const o = outcome(await runGate(config(opts.timeoutSeconds ?? 10), 'monitoring'), t0);
    expect(o.result.status).not.toBe('PASS');
    expect(o.json).not.toContain(SECRET_ACCESS_KEY);
    return o;
  }
  const JSON10 = { 'content-type': 'application/x-amz-json-1.0' };
  const awsError = (res: ServerResponse, status: number, type: string, queryError: string, message: string) =>
    res.writeHead(status, { ...JSON10, 'x-amzn-query-error': queryError }).end(JSON.stringify({ __type: type, message }));
  const throttle = (res: ServerResponse) => awsError(res, 400, 'com.amazon.coral.availability#ThrottlingException', 'Throttling;Sender', 'Rate exceeded');
  /** Which operation (and, for GetMetricData, which query) this request is. */
  const op = (x: Exchange) => {
    const name = String(x.req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    return name === 'GetMetricData' && x.body.includes('"Id":"tenants"') ? 'GetMetricData:tenants' : name === 'GetMetricData' ? 'GetMetricData:signals' : name;
  };
  const mutating =
    (which: string, mutate: (doc: any) => unknown): FaultHandler =>
    async (x) => {
      if (op(x) !== which) return x.pass();
      const doc = JSON.parse((await x.upstream()).text);
      x.res.writeHead(200, JSON10).end(JSON.stringify(mutate(doc) ?? doc));
    };

  it('unreachable → ERROR naming host and port', async () => {
    const port = await closedPort();
    const o = await run(() => undefined, { endpoint: `http://127.0.0.1:${port}` });
    expect(o.result.status).toBe('ERROR');
    // Plain Node: "connection refused to 127.0.0.1:PORT (ECONNREFUSED)". Under jest the SDK sees a
    // cross-realm error and keeps only its message ("… connect ECONNREFUSED 127.0.0.1:PORT").
    expect(o.criterion('cloudwatch.credentials').summary).toMatch(
      new RegExp(`(connection refused to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)|connect ECONNREFUSED 127\\.0\\.0\\.1:${port})$`),
    );
    expect(o.result.summary).toMatch(/^CloudWatch \(eu-west-1\): /);
    expect(o.ms).toBeLessThan(4000);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    const o = await run(() => undefined, { timeoutSeconds: 1 });
    expect(o.result).toMatchObject({ status: 'ERROR', summary: deadlineSummary('aws', 'cloudwatch') });
    expect(o.ms).toBeLessThan(2500);
  });

  it.each<[string, FaultHandler, string, RegExp]>([
    [
      'AccessDenied',
      (x) =>
        awsError(
          x.res,
          400,
          'com.amazon.coral.service#AccessDeniedException',
          'AccessDenied;Sender',
          'User is not authorized to perform: cloudwatch:DescribeAlarms',
        ),
      'cloudwatch.credentials',
      /^AccessDenied: User is not authorized to perform: cloudwatch:DescribeAlarms \(HTTP 400\)$/,
    ],
    [
      'an expired token',
      (x) =>
        awsError(x.res, 400, 'com.amazon.coral.service#ExpiredTokenException', 'ExpiredToken;Sender', 'The security token included in the request is expired'),
      'cloudwatch.credentials',
      /^ExpiredToken: The security token included in the request is expired \(HTTP 400\)$/,
    ],
    [
      'one metric Forbidden inside GetMetricData',
      mutating(
        'GetMetricData:signals',
        (d) =>
          void Object.assign(d.MetricDataResults[0], {
            StatusCode: 'Forbidden',
            Messages: [{ Code: 'Forbidden', Value: 'not authorized to read AWS/ApiGateway' }],
          }),
      ),
      'cloudwatch.signals',
      /^GetMetricData could not evaluate latency: Forbidden \(not authorized to read AWS\/ApiGateway\)$/,
    ],
  ])("auth rejected (%s) → ERROR, not FAIL: the runner's AWS role is the means of measuring", async (_name, handler, criterion, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion(criterion).summary).toMatch(cause);
    expect(o.result.summary).toContain(o.criterion(criterion).summary);
  });

  it('throttled then recovered → the SDK retry strategy recovers, PASS', async () => {
    let throttled = 0;
    await start((x) => (x.n === 1 ? (throttled++, throttle(x.res)) : x.pass()));
    const out = await runGate(config(10), 'monitoring');
    expect(out.result.status).toBe('PASS');
    expect(throttled).toBe(1);
  });

  it('throttled past the retry budget → ERROR naming throttling, after exactly maxAttempts (3) requests', async () => {
    const o = await run((x) => throttle(x.res));
    expect(o.criterion('cloudwatch.credentials').summary).toBe('Throttling: Rate exceeded (HTTP 400)');
    expect(server!.hits()).toBe(3);
    expect(o.ms).toBeLessThan(6000);
  });

  it.each<[string, FaultHandler, string, RegExp]>([
    [
      'a 500',
      (x) => awsError(x.res, 500, 'InternalServiceError', 'InternalServiceError;Receiver', 'Internal failure'),
      'cloudwatch.credentials',
      /^InternalServiceFault: Internal failure \(HTTP 500\)$/,
    ],
    [
      'malformed JSON',
      (x) => x.res.writeHead(200, JSON10).end('{"MetricAlarms": [{"AlarmName": '),
      'cloudwatch.credentials',
      /^malformed DescribeAlarms response from CloudWatch: (Unexpected end of JSON input|Unterminated string in JSON at position \d+)$/,
    ],
    [
      'a body cut off midway',
      (x) => truncate(x.res, JSON10['content-type']),
      'cloudwatch.credentials',
      /^CloudWatch DescribeAlarms answer broken off: the connection closed before the body ended$/,
    ],
    // Plain Node: "connection reset (ECONNRESET)"; under jest (cross-realm error) the SDK keeps the message.
    ['a connection dropped before the headers', (x) => x.res.destroy(), 'cloudwatch.credentials', /^(.*connection reset \(ECONNRESET\)|.*socket hang up)$/],
    [
      'wrong type: MetricAlarms is a string',
      (x) => x.res.writeHead(200, JSON10).end('{"MetricAlarms": "none"}'),
      'cloudwatch.credentials',
      /^malformed DescribeAlarms response from CloudWatch: MetricAlarms is a string, not a list$/,
    ],
    [
      'wrong type: AlarmActions is a string',
      mutating('DescribeAlarms', (d) => void (d.MetricAlarms[0].AlarmActions = 'arn:aws:sns:eu-west-1:1:x')),
      'cloudwatch.credentials',
      /^malformed DescribeAlarms response from CloudWatch: MetricAlarms\[0\]\.AlarmActions is not a list of ARNs$/,
    ],
    [
      'wrong type: MetricDataResults is a string',
      mutating('GetMetricData:signals', () => ({ MetricDataResults: 'x' })),
      'cloudwatch.signals',
      /^malformed GetMetricData response from CloudWatch: MetricDataResults is a string, not a list$/,
    ],
    [
      'wrong type: MetricDataResults missing',
      mutating('GetMetricData:tenants', () => ({ Messages: [] })),
      'cloudwatch.signals',
      /^malformed GetMetricData response from CloudWatch: MetricDataResults is missing, not a list$/,
    ],
    [
      'wrong type: Values are strings',
      mutating('GetMetricData:tenants', (d) => void (d.MetricDataResults[0].Values = ['30', '12'])),
      'cloudwatch.signals',
      /^malformed GetMetricData response from CloudWatch: MetricDataResults\[0\]\.Values is not a list of numbers$/,
    ],
    [
      'wrong type: a timestamp is not a time',
      mutating('GetMetricData:signals', (d) => void (d.MetricDataResults[0].Timestamps = ['yesterday', 1])),
      'cloudwatch.signals',
      /^malformed GetMetricData response from CloudWatch: Expected real number, got implicit NaN$/,
    ],
    [
      'wrong type: more values than timestamps',
      mutating(
        'GetMetricData:signals',
        (d) => void Object.assign(d.MetricDataResults[0], { Timestamps: d.MetricDataResults[0].Timestamps.slice(0, 2), Values: [1, 2, 7] }),
      ),
      'cloudwatch.signals',
      /^malformed GetMetricData response from CloudWatch: MetricDataResults\[0\] has 3 values for 2 timestamps$/,
    ],
    // docs/contracts/cloudwatch.md G12, G13, G15, D4: an answer that is not a complete measurement is never "no data".
    [
      'a query without a result',
      mutating('GetMetricData:signals', (d) => void (d.MetricDataResults = [])),
      'cloudwatch.signals',
      /^GetMetricData returned no result for latency$/,
    ],
    [
      'PartialData without datapoints or NextToken',
      mutating('GetMetricData:signals', (d) => void Object.assign(d.MetricDataResults[0], { StatusCode: 'PartialData', Timestamps: [], Values: [] })),
      'cloudwatch.signals',
      /^GetMetricData answered latency with PartialData and no datapoints$/,
    ],
    [
      'InternalError without a NextToken to retry with',
      mutating('GetMetricData:tenants', () => ({
        MetricDataResults: [
          {
            Id: 'tenants',
            Label: 'tenants',
            Timestamps: [],
            Values: [],
            StatusCode: 'InternalError',
            Messages: [{ Code: 'InternalError', Value: 'An internal error occurred' }],
          },
        ],
        Messages: [],
      })),
      'cloudwatch.signals',
      /^GetMetricData could not evaluate tenants: InternalError \(An internal error occurred\)$/,
    ],
    [
      'GetMetricData pages that never end',
      (x) =>
        op(x) === 'GetMetricData:tenants'
          ? x.res.writeHead(200, JSON10).end(JSON.stringify({ MetricDataResults: [], Messages: [], NextToken: 'again' }))
          : x.pass(),
      'cloudwatch.signals',
      /^GetMetricData still had more pages after 50 requests for tenants$/,
    ],
    [
      'DescribeAlarms pages that never end',
      (x) =>
        op(x) === 'DescribeAlarms' && x.body.includes('"MaxRecords":100')
          ? x.res.writeHead(200, JSON10).end(JSON.stringify({ MetricAlarms: [], CompositeAlarms: [], NextToken: 'again' }))
          : x.pass(),
      'cloudwatch.alerting',
      /^DescribeAlarms still had more alarms after 50 pages of 100; narrow them with gates\.monitoring\.cloudwatch\.alarmNamePrefix$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, handler, criterion, cause) => {
    const o = await run(handler);
    expect(o.result.status).toBe('ERROR');
    expect(o.criterion(criterion).status).toBe('ERROR');
    expect(o.criterion(criterion).summary).toMatch(cause);
    expect(o.result.summary).toContain(o.criterion(criterion).summary);
    expect(o.ms).toBeLessThan(3000);
  });

  hugeIt('a huge answer (~10 MB GetMetricData, 5,000 tenants with long labels) is counted, not a crash', async () => {
    const end = Math.floor(Date.now() / 1000);
    const stamps = Array.from({ length: 24 }, (_, i) => end - 3600 * (i + 1));
    // Long labels keep the element count (and the SDK's per-element parsing) moderate at ~11 MB.
    const results = Array.from({ length: 5_000 }, (_, i) => ({
      Id: 'tenants',
      Label: `t-${i}-${'x'.repeat(1_700)}`,
      Timestamps: stamps,
      Values: stamps.map(() => 12.5),
      StatusCode: 'Complete',
    }));
    const huge = JSON.stringify({ MetricDataResults: results, Messages: [] });
    expect(huge.length).toBeGreaterThan(10_000_000);
    await start((x) => (op(x) === 'GetMetricData:tenants' ? x.res.writeHead(200, JSON10).end(huge) : x.pass()));
    const t0 = Date.now();
    const out = await runGate(config(15), 'monitoring');
    expect(out.result.status).toBe('PASS');
    expect(out.result.measurements).toContainEqual(expect.objectContaining({ name: 'cloudwatch.tenantsMonitored', value: 5_000 }));
    // The report stays small; the full tenant list is the artifact written with --out (report.json names it only).
    expect(renderJson(out.report).length).toBeLessThan(100_000);
    expect(Date.now() - t0).toBeLessThan(8000);
  });
});
