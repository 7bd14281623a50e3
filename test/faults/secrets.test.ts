import type { ServerResponse } from 'node:http';
import { httpFaultServer, type LocalServer } from '../support/faults';
import { setEnv } from '../standins/dynalite';
import { runGate } from '../support/gate';
import { SecretsManagerResolver } from '../../lambda/core/secrets';
import { healthyDatadog, startDatadog, type DatadogOrg } from '../standins/datadog';
import type { LocalServer as MonitoringServer } from '../standins/local-server';
import { hugeIt } from '../support/tiers';

/**
 * Secrets Manager under faults, through the real @aws-sdk/client-secrets-manager (AWS JSON 1.1,
 * `secretsmanager.GetSecretValue`) pointed at a local endpoint with AWS_ENDPOINT_URL_SECRETS_MANAGER.
 * A secret that cannot be read makes the gate that needs it ERROR naming the secret and the cause
 * (never PASS, never FAIL: the secret is the means of measuring), in bounded time; no secret value
 * ever appears in the report.
 */
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:monitoring/datadog-AbCdEf';
const JSON11 = { 'content-type': 'application/x-amz-json-1.1' };

let seq = 0;
/** Secret values unique to each test, so "not in the report" is not satisfied by an earlier test's redaction. */
function freshKeys(): { api: string; app: string } {
  seq++;
  return { api: `dd-api-secret-value-${seq}-${Date.now()}`, app: `dd-app-secret-value-${seq}-${Date.now()}` };
}

function secretAnswer(res: ServerResponse, fields: Record<string, unknown>): void {
  res
    .writeHead(200, JSON11)
    .end(JSON.stringify({ ARN, Name: 'monitoring/datadog', VersionId: 'v-1', VersionStages: ['AWSCURRENT'], CreatedDate: 1_700_000_000.123, ...fields }));
}
function awsError(res: ServerResponse, type: string, message: string, status = 400): void {
  res
    .writeHead(status, { ...JSON11, 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.secrets/` })
    .end(JSON.stringify({ __type: type, Message: message }));
}
const throttle = (res: ServerResponse) => awsError(res, 'ThrottlingException', 'Rate exceeded');

describe('Secrets Manager under faults (gate 4 keys as ${secret:ARN#key})', () => {
  let dd: DatadogOrg;
  let ddServer: MonitoringServer;
  let sm: LocalServer | undefined;
  let restore: (() => void) | undefined;
  beforeAll(async () => {
    dd = healthyDatadog();
    ddServer = await startDatadog(dd);
  });
  afterAll(() => ddServer.close());
  afterEach(async () => {
    restore?.();
    restore = undefined;
    await sm?.close();
    sm = undefined;
  });

  async function run(handler: Parameters<typeof httpFaultServer>[0], opts: { timeoutSeconds?: number; endpoint?: string } = {}) {
    sm = await httpFaultServer((n, req, res, body) => {
      // Only the real wire format gets an answer: a fault server that accepted anything would prove nothing.
      if (
        req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' ||
        req.headers['content-type'] !== 'application/x-amz-json-1.1' ||
        JSON.parse(body).SecretId !== ARN
      ) {
        return awsError(res, 'UnknownOperationException', `unexpected request ${req.headers['x-amz-target']}`);
      }
      handler(n, req, res, body);
    });
    restore = setEnv({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: opts.endpoint ?? sm.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSECRETSTEST',
      AWS_SECRET_ACCESS_KEY: 'secrets-test-signing-key',
      AWS_MAX_ATTEMPTS: '3',
    });
    const t0 = Date.now();
    const out = await runGate(
      {
        sources: { dd: { type: 'datadog', apiKey: `\${secret:${ARN}#api}`, appKey: `\${secret:${ARN}#app}`, apiUrl: ddServer.url } },
        gates: { monitoring: { timeoutSeconds: opts.timeoutSeconds ?? 10, minTenants: 10, datadog: { source: 'dd', env: 'prod' } } },
      },
      'monitoring',
      { secrets: new SecretsManagerResolver() },
    );
    return { ...out, ms: Date.now() - t0, json: JSON.stringify(out.report) };
  }

  /** Every criterion of the provider is ERROR with the same cause, and the gate summary leads with it. */
  function expectErrorNaming(result: Awaited<ReturnType<typeof run>>['result'], cause: RegExp): void {
    expect(result.status).toBe('ERROR');
    expect(result.criteria.map((c) => c.status)).toEqual(['ERROR', 'ERROR', 'ERROR']);
    expect(result.criteria[0].summary).toMatch(cause);
    expect(result.summary).toBe(`Datadog: ${result.criteria[0].summary}`);
  }

  it('healthy: one GetSecretValue for both keys, PASS, and neither key appears in the report', async () => {
    const keys = freshKeys();
    Object.assign(dd, { apiKey: keys.api, appKey: keys.app });
    const { result, json } = await run((_n, _req, res) => secretAnswer(res, { SecretString: JSON.stringify(keys) }));
    expect(result.status).toBe('PASS');
    expect(sm!.hits()).toBe(1);
    expect(json).not.toContain(keys.api);
    expect(json).not.toContain(keys.app);
  });

  it('unreachable endpoint → ERROR naming the secret, host and port', async () => {
    const closed = await httpFaultServer(() => undefined);
    await closed.close();
    const { result, ms } = await run(() => undefined, { endpoint: closed.url });
    // Plain Node: "connection refused to 127.0.0.1:PORT (ECONNREFUSED)". Under jest the SDK sees a
    // cross-realm error and keeps only its message ("… connect ECONNREFUSED 127.0.0.1:PORT").
    expectErrorNaming(
      result,
      new RegExp(
        `^cannot read secret ${escapeRegExp(ARN)}: .*(connection refused to 127\\.0\\.0\\.1:${closed.port} \\(ECONNREFUSED\\)|connect ECONNREFUSED 127\\.0\\.0\\.1:${closed.port})$`,
      ),
    );
    expect(ms).toBeLessThan(5000);
  });

  it.each<[string, string, string, RegExp]>([
    [
      'AccessDenied',
      'AccessDeniedException',
      'User: arn:aws:sts::111122223333:assumed-role/readiness/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: monitoring/datadog',
      /: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role\/readiness\/fn is not authorized to perform: secretsmanager:GetSecretValue on resource: monitoring\/datadog \(HTTP 400\)$/,
    ],
    [
      'ResourceNotFound',
      'ResourceNotFoundException',
      "Secrets Manager can't find the specified secret.",
      /: ResourceNotFoundException: Secrets Manager can't find the specified secret\. \(HTTP 400\)$/,
    ],
    [
      'DecryptionFailure (KMS key not usable)',
      'DecryptionFailure',
      'Access to KMS is not allowed',
      /: DecryptionFailure: Access to KMS is not allowed \(HTTP 400\)$/,
    ],
  ])('%s → ERROR naming the AWS error, not retried', async (_name, type, message, cause) => {
    const { result, ms } = await run((_n, _req, res) => awsError(res, type, message));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}${cause.source}`));
    expect(sm!.hits()).toBe(1);
    expect(ms).toBeLessThan(3000);
  });

  it('throttled then recovered → the SDK retry strategy recovers, PASS after 2 requests', async () => {
    const keys = freshKeys();
    Object.assign(dd, { apiKey: keys.api, appKey: keys.app });
    const { result, json, ms } = await run((n, _req, res) => (n === 1 ? throttle(res) : secretAnswer(res, { SecretString: JSON.stringify(keys) })));
    expect(result.status).toBe('PASS');
    expect(sm!.hits()).toBe(2);
    expect(json).not.toContain(keys.api);
    expect(ms).toBeLessThan(5000);
  });

  it('throttled past the retry budget → ERROR naming throttling after exactly AWS_MAX_ATTEMPTS requests', async () => {
    const { result, ms } = await run((_n, _req, res) => throttle(res));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: ThrottlingException: Rate exceeded \\(HTTP 400\\)$`));
    expect(sm!.hits()).toBe(3);
    expect(ms).toBeLessThan(8000);
  });

  it('malformed JSON (cut inside the secret string) → ERROR "malformed response", the partial value not shown', async () => {
    const partial = `dd-api-partial-${Date.now()}`;
    const { result, json } = await run((_n, _req, res) => res.writeHead(200, JSON11).end(`{"ARN":"${ARN}","SecretString":"{\\"api\\":\\"${partial}`));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: malformed response: Unterminated string in JSON`));
    expect(json).not.toContain(partial);
  });

  it('a truncated body (connection dropped mid-answer) → ERROR naming the reset, retried within the budget', async () => {
    const { result, ms } = await run((_n, _req, res) => {
      res.writeHead(200, { ...JSON11, 'content-length': '400' });
      res.write(`{"ARN":"${ARN}","SecretStr`);
      res.destroy();
    });
    // Plain Node: "connection reset (ECONNRESET)"; under jest (cross-realm error) the SDK keeps the message.
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: .*(connection reset \\(ECONNRESET\\)|socket hang up)$`));
    expect(sm!.hits()).toBe(3);
    expect(ms).toBeLessThan(6000);
  });

  it('a secret that is not JSON, read with #key → ERROR saying so, without the value', async () => {
    const value = `plain-text-api-key-${Date.now()}`;
    const { result, json } = await run((_n, _req, res) => secretAnswer(res, { SecretString: value }));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: the secret is not a JSON object$`));
    expect(json).not.toContain(value);
  });

  it('a JSON secret without the key → ERROR naming the missing field, without the other values', async () => {
    const keys = freshKeys();
    const { result, json } = await run((_n, _req, res) => secretAnswer(res, { SecretString: JSON.stringify({ api: keys.api, application: keys.app }) }));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: the secret has no string field 'app'$`));
    expect(json).not.toContain(keys.api);
    expect(json).not.toContain(keys.app);
  });

  it('a binary secret (SecretBinary, no SecretString) → ERROR saying binary secrets are not supported', async () => {
    const raw = `binary-secret-${Date.now()}`;
    const { result, json } = await run((_n, _req, res) => secretAnswer(res, { SecretBinary: Buffer.from(raw).toString('base64') }));
    expectErrorNaming(
      result,
      new RegExp(`^cannot read secret ${escapeRegExp(ARN)}: it is a binary secret \\(SecretBinary\\); store the value as SecretString$`),
    );
    expect(json).not.toContain(raw);
    expect(json).not.toContain(Buffer.from(raw).toString('base64'));
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'SecretString of the wrong type',
      { SecretString: 12345 },
      /: malformed GetSecretValue response from Secrets Manager: SecretString is a number, not a string$/,
    ],
    ['neither SecretString nor SecretBinary', {}, /: malformed GetSecretValue response from Secrets Manager: it has neither SecretString nor SecretBinary$/],
  ])('%s → ERROR naming what was wrong', async (_name, fields, cause) => {
    const { result } = await run((_n, _req, res) => secretAnswer(res, fields));
    expectErrorNaming(result, new RegExp(`^cannot read secret ${escapeRegExp(ARN)}${cause.source}`));
  });

  hugeIt('a huge secret (12 MB JSON) is read, not a crash, and its values stay out of the report', async () => {
    const keys = freshKeys();
    Object.assign(dd, { apiKey: keys.api, appKey: keys.app });
    const doc = { ...keys, padding: 'p'.repeat(12_000_000) };
    const { result, json } = await run((_n, _req, res) => secretAnswer(res, { SecretString: JSON.stringify(doc) }), { timeoutSeconds: 15 });
    expect(result.status).toBe('PASS');
    expect(json).not.toContain(keys.api);
    expect(json.length).toBeLessThan(100_000);
  });

  it('Secrets Manager slower than the gate deadline → ERROR naming the deadline', async () => {
    const { result, ms } = await run(() => undefined, { timeoutSeconds: 1 });
    expect(result).toMatchObject({
      status: 'ERROR',
      summary:
        "timed out after 1 s (raise gates.monitoring.timeoutSeconds if the system is just slow); still waiting on monitoring provider (source 'dd', datadog)",
    });
    expect(ms).toBeLessThan(2500);
  });
});

describe('Secrets Manager under faults (gate 1 PostgreSQL source with secretArn)', () => {
  it('access denied → the tenants gate ERRORs naming the secret and the AWS error', async () => {
    const server = await httpFaultServer((_n, _req, res) => awsError(res, 'AccessDeniedException', 'not authorized to perform: secretsmanager:GetSecretValue'));
    const restore = setEnv({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: server.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSECRETSTEST',
      AWS_SECRET_ACCESS_KEY: 'secrets-test-signing-key',
      AWS_MAX_ATTEMPTS: '3',
    });
    try {
      const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:rds/app-XyZ123';
      const t0 = Date.now();
      const { result } = await runGate(
        { sources: { db: { type: 'postgres', secretArn: arn } }, gates: { tenants: { source: 'db', timeoutSeconds: 5 } } },
        'tenants',
        { secrets: new SecretsManagerResolver() },
      );
      expect(result.status).toBe('ERROR');
      expect(result.summary).toMatch(
        new RegExp(`cannot read secret ${escapeRegExp(arn)}: AccessDeniedException: not authorized to perform: secretsmanager:GetSecretValue \\(HTTP 400\\)$`),
      );
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      restore();
      await server.close();
    }
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
