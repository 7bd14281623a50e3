import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SourceConfig } from '../../lambda/core/config/types';
import type { CheckResult } from '../../lambda/core/result';
import { httpFaultServer, pgErrorResponse, perTestFaults, tcpFaultServer } from '../support/faults';
import { runGate } from '../support/gate';
import { postgresTargetNames, startTarget, type PostgresTarget } from '../support/postgres';
import { hugeIt } from '../support/tiers';

/**
 * Gate 2's sources under faults: Cost Explorer (JSON 1.1), STS AssumeRole (query/XML), the OpenAI
 * costs API, the bill export (file and S3), and the CSV, PostgreSQL and DynamoDB ledgers. Every
 * fault ends in ERROR (never PASS) with a cause naming the source and what was wrong, in bounded
 * time, through the real runner; the real SDK clients retry with their own strategy (maxAttempts).
 */

const dir = mkdtempSync(join(tmpdir(), 'cost-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const WINDOW = { from: '2024-05-01', to: '2024-05-31' };
const today = new Date().toISOString().slice(0, 10);
/** The app's ledger: acme $100 and globex $50 of AWS, acme $7 of OpenAI in May; a fresh entry today. */
const LEDGER_ROWS = ['acme,2024-05-10,aws,100', 'globex,2024-05-12,aws,50', 'acme,2024-05-10,openai,7', `acme,${today},aws,0`];
const LEDGER_CSV = `${['tenant_id,usage_date,provider,cost_usd', ...LEDGER_ROWS].join('\n')}\n`;
const ledgerPath = file('ledger.csv', LEDGER_CSV);
/** The same spend as a legacy CUR export. */
const CUR_HEAD = 'lineItem/UsageStartDate,lineItem/LineItemType,lineItem/UnblendedCost,resourceTags/user:tenant_id';
const CUR_ROWS = ['2024-05-10T00:00:00Z,Usage,100,acme', '2024-05-12T00:00:00Z,Usage,50,globex'];
const CUR_CSV = `${[CUR_HEAD, ...CUR_ROWS].join('\n')}\n`;
const curPath = file('cur.csv', CUR_CSV);

const ROLE = 'arn:aws:iam::123456789012:role/readiness-cost';
const OPENAI_KEY = 'sk-admin-fault-suite-0123456789abcdef';
/** The deadline, and the source the gate was still waiting on when it passed. */
const DEADLINE =
  /^timed out after 0\.25 s \(raise gates\.cost\.timeoutSeconds if the system is just slow\); still waiting on (AWS bill|OpenAI bill|cost ledger) \(source '\w+', \w+\)$/;

interface Run {
  result: CheckResult;
  report: unknown;
  ms: number;
}

/** Runs gate 2 through the real runner: the ledger and bills given, the May window. */
async function runCost(opts: {
  sources: Record<string, SourceConfig & Record<string, unknown>>;
  ledger?: string;
  aws?: string;
  openai?: string;
  timeoutSeconds?: number;
}): Promise<Run> {
  const t0 = Date.now();
  const { result, report } = await runGate(
    {
      sources: { ledger: { type: 'csv', path: ledgerPath }, ...opts.sources } as never,
      gates: {
        cost: {
          ledger: { source: opts.ledger ?? 'ledger' },
          ...(opts.aws ? { aws: { source: opts.aws } } : {}),
          ...(opts.openai ? { openai: { source: opts.openai } } : {}),
          window: WINDOW,
          timeoutSeconds: opts.timeoutSeconds ?? 10,
        },
      } as never,
    },
    'cost',
  );
  return { result, report, ms: Date.now() - t0 };
}

/** A measurement of the result or of one of its criteria (totals live on the provider's total criterion). */
function measured(result: CheckResult, name: string): unknown {
  return [...result.measurements, ...result.criteria.flatMap((c) => c.measurements ?? [])].find((m) => m.name === name)?.value;
}

function expectError(run: Run, cause: RegExp | string, maxMs: number): void {
  expect(run.result.status).toBe('ERROR');
  if (typeof cause === 'string') expect(run.result.summary).toBe(cause);
  else expect(run.result.summary).toMatch(cause);
  expect(run.ms).toBeLessThan(maxMs);
}

/**
 * The cause for a refused connection. Outside jest it reads "connection refused to 127.0.0.1:PORT
 * (ECONNREFUSED)" (checked by hand with tsx); inside jest, Node's socket error comes from another
 * realm, so the SDK's retry middleware does not see an `instanceof Error` and wraps its text
 * ("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:PORT"). Both name code and port.
 */
const refused = (port: number) =>
  `(connection refused to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)|Error: AWS SDK error wrapper for Error: connect ECONNREFUSED 127\\.0\\.0\\.1:${port})`;

/** A closed port on 127.0.0.1: a server that was listening and is gone. */
async function closedPort(): Promise<number> {
  const s = await httpFaultServer(() => undefined);
  await s.close();
  return s.port;
}

const truncated = (contentType: string, start: string) => (res: ServerResponse) => {
  res.writeHead(200, { 'content-type': contentType, 'content-length': '5000' });
  res.write(start);
  setTimeout(() => res.destroy(), 10);
};

const { serve, servers, setEnv } = perTestFaults();
const AWS_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDFAULTSUITE', AWS_SECRET_ACCESS_KEY: 'fault-suite-secret', AWS_MAX_ATTEMPTS: '2' };

// ---------------------------------------------------------------------------------------------
// Cost Explorer: JSON 1.1 (POST /, X-Amz-Target AWSInsightsIndexService.GetCostAndUsage)

const CE_JSON = 'application/x-amz-json-1.1';
function cePage(groups: [string, string][]): string {
  return JSON.stringify({
    GroupDefinitions: [{ Type: 'TAG', Key: 'tenant_id' }],
    ResultsByTime: [
      {
        TimePeriod: { Start: '2024-05-01', End: '2024-06-01' },
        Total: {},
        Groups: groups.map(([tag, amount]) => ({ Keys: [`tenant_id$${tag}`], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } })),
        Estimated: false,
      },
    ],
    DimensionValueAttributes: [],
  });
}
const CE_OK = cePage([
  ['acme', '100.0000000000'],
  ['globex', '50.0000000000'],
]);
const ceAnswer = (res: ServerResponse, body = CE_OK) => res.writeHead(200, { 'content-type': CE_JSON }).end(body);
const ceError = (res: ServerResponse, type: string, message: string, status = 400) =>
  res.writeHead(status, { 'content-type': CE_JSON }).end(JSON.stringify({ __type: `com.amazon.awsinsightsindexservice#${type}`, Message: message }));

describe('gate 2 Cost Explorer source under faults (JSON 1.1 fault server)', () => {
  async function run(handler: Parameters<typeof httpFaultServer>[0] | number, timeoutSeconds = 10) {
    const endpoint = typeof handler === 'number' ? `http://127.0.0.1:${handler}` : (await serve(handler)).url;
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_COST_EXPLORER: endpoint });
    return runCost({ sources: { ce: { type: 'costexplorer', maxAttempts: 2 } }, aws: 'ce', timeoutSeconds });
  }
  const ce = () => servers[servers.length - 1];

  it('answers normally → PASS (the baseline every fault below departs from)', async () => {
    const r = await run((_n, req, res) =>
      req.headers['x-amz-target'] === 'AWSInsightsIndexService.GetCostAndUsage' ? ceAnswer(res) : ceError(res, 'UnknownOperationException', 'no'),
    );
    expect(r.result.status).toBe('PASS');
    expect(ce().hits()).toBe(1);
  });

  it('unreachable → ERROR naming the refused host:port, after the SDK retries', async () => {
    const port = await closedPort();
    expectError(
      await run(port),
      new RegExp(`^AWS bill: Cost Explorer: ${refused(port)} \\(2 attempts made: 0 answered and billed, 0 throttled, 2 got no answer\\)$`),
      6000,
    );
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    expectError(await run(() => undefined, 0.25), DEADLINE, 2500);
  });

  it.each<[string, string, string, RegExp]>([
    [
      'an invalid access key',
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      /^AWS bill: Cost Explorer refused the credentials: UnrecognizedClientException: The security token included in the request is invalid\. \(HTTP 400\)$/,
    ],
    [
      'a denied permission',
      'AccessDeniedException',
      'User: arn:aws:iam::111111111111:user/ci is not authorized to perform: ce:GetCostAndUsage',
      /^AWS bill: Cost Explorer refused the credentials: AccessDeniedException: User: arn:aws:iam::111111111111:user\/ci is not authorized to perform: ce:GetCostAndUsage \(HTTP 400\)$/,
    ],
  ])('auth rejected (%s) → ERROR (the role is only the means of measuring), asked once', async (_name, type, message, cause) => {
    const r = await run((_n, _req, res) => ceError(res, type, message));
    expectError(r, cause, 5000);
    expect(r.result.remediation).toMatch(/Grant ce:GetCostAndUsage/);
    expect(ce().hits()).toBe(1);
  });

  it('throttled then recovered → the SDK retries, the gate reaches its verdict and reports the throttling', async () => {
    const r = await run((n, _req, res) => (n === 1 ? ceError(res, 'LimitExceededException', 'Rate exceeded') : ceAnswer(res)));
    expect(r.result.status).toBe('PASS');
    expect(ce().hits()).toBe(2);
    expect(r.result.criteria.find((c) => c.id === 'aws-total')?.evidence).toContain(
      '1 Cost Explorer request made, $0.01 at $0.01 each (1 throttled and retried)',
    );
    expect(r.ms).toBeLessThan(6000);
  });

  it('throttled past the retry budget → ERROR naming throttling, after exactly maxAttempts requests', async () => {
    const r = await run((_n, _req, res) => ceError(res, 'LimitExceededException', 'Rate exceeded'));
    expectError(
      r,
      /^AWS bill: Cost Explorer throttled the requests \(LimitExceededException\) and the retries were exhausted \(2 attempts made: 0 answered and billed, 2 throttled\)$/,
      8000,
    );
    expect(ce().hits()).toBe(2);
  });

  it.each<[string, (res: ServerResponse) => void, RegExp]>([
    [
      'a 500 on every attempt',
      (res) => ceError(res, 'InternalServerException', 'An internal error occurred', 500),
      /^AWS bill: Cost Explorer: InternalServerException: An internal error occurred \(HTTP 500\) \(2 attempts made: 0 answered and billed, 0 throttled, 2 failed with HTTP 500\)$/,
    ],
    [
      'malformed JSON',
      (res) => ceAnswer(res, '{"ResultsByTime": [{"Groups": '),
      /^AWS bill: Cost Explorer: malformed GetCostAndUsage response \(HTTP 200\): Unexpected end of JSON input \(1 attempt made: 0 answered and billed, 0 throttled, 1 unreadable \(HTTP 200\)\)$/,
    ],
    [
      'an HTML page from a proxy',
      (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Gateway</body></html>'),
      /^AWS bill: Cost Explorer: malformed GetCostAndUsage response \(HTTP 200\): Unexpected token '<'/,
    ],
    [
      'a truncated body',
      truncated(CE_JSON, '{"ResultsByTime": [{"Groups": ['),
      /^AWS bill: Cost Explorer: .*(aborted|socket hang up|terminated|ECONNRESET|connection reset)/i,
    ],
    ['an empty 200', (res) => ceAnswer(res, ''), /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime is missing$/],
    [
      'ResultsByTime not a list',
      (res) => ceAnswer(res, JSON.stringify({ ResultsByTime: 'none' })),
      /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime is not a list$/,
    ],
    [
      'Groups not a list',
      (res) => ceAnswer(res, JSON.stringify({ ResultsByTime: [{ Groups: { acme: 1 } }] })),
      /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime\[0\]\.Groups is not a list$/,
    ],
    [
      'Amount a JSON number',
      (res) => ceAnswer(res, CE_OK.replace('"100.0000000000"', '100')),
      /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime\[0\]\.Groups\[0\]\.Metrics\.UnblendedCost\.Amount is not a decimal string \(100\)$/,
    ],
    [
      'Amount not a number',
      (res) => ceAnswer(res, CE_OK.replace('"100.0000000000"', '"N/A"')),
      /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime\[0\]\.Groups\[0\]\.Metrics\.UnblendedCost\.Amount is not a decimal string \("N\/A"\)$/,
    ],
    [
      'Keys not strings',
      (res) => ceAnswer(res, CE_OK.replace('"tenant_id$acme"', '42')),
      /^AWS bill: malformed GetCostAndUsage response from Cost Explorer: ResultsByTime\[0\]\.Groups\[0\]\.Keys is not a list of strings$/,
    ],
    [
      'a group without the metric',
      (res) => ceAnswer(res, CE_OK.replace('"UnblendedCost"', '"BlendedCost"')),
      /^AWS bill: Cost Explorer returned a group without UnblendedCost \("tenant_id\$acme"\)$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, answer, cause) => {
    expectError(await run((_n, _req, res) => answer(res)), cause, 8000);
  });

  hugeIt('a huge page (~10 MB, 80,000 tenant groups) is read whole: the amounts at its end count', async () => {
    const filler = Array.from({ length: 80_000 }, (_, i): [string, string] => [`${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`, '0.0000000000']);
    const body = cePage([...filler, ['acme', '100.0000000000'], ['globex', '50.0000000000']]);
    expect(body.length).toBeGreaterThan(10_000_000);
    const r = await run((_n, _req, res) => ceAnswer(res, body), 30);
    expect(r.result.status).toBe('PASS');
    expect(measured(r.result, 'awsActualUsd')).toBe(150);
    expect(r.ms).toBeLessThan(10_000);
  });
});

// ---------------------------------------------------------------------------------------------
// STS AssumeRole (query protocol, XML answers) in front of Cost Explorer

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const stsCredentials = (expiration = new Date(Date.now() + 900_000).toISOString()) =>
  `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIAASSUMEDFAULT</AccessKeyId><SecretAccessKey>assumed-secret-fault</SecretAccessKey><SessionToken>assumed-token-fault</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:saas-readiness-cost</AssumedRoleId><Arn>${ROLE}/saas-readiness-cost</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></AssumeRoleResponse>`;
const stsError = (res: ServerResponse, status: number, code: string, message: string) =>
  res
    .writeHead(status, { 'content-type': 'text/xml' })
    .end(
      `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r2</RequestId></ErrorResponse>`,
    );

describe('gate 2 STS role assumption under faults (query protocol fault server)', () => {
  let signedWith: (string | undefined)[];
  async function run(sts: Parameters<typeof httpFaultServer>[0] | number, timeoutSeconds = 10) {
    signedWith = [];
    const ce = await serve((_n, req, res) => {
      signedWith.push(/Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1]);
      ceAnswer(res);
    });
    const stsUrl = typeof sts === 'number' ? `http://127.0.0.1:${sts}` : (await serve(sts)).url;
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_COST_EXPLORER: ce.url, AWS_ENDPOINT_URL_STS: stsUrl });
    return runCost({ sources: { ce: { type: 'costexplorer', maxAttempts: 2, roleArn: ROLE } }, aws: 'ce', timeoutSeconds });
  }
  const sts = () => servers[1];
  const role = ROLE.replace(/[/]/g, '\\/');

  it('unreachable → ERROR naming the role and the refused port; Cost Explorer is never asked', async () => {
    const port = await closedPort();
    expectError(await run(port), new RegExp(`^AWS bill: cannot assume role ${role}: ${refused(port)}$`), 6000);
    expect(signedWith).toEqual([]);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    expectError(await run(() => undefined, 0.25), DEADLINE, 2500);
  });

  it('denied (AccessDenied, HTTP 403) → ERROR naming the role, with the trust-policy hint', async () => {
    const r = await run((_n, _req, res) =>
      stsError(res, 403, 'AccessDenied', `User: arn:aws:iam::111111111111:user/ci is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`),
    );
    expectError(
      r,
      new RegExp(
        `^AWS bill: cannot assume role ${role}: AccessDenied: User: arn:aws:iam::111111111111:user\\/ci is not authorized to perform: sts:AssumeRole on resource: ${role} \\(HTTP 403\\)$`,
      ),
      5000,
    );
    expect(r.result.remediation).toMatch(/Allow sts:AssumeRole on .* trust policy/);
    expect(sts().hits()).toBe(1);
  });

  it('throttled then recovered → the SDK retries, and Cost Explorer is signed with the assumed key', async () => {
    const r = await run((n, _req, res) =>
      n === 1 ? stsError(res, 400, 'Throttling', 'Rate exceeded') : res.writeHead(200, { 'content-type': 'text/xml' }).end(stsCredentials()),
    );
    expect(r.result.status).toBe('PASS');
    expect(sts().hits()).toBe(2);
    expect(signedWith).toEqual(['ASIAASSUMEDFAULT']);
    expect(JSON.stringify(r.report)).not.toMatch(/assumed-secret-fault|assumed-token-fault/);
  });

  it('throttled past the retry budget (the source maxAttempts) → ERROR naming throttling and the role', async () => {
    const r = await run((_n, _req, res) => stsError(res, 400, 'Throttling', 'Rate exceeded'));
    expectError(r, new RegExp(`^AWS bill: cannot assume role ${role}: Throttling: Rate exceeded \\(HTTP 400\\)$`), 8000);
    expect(sts().hits()).toBe(2);
  });

  it.each<[string, (res: ServerResponse) => void, RegExp]>([
    [
      'malformed XML',
      (res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(`<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA`),
      /: malformed sts:AssumeRole response \(HTTP 200\): .*XML parse error/,
    ],
    [
      'a truncated body',
      truncated('text/xml', `<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult>`),
      /^AWS bill: cannot assume role .*: .*(aborted|socket hang up|terminated|ECONNRESET|connection reset)/i,
    ],
    [
      'an answer without credentials',
      (res) =>
        res
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(`<AssumeRoleResponse xmlns="${STS_NS}"><AssumeRoleResult></AssumeRoleResult></AssumeRoleResponse>`),
      /^AWS bill: sts:AssumeRole arn:.* returned no credentials$/,
    ],
    [
      'an Expiration that is not a timestamp',
      (res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(stsCredentials('tomorrow')),
      /: malformed sts:AssumeRole response \(HTTP 200\): Invalid RFC3339 timestamp format tomorrow$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, answer, cause) => {
    const r = await run((_n, _req, res) => answer(res));
    expectError(r, cause, 8000);
    expect(r.result.summary).not.toContain('\n');
    expect(signedWith).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// OpenAI organization costs API (GET /v1/organization/costs, Bearer admin key)

const openAiPage = (results: { value: unknown; project?: unknown; currency?: unknown }[]) =>
  JSON.stringify({
    object: 'page',
    data: [
      {
        object: 'bucket',
        start_time: 1714521600,
        end_time: 1714608000,
        results: results.map((r) => ({
          object: 'organization.costs.result',
          amount: { value: r.value, currency: r.currency ?? 'usd' },
          line_item: null,
          project_id: r.project ?? null,
        })),
      },
    ],
    has_more: false,
    next_page: null,
  });
const OPENAI_OK = openAiPage([{ value: 7, project: 'proj_acme' }]);
const openAiAnswer = (res: ServerResponse, body = OPENAI_OK, status = 200) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
const openAiError = (res: ServerResponse, status: number, message: string, code: string) =>
  openAiAnswer(res, JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } }), status);

describe('gate 2 OpenAI costs source under faults', () => {
  async function run(
    handler: Parameters<typeof httpFaultServer>[0] | number,
    opts: { timeoutSeconds?: number; requestTimeoutSeconds?: number; maxAttempts?: number } = {},
  ) {
    const base = typeof handler === 'number' ? `http://127.0.0.1:${handler}` : (await serve(handler)).url;
    return runCost({
      sources: {
        oai: {
          type: 'openai',
          adminKey: OPENAI_KEY,
          baseUrl: `${base}/v1`,
          requestTimeoutSeconds: opts.requestTimeoutSeconds ?? 5,
          ...(opts.maxAttempts ? { maxAttempts: opts.maxAttempts } : {}),
        },
      },
      openai: 'oai',
      timeoutSeconds: opts.timeoutSeconds,
    });
  }
  const api = () => servers[servers.length - 1];

  it('answers normally → PASS (the baseline)', async () => {
    const r = await run((_n, req, res) =>
      req.headers.authorization === `Bearer ${OPENAI_KEY}` ? openAiAnswer(res) : openAiError(res, 401, 'no key', 'invalid_api_key'),
    );
    expect(r.result.status).toBe('PASS');
  });

  it('unreachable → ERROR naming the refused host:port', async () => {
    const port = await closedPort();
    expectError(
      await run(port),
      new RegExp(`^OpenAI bill: OpenAI costs API at http://127\\.0\\.0\\.1:${port}: connection refused to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`),
      3000,
    );
  });

  it('slower than the request timeout → ERROR naming requestTimeoutSeconds', async () => {
    expectError(
      await run(() => undefined, { requestTimeoutSeconds: 0.25 }),
      /^OpenAI bill: OpenAI costs API at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.25 s \(requestTimeoutSeconds\)$/,
      3000,
    );
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    expectError(await run(() => undefined, { timeoutSeconds: 0.25, requestTimeoutSeconds: 30 }), DEADLINE, 2500);
  });

  it('admin key rejected (HTTP 401) → ERROR (the key is only the means of measuring), the key never shown', async () => {
    const r = await run((_n, req, res) =>
      openAiError(
        res,
        401,
        `Incorrect API key provided: ${(req.headers.authorization ?? '').replace('Bearer ', '')}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        'invalid_api_key',
      ),
    );
    expectError(r, /^OpenAI bill: OpenAI rejected the admin key \(HTTP 401: Incorrect API key provided: \*\*\*\. /, 3000);
    expect(r.result.remediation).toMatch(/organization admin key/);
    expect(JSON.stringify(r.report)).not.toContain(OPENAI_KEY);
  });

  const limited = (res: ServerResponse, retryAfter: string) => {
    res.setHeader('Retry-After', retryAfter);
    openAiError(res, 429, 'Rate limit reached for requests', 'rate_limit_exceeded');
  };

  it('throttled (HTTP 429) once → asked again after Retry-After, PASS', async () => {
    const r = await run((n, _req, res) => (n === 1 ? limited(res, '0.1') : openAiAnswer(res)));
    expect(r.result.status).toBe('PASS');
    expect(api().hits()).toBe(2);
  });

  it('throttled (HTTP 429) on every attempt → ERROR naming rate limiting after maxAttempts, in bounded time', async () => {
    const r = await run((_n, _req, res) => limited(res, '0.1'), { maxAttempts: 3 });
    expectError(r, /^OpenAI bill: OpenAI rate-limited the costs API \(HTTP 429: Rate limit reached for requests\); still limited after 3 attempt\(s\)$/, 3000);
    expect(api().hits()).toBe(3);
  });

  it('throttled (HTTP 429) with a wait past the gate deadline → ERROR at once, naming the wait', async () => {
    const r = await run((_n, _req, res) => limited(res, '120'), { timeoutSeconds: 4 });
    expectError(
      r,
      /^OpenAI bill: OpenAI rate-limited the costs API \(HTTP 429: Rate limit reached for requests\); it asks to wait 120 s, beyond the [0-3] s this check may wait$/,
      2000,
    );
    expect(api().hits()).toBe(1);
  });

  it.each<[string, (res: ServerResponse) => void, RegExp]>([
    [
      'a 500',
      (res) => openAiError(res, 500, 'The server had an error while processing your request.', 'server_error'),
      /^OpenAI bill: OpenAI costs API answered HTTP 500: The server had an error while processing your request\.$/,
    ],
    [
      'malformed JSON',
      (res) => openAiAnswer(res, '{"object": "page", "data": [{'),
      /^OpenAI bill: OpenAI costs API answered HTTP 200 with a body that is not JSON$/,
    ],
    [
      'a truncated body',
      truncated('application/json', '{"object": "page", "data": ['),
      /^OpenAI bill: OpenAI costs API at http:\/\/127\.0\.0\.1:\d+ answered HTTP 200 but the body was cut off: other side closed/,
    ],
    [
      'a page declaring 100 MiB',
      (res) => (res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 * 2 ** 20) }), res.write('{"object": "page", "data": [')),
      /^OpenAI bill: OpenAI costs API at http:\/\/127\.0\.0\.1:\d+ answered HTTP 200 with a page larger than 64 MiB; stopped reading$/,
    ],
    [
      'data not a list',
      (res) => openAiAnswer(res, JSON.stringify({ object: 'page', data: 'none', has_more: false })),
      /^OpenAI bill: malformed response from the OpenAI costs API: data is not a list$/,
    ],
    ['no data at all', (res) => openAiAnswer(res, '{}'), /^OpenAI bill: malformed response from the OpenAI costs API: data is missing$/],
    [
      'results not a list',
      (res) => openAiAnswer(res, JSON.stringify({ data: [{ results: { value: 7 } }], has_more: false })),
      /^OpenAI bill: malformed response from the OpenAI costs API: data\[0\]\.results is not a list$/,
    ],
    [
      'amount.value text that is no number',
      (res) => openAiAnswer(res, openAiPage([{ value: 'seven' }])),
      /^OpenAI bill: malformed response from the OpenAI costs API: data\[0\]\.results\[0\]\.amount\.value is not a number \("seven"\)$/,
    ],
    [
      'project_id a number',
      (res) => openAiAnswer(res, openAiPage([{ value: 7, project: 12 }])),
      /^OpenAI bill: malformed response from the OpenAI costs API: data\[0\]\.results\[0\]\.project_id is not a string$/,
    ],
    [
      'has_more a string',
      (res) => openAiAnswer(res, JSON.stringify({ data: [], has_more: 'false', next_page: null })),
      /^OpenAI bill: malformed response from the OpenAI costs API: has_more is not a boolean$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, answer, cause) => {
    expectError(await run((_n, _req, res) => answer(res)), cause, 3000);
  });

  hugeIt('a huge page (~10 MB, 42,000 results) is read whole: the amount at its end counts', async () => {
    const filler = Array.from({ length: 42_000 }, (_, i) => ({ value: 0, project: `proj_${String(i).padStart(6, '0')}_${'x'.repeat(120)}` }));
    const body = openAiPage([...filler, { value: 7, project: 'proj_acme' }]);
    expect(body.length).toBeGreaterThan(10_000_000);
    const r = await run((_n, _req, res) => openAiAnswer(res, body), { timeoutSeconds: 30 });
    expect(r.result.status).toBe('PASS');
    expect(measured(r.result, 'openaiActualUsd')).toBe(7);
    expect(r.ms).toBeLessThan(10_000);
  });
});

// ---------------------------------------------------------------------------------------------
// The bill export (CUR): local files and S3 (REST/XML)

describe('gate 2 bill export (CUR) source under faults', () => {
  const runFile = (path: string, timeoutSeconds = 10) => runCost({ sources: { bill: { type: 'cur', path } }, aws: 'bill', timeoutSeconds });
  // Enough rows that a truncated gzip really loses data (a short file fits in the first block).
  const manyRows = `${[CUR_HEAD, ...Array.from({ length: 20_000 }, (_, i) => `2024-05-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z,Usage,0.${String(i).padStart(6, '0')},t${i % 97}`)].join('\n')}\n`;

  it('the baseline file → PASS', async () => {
    expect((await runFile(curPath)).result.status).toBe('PASS');
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a missing file',
      () => join(dir, 'no-such-bill.csv'),
      /^AWS bill: cannot read \/.*no-such-bill\.csv: ENOENT: no such file or directory.* \(file not found\)$/,
    ],
    [
      'an unclosed quote',
      () => file('cur-quote.csv', [CUR_HEAD, '2024-05-10T00:00:00Z,Usage,"100,acme', CUR_ROWS[1]].join('\n')),
      /^AWS bill: \/.*cur-quote\.csv is not a valid CSV file: Quote Not Closed: the parsing is finished with an opening quote at line 3$/,
    ],
    [
      'a file cut off mid-row',
      () => file('cur-cut.csv', `${CUR_CSV}2024-05-13T00:00:00Z,Usa`),
      /^AWS bill: \/.*cur-cut\.csv is not a valid CSV file: Invalid Record Length: expect 4, got 2 on line 4$/,
    ],
    [
      'a gzip cut in half',
      () => {
        const gz = gzipSync(manyRows);
        return file('cur-cut.csv.gz', gz.subarray(0, gz.length >> 1));
      },
      /^AWS bill: \/.*cur-cut\.csv\.gz is not a valid gzip file \(truncated or corrupt\): unexpected end of file$/,
    ],
    [
      'a corrupt gzip',
      () => file('cur-corrupt.csv.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('not deflate data at all, just text')])),
      /^AWS bill: \/.*cur-corrupt\.csv\.gz is not a valid gzip file \(truncated or corrupt\): /,
    ],
    [
      'a cost that is not a number',
      () => file('cur-cost.csv', [CUR_HEAD, CUR_ROWS[0], '2024-05-12T00:00:00Z,Usage,fifty,globex'].join('\n')),
      /^AWS bill: \/.*cur-cost\.csv: line 3: lineItem\/UnblendedCost is not a number \("fifty"\)$/,
    ],
    [
      'a usage date that is not a date',
      () => file('cur-date.csv', [CUR_HEAD, CUR_ROWS[0], '12/05/2024,Usage,50,globex'].join('\n')),
      /^AWS bill: \/.*cur-date\.csv: line 3: lineItem\/UsageStartDate is not a date \("12\/05\/2024"\)$/,
    ],
    [
      'not a bill at all (binary)',
      () => file('cur-binary.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff, 0xfe, 10])),
      /^AWS bill: \/.*cur-binary\.csv is not a Cost and Usage Report with the needed columns: missing lineItem\/UsageStartDate/,
    ],
    ['an empty file', () => file('cur-empty.csv', ''), /^AWS bill: \/.*cur-empty\.csv is empty$/],
  ])('%s → ERROR with the cause, never PASS', async (_name, path, cause) => {
    expectError(await runFile(path()), cause, 3000);
  });

  hugeIt('a huge file (gzip of ~10 MB, 34,000 line items) is streamed through gunzip and the parser: exact totals', async () => {
    const filler = Array.from(
      { length: 34_000 },
      (_, i) => `2024-05-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z,Usage,0.0000000000,t${i % 1000}-${'y'.repeat(250)}`,
    );
    const text = `${[CUR_HEAD, ...filler, ...CUR_ROWS].join('\n')}\n`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const path = file('cur-huge.csv.gz', gzipSync(text));
    const r = await runFile(path, 30);
    expect(r.result.status).toBe('PASS');
    expect(measured(r.result, 'awsActualUsd')).toBe(150);
    expect(r.result.criteria.flatMap((c) => c.evidence ?? []).join('\n')).toMatch(/34002 of 34002 line items in the window/);
    expect(r.ms).toBeLessThan(20_000); // bounded (streamed), with room for a loaded CI machine
  });
});

describe('gate 2 bill export on S3 under faults (REST/XML fault server)', () => {
  async function run(handler: Parameters<typeof httpFaultServer>[0] | number, timeoutSeconds = 10) {
    const endpoint = typeof handler === 'number' ? `http://127.0.0.1:${handler}` : (await serve(handler)).url;
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_S3: endpoint, AWS_S3_FORCE_PATH_STYLE: 'true' });
    return runCost({ sources: { bill: { type: 'cur', path: 's3://billing-exports/cur/2024-05.csv' } }, aws: 'bill', timeoutSeconds });
  }
  const s3 = () => servers[servers.length - 1];
  const s3Error = (res: ServerResponse, status: number, code: string, message: string) =>
    res
      .writeHead(status, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>R1</RequestId><HostId>H1</HostId></Error>`,
      );
  const object = (res: ServerResponse, body = CUR_CSV) =>
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(Buffer.byteLength(body)) }).end(body);
  const WHERE = 'cannot read s3:\\/\\/billing-exports\\/cur\\/2024-05\\.csv';

  it('answers normally → PASS, reading the object by path', async () => {
    let path: string | undefined;
    const r = await run((_n, req, res) => {
      path = req.url;
      object(res);
    });
    expect(r.result.status).toBe('PASS');
    expect(path).toMatch(/^\/billing-exports\/cur\/2024-05\.csv/);
  });

  it('unreachable → ERROR naming the object and the refused port', async () => {
    const port = await closedPort();
    expectError(await run(port), new RegExp(`^AWS bill: ${WHERE}: ${refused(port)}$`), 6000);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    expectError(await run(() => undefined, 0.25), DEADLINE, 2500);
  });

  it('an object whose body stalls after the first rows → ERROR naming the deadline, never a partial bill', async () => {
    const r = await run((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(CUR_CSV.length + 5000) });
      res.write(CUR_CSV);
    }, 0.25);
    expectError(r, DEADLINE, 2500);
  });

  it('access denied (HTTP 403) → ERROR naming the object, asked once', async () => {
    expectError(
      await run((_n, _req, res) => s3Error(res, 403, 'AccessDenied', 'Access Denied')),
      new RegExp(
        `^AWS bill: ${WHERE}: AccessDenied: Access Denied \\(HTTP 403\\) \\(s3:GetObject is missing, or the object does not exist and s3:ListBucket is missing: S3 answers both alike\\)$`,
      ),
      3000,
    );
    expect(s3().hits()).toBe(1);
  });

  it('throttled (SlowDown) then recovered → the SDK retries and the gate reaches its verdict', async () => {
    const r = await run((n, _req, res) => (n === 1 ? s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.') : object(res)));
    expect(r.result.status).toBe('PASS');
    expect(s3().hits()).toBe(2);
  });

  it('throttled past the retry budget → ERROR naming SlowDown, after exactly AWS_MAX_ATTEMPTS requests', async () => {
    expectError(
      await run((_n, _req, res) => s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.')),
      new RegExp(`^AWS bill: ${WHERE}: SlowDown: Please reduce your request rate\\. \\(HTTP 503\\)$`),
      8000,
    );
    expect(s3().hits()).toBe(2);
  });

  it('an object cut off mid-body → ERROR, never a smaller bill', async () => {
    const r = await run((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(CUR_CSV.length + 5000) });
      res.write(CUR_CSV);
      setTimeout(() => res.destroy(), 10);
    });
    expectError(r, /^AWS bill: .*(aborted|socket hang up|terminated|ECONNRESET|connection reset|premature close)/i, 5000);
  });
});

// ---------------------------------------------------------------------------------------------
// The CSV ledger (bill: the CUR file above)

describe('gate 2 CSV ledger under faults', () => {
  const runLedger = (path: string) => runCost({ sources: { led: { type: 'csv', path }, bill: { type: 'cur', path: curPath } }, ledger: 'led', aws: 'bill' });
  const HEAD = 'tenant_id,usage_date,provider,cost_usd';

  it.each<[string, () => string, RegExp]>([
    [
      'a missing file',
      () => join(dir, 'no-such-ledger.csv'),
      /^cost ledger: cannot read \/.*no-such-ledger\.csv: ENOENT: no such file or directory.* \(file not found\)$/,
    ],
    [
      'an unclosed quote',
      () => file('led-quote.csv', [HEAD, 'acme,2024-05-10,aws,"100', LEDGER_ROWS[1]].join('\n')),
      /^cost ledger: \/.*led-quote\.csv is not a valid CSV file: Quote Not Closed: the parsing is finished with an opening quote at line 3$/,
    ],
    [
      'a file cut off mid-row',
      () => file('led-cut.csv', `${LEDGER_CSV}globex,2024-05`),
      /^cost ledger: \/.*led-cut\.csv is not a valid CSV file: Invalid Record Length: expect 4, got 2 on line 6$/,
    ],
    [
      'a gzip cut in half',
      () => {
        const gz = gzipSync(
          [HEAD, ...Array.from({ length: 20_000 }, (_, i) => `t${i},2024-05-${String((i % 28) + 1).padStart(2, '0')},aws,${i}.${i}`)].join('\n'),
        );
        return file('led-cut.csv.gz', gz.subarray(0, gz.length >> 1));
      },
      /^cost ledger: \/.*led-cut\.csv\.gz is not a valid gzip file \(truncated or corrupt\): unexpected end of file$/,
    ],
    [
      'a cost that is not a number',
      () => file('led-cost.csv', [HEAD, 'acme,2024-05-10,aws,100', 'globex,2024-05-12,aws,$50'].join('\n')),
      /^cost ledger: \/.*led-cost\.csv: line 3: cost is not a number \("\$50"\)$/,
    ],
    [
      'a date that is not a date',
      () => file('led-date.csv', [HEAD, 'acme,2024-05-10,aws,100', 'globex,last tuesday,aws,50'].join('\n')),
      /^cost ledger: \/.*led-date\.csv: line 3: unreadable date "last tuesday"$/,
    ],
    [
      'a missing column',
      () => file('led-cols.csv', 'tenant,usage_date,provider,cost_usd\nacme,2024-05-10,aws,100\n'),
      /^cost ledger: \/.*led-cols\.csv: missing column\(s\) tenant_id \(header: tenant, usage_date, provider, cost_usd\)$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, path, cause) => {
    expectError(await runLedger(path()), cause, 3000);
  });

  hugeIt('a huge ledger (~10 MB, 40,000 rows) is streamed and summed exactly', async () => {
    // 40,000 rows of $0.000625 (written with 250 more digits) for acme = $25 on top of $100: tracked $175 vs billed $150 → a real FAIL.
    const rows = Array.from({ length: 40_000 }, (_, i) => `acme,2024-05-${String((i % 28) + 1).padStart(2, '0')},aws,0.000625${'0'.repeat(220)}${i % 10}`);
    const text = `${[LEDGER_CSV.trimEnd(), ...rows].join('\n')}\n`;
    expect(text.length).toBeGreaterThan(10_000_000);
    const r = await runLedger(file('led-huge.csv', text));
    expect(r.result.status).toBe('FAIL');
    expect(r.result.summary).toMatch(/^AWS: tracked \$175\.00 vs billed \$150\.00 \(\+16\.67%\), outside ±5%/);
    expect(r.ms).toBeLessThan(20_000); // bounded (streamed), with room for a loaded CI machine
  });
});

// ---------------------------------------------------------------------------------------------
// The PostgreSQL ledger (wire-protocol faults; wrong column types in PGlite)

describe('gate 2 PostgreSQL ledger under faults', () => {
  const runPg = (url: string, opts: { connectTimeoutSeconds?: number; timeoutSeconds?: number } = {}) =>
    runCost({
      sources: { db: { type: 'postgres', url, connectTimeoutSeconds: opts.connectTimeoutSeconds ?? 0.5 }, bill: { type: 'cur', path: curPath } },
      ledger: 'db',
      aws: 'bill',
      timeoutSeconds: opts.timeoutSeconds,
    });

  it('unreachable → ERROR naming the database target and the refused port', async () => {
    const port = await closedPort();
    expectError(
      await runPg(`postgres://app:pw-not-shown@127.0.0.1:${port}/app`),
      new RegExp(`^cost ledger: PostgreSQL app@127\\.0\\.0\\.1:${port}: connection refused to 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)$`),
      3000,
    );
  });

  it.each<[string, (s: Socket) => void, RegExp]>([
    [
      'auth rejected',
      (s) => s.once('data', () => s.end(pgErrorResponse('28P01', 'password authentication failed for user "app"'))),
      /^cost ledger: PostgreSQL app@127\.0\.0\.1:\d+: password authentication failed for user "app"$/,
    ],
    [
      'too many connections (the database throttling)',
      (s) => s.once('data', () => s.end(pgErrorResponse('53300', 'sorry, too many clients already'))),
      /^cost ledger: PostgreSQL app@127\.0\.0\.1:\d+: sorry, too many clients already$/,
    ],
    [
      'garbage instead of the protocol',
      (s) => s.once('data', () => s.end(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))),
      /^cost ledger: PostgreSQL app@127\.0\.0\.1:\d+: /,
    ],
    ['a connection closed mid-handshake', (s) => s.once('data', () => s.destroy()), /^cost ledger: PostgreSQL app@127\.0\.0\.1:\d+: /],
    ['a server that accepts and never answers', () => undefined, /^cost ledger: PostgreSQL app@127\.0\.0\.1:\d+: .*(timeout|timed out)/i],
  ])('%s → ERROR with the cause, the password never shown', async (_name, behaviour, cause) => {
    const server = await tcpFaultServer(behaviour);
    servers.push(server);
    const r = await runPg(`postgres://app:pw-not-shown@127.0.0.1:${server.port}/app?sslmode=disable`);
    expectError(r, cause, 4000);
    expect(JSON.stringify(r.report)).not.toContain('pw-not-shown');
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    const server = await tcpFaultServer(() => undefined);
    servers.push(server);
    expectError(await runPg(`postgres://app@127.0.0.1:${server.port}/app`, { connectTimeoutSeconds: 30, timeoutSeconds: 0.25 }), DEADLINE, 2500);
  });

  // The local PostgreSQL server when the global setup found one (faster to start), else PGlite.
  describe('wrong column types', () => {
    let pg: PostgresTarget;
    beforeAll(async () => {
      pg = await startTarget(postgresTargetNames().includes('server') ? 'server' : 'pglite');
      await pg.exec(`CREATE TABLE text_costs (tenant_id text, usage_date date, provider text, cost_usd text);
        INSERT INTO text_costs VALUES ('acme', '2024-05-10', 'aws', '100'), ('globex', '2024-05-12', 'aws', 'fifty');
        CREATE TABLE money_costs (tenant_id text, usage_date date, provider text, cost_usd money);
        INSERT INTO money_costs VALUES ('acme', '2024-05-10', 'aws', 100);
        CREATE TABLE text_dates (tenant_id text, usage_date text, provider text, cost_usd numeric);
        INSERT INTO text_dates VALUES ('acme', '10/05/2024', 'aws', 100);
        CREATE TABLE good_costs (tenant_id text, usage_date date, provider text, cost_usd numeric(18,6));
        INSERT INTO good_costs VALUES ('acme', '2024-05-10', 'aws', 100), ('globex', '2024-05-12', 'aws', 50), ('acme', '${today}', 'aws', 0);`);
    });
    afterAll(() => pg?.stop());
    // The ledger table is chosen per run (gates.cost.ledger.table).
    async function runWith(table: string) {
      const t0 = Date.now();
      const { result } = await runGate(
        {
          sources: { db: { type: 'postgres', url: pg.url }, bill: { type: 'cur', path: curPath } } as never,
          gates: { cost: { ledger: { source: 'db', table }, aws: { source: 'bill' }, window: WINDOW, timeoutSeconds: 10 } } as never,
        },
        'cost',
      );
      return { result, report: undefined, ms: Date.now() - t0 };
    }

    it('the baseline table → PASS', async () => {
      expect((await runWith('good_costs')).result.status).toBe('PASS');
    });

    it.each<[string, string, RegExp]>([
      [
        'a text cost column',
        'text_costs',
        /^cost ledger: column 'cost_usd' of text_costs is text; it must be numeric \(numeric, integer, bigint, real or double precision\)$/,
      ],
      ['a money cost column', 'money_costs', /^cost ledger: column 'cost_usd' of money_costs is money; it must be numeric/],
      ['a text date column', 'text_dates', /^cost ledger: column 'usage_date' of text_dates is text; it must be a date or a timestamp$/],
      ['a missing table', 'no_such_costs', /^cost ledger: table 'no_such_costs' not found in .* \(set gates\.cost\.ledger\.table\)$/],
    ])('%s → ERROR naming the column and its type', async (_name, table, cause) => {
      expectError(await runWith(table), cause, 3000);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// The DynamoDB ledger (JSON 1.0 stand-in)

const DDB_JSON = 'application/x-amz-json-1.0';
const ddbItem = (tenant: string, day: string, cost: Record<string, unknown>) => ({
  tenant_id: { S: tenant },
  usage_date: { S: day },
  provider: { S: 'aws' },
  cost_usd: cost,
});
const DDB_ITEMS = [ddbItem('acme', '2024-05-10', { N: '100' }), ddbItem('globex', '2024-05-12', { N: '50' }), ddbItem('acme', today, { N: '0' })];
const ddbPage = (items: unknown[]) => JSON.stringify({ Items: items, Count: items.length, ScannedCount: items.length });
const ddbAnswer = (res: ServerResponse, body = ddbPage(DDB_ITEMS)) => res.writeHead(200, { 'content-type': DDB_JSON }).end(body);
const ddbError = (res: ServerResponse, type: string, message: string, status = 400) =>
  res.writeHead(status, { 'content-type': DDB_JSON }).end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }));

describe('gate 2 DynamoDB ledger under faults (JSON 1.0 stand-in)', () => {
  async function run(handler: Parameters<typeof httpFaultServer>[0] | number, timeoutSeconds = 10) {
    const endpoint = typeof handler === 'number' ? `http://127.0.0.1:${handler}` : (await serve(handler)).url;
    setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint });
    const t0 = Date.now();
    const { result, report } = await runGate(
      {
        sources: { ddb: { type: 'dynamodb', table: 'TenantCosts' }, bill: { type: 'cur', path: curPath } } as never,
        gates: { cost: { ledger: { source: 'ddb', scanSegments: 1 }, aws: { source: 'bill' }, window: WINDOW, timeoutSeconds } } as never,
      },
      'cost',
    );
    return { result, report, ms: Date.now() - t0 };
  }
  const ddb = () => servers[servers.length - 1];
  const scanOnly = (answer: (res: ServerResponse) => void) => (_n: number, req: IncomingMessage, res: ServerResponse) =>
    req.headers['x-amz-target'] === 'DynamoDB_20120810.Scan' ? answer(res) : ddbError(res, 'UnknownOperationException', String(req.headers['x-amz-target']));

  it('answers normally → PASS (the baseline)', async () => {
    const r = await run(scanOnly((res) => ddbAnswer(res)));
    expect(r.result.status).toBe('PASS');
    expect(ddb().hits()).toBe(1);
  });

  it('unreachable → ERROR naming the table and the refused port', async () => {
    const port = await closedPort();
    expectError(await run(port), new RegExp(`^cost ledger: DynamoDB table TenantCosts: ${refused(port)}$`), 6000);
  });

  it('slower than the gate deadline → ERROR naming the deadline', async () => {
    expectError(await run(() => undefined, 0.25), DEADLINE, 2500);
  });

  it('access denied → ERROR naming the table and the permission, asked once', async () => {
    expectError(
      await run((_n, _req, res) =>
        ddbError(res, 'AccessDeniedException', 'User: arn:aws:iam::111111111111:user/ci is not authorized to perform: dynamodb:Scan'),
      ),
      /^cost ledger: DynamoDB table TenantCosts: AccessDeniedException: User: arn:aws:iam::111111111111:user\/ci is not authorized to perform: dynamodb:Scan \(HTTP 400\)$/,
      3000,
    );
    expect(ddb().hits()).toBe(1);
  });

  const throttle = (res: ServerResponse) => ddbError(res, 'ProvisionedThroughputExceededException', 'Rate of requests exceeds the allowed throughput.');

  it('throttled then recovered → the SDK retries and the gate reaches its verdict', async () => {
    const r = await run((n, _req, res) => (n === 1 ? throttle(res) : ddbAnswer(res)));
    expect(r.result.status).toBe('PASS');
    expect(ddb().hits()).toBe(2);
  });

  it('throttled past the retry budget → ERROR naming throttling, after exactly AWS_MAX_ATTEMPTS requests', async () => {
    expectError(
      await run((_n, _req, res) => throttle(res)),
      /^cost ledger: DynamoDB table TenantCosts: ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput\. \(HTTP 400\)$/,
      8000,
    );
    expect(ddb().hits()).toBe(2);
  });

  it.each<[string, (res: ServerResponse) => void, RegExp]>([
    ['malformed JSON', (res) => ddbAnswer(res, '{"Items": [{"tenant_id": '), /^cost ledger: DynamoDB table TenantCosts: malformed response: /],
    [
      'a truncated body',
      truncated(DDB_JSON, '{"Items": ['),
      /^cost ledger: DynamoDB table TenantCosts: .*(aborted|socket hang up|terminated|ECONNRESET|connection reset)/i,
    ],
    [
      'Items not a list',
      (res) => ddbAnswer(res, JSON.stringify({ Items: 'none', Count: 0 })),
      /^cost ledger: malformed Scan response from DynamoDB table TenantCosts: Items is not a list$/,
    ],
    [
      'an item that is not a map',
      (res) => ddbAnswer(res, JSON.stringify({ Items: ['acme'], Count: 1 })),
      /^cost ledger: malformed Scan response from DynamoDB table TenantCosts: an item is not a map of attributes$/,
    ],
    [
      'a cost of type BOOL',
      (res) => ddbAnswer(res, ddbPage([ddbItem('acme', '2024-05-10', { BOOL: true })])),
      /^cost ledger: DynamoDB table TenantCosts: an item's cost_usd is \{"BOOL":true\}; it must be a string \(S\) or a number \(N\)$/,
    ],
    [
      'a cost string that is not a number',
      (res) => ddbAnswer(res, ddbPage([ddbItem('acme', '2024-05-10', { S: 'fifty' })])),
      /^cost ledger: DynamoDB table TenantCosts: an item's cost_usd: cost is not a number \("fifty"\)$/,
    ],
    [
      'a date that is not a date',
      (res) => ddbAnswer(res, ddbPage([{ ...ddbItem('acme', '2024-05-10', { N: '1' }), usage_date: { S: 'soon' } }])),
      /^cost ledger: DynamoDB table TenantCosts: an item's usage_date: unreadable date "soon"$/,
    ],
  ])('%s → ERROR with the cause, never PASS', async (_name, answer, cause) => {
    const r = await run((_n, _req, res) => answer(res));
    expectError(r, cause, 8000);
    expect(r.result.summary).not.toContain('\n');
  });

  hugeIt('a huge page (~10 MB, 90,000 items) is summed whole and exactly', async () => {
    const filler = Array.from({ length: 90_000 }, (_, i) =>
      ddbItem(i % 2 ? 'acme' : 'globex', `2024-05-${String((i % 28) + 1).padStart(2, '0')}`, { N: '0.0000000001' }),
    );
    const body = ddbPage([...filler, ...DDB_ITEMS]);
    expect(body.length).toBeGreaterThan(10_000_000);
    const r = await run((_n, _req, res) => ddbAnswer(res, body), 30);
    expect(r.result.status).toBe('PASS');
    // 90,000 × $0.0000000001 = $0.000009 on top of $150: summed exactly, not lost to floats.
    expect(r.result.criteria.find((c) => c.id === 'aws-total')?.summary).toBe('AWS: tracked $150.00 vs billed $150.00 (0.00%)');
    expect(r.result.evidence).toContain('ledger: DynamoDB table TenantCosts (scanned: 1 pages, summed per page) (90003 rows read)');
    expect(r.ms).toBeLessThan(10_000);
  });
});
