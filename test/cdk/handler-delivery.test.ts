/**
 * What a deployed gate function delivers besides metrics and reports: a notification on the
 * changes topic only when its result changed since its previous run of the same kind, and
 * Security Hub findings when opted in. The handler runs in-process against dynalite and the
 * SNS, S3 and Security Hub stand-ins, with the environment variables the stack sets.
 */
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { startDynalite, setEnv } from '../standins/dynalite';
import { startS3 } from '../standins/s3';
import { startSns, type SnsStandIn } from '../standins/sns';
import { startSecurityHub, type SecurityHubStandIn } from '../standins/securityhub';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:deltest-readiness-changes';
const TABLE = 'deltest-history';
// A tenants gate whose database refuses connections: ERROR, fast, without a database.
const CONFIG = JSON.stringify({
  version: 1,
  suite: 'deltest',
  sources: { appdb: { type: 'postgres', url: 'postgres://app@127.0.0.1:9/app', connectTimeoutSeconds: 2 } },
  gates: { tenants: { source: 'appdb' } },
});

describe('the gate function tells the changes topic only on a change, and publishes to Security Hub', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let sns: SnsStandIn;
  let hub: SecurityHubStandIn;
  let restore: () => void;
  let handler: (event: object, context: Context) => Promise<{ status: string }>;
  let request = 0;
  const invoke = (event = {}) =>
    handler(event, {
      awsRequestId: `req-${++request}`,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:deltest-tenants',
      getRemainingTimeInMillis: () => 90_000,
    } as Context);

  beforeAll(async () => {
    [dynamo, s3, sns, hub] = await Promise.all([
      startDynalite(),
      startS3({ buckets: [{ name: 'deltest-reports' }] }),
      startSns([TOPIC]),
      startSecurityHub({ region: 'us-east-1' }),
    ]);
    restore = setEnv({
      ...dynamo.env,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      AWS_ENDPOINT_URL_SECURITYHUB: hub.endpoint,
      AWS_MAX_ATTEMPTS: '1',
      SAAS_READINESS_GATE: 'tenants',
      SAAS_READINESS_CONFIG: CONFIG,
      SAAS_READINESS_HISTORY_TABLE: TABLE,
      SAAS_READINESS_REPORTS_BUCKET: 'deltest-reports',
      SAAS_READINESS_CHANGES_TOPIC: TOPIC,
      SAAS_READINESS_SECURITY_HUB: '1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // The previous scheduled run passed; a probe run in between failed (another kind: not compared).
    const earlier = (sk: string, run: string, status: string) =>
      dynamo.client.send(
        new PutItemCommand({ TableName: TABLE, Item: marshall({ pk: 'deltest#result#tenants', sk, run, status, summary: `was ${status}`, criteria: [] }) }),
      );
    await earlier('2026-01-01T00:00:00.000Z#a', 'scheduled', 'PASS');
    await earlier('2026-01-01T01:00:00.000Z#b', 'probes', 'FAIL');
    // As the tenants gate's bundle composes it: the gate and the one source its config opens.
    const [{ gateHandler }, { Registry }, { gate }, { source }] = await Promise.all([
      import('../../lambda/handlers/gate'),
      import('../../lambda/core/registry'),
      import('../../lambda/checks/tenants/gate'),
      import('../../lambda/sources/postgres'),
    ]);
    handler = gateHandler(new Registry([gate], [source]));
  }, 60_000);

  afterAll(async () => {
    restore?.();
    await Promise.all([dynamo?.stop(), s3?.stop(), sns?.close(), hub?.close()]);
  });

  it('notifies once when the gate newly fails, in email text and the chat custom-notification format', async () => {
    const first = await invoke();
    expect(first.status).toBe('ERROR');
    expect(sns.published).toHaveLength(1);
    const [msg] = sns.published;
    expect(msg).toMatchObject({
      topicArn: TOPIC,
      structure: 'json',
      subject: 'saas-readiness deltest: tenants newly failing',
      attributes: { change: 'regression', gate: 'tenants', suite: 'deltest' },
    });
    const body = JSON.parse(msg.message) as { default: string; email: string };
    expect(body.email).toMatch(/^saas-readiness deltest: tenants newly failing \(scheduled run\)\n\ntenants: newly failing \(PASS → ERROR\) — /);
    expect(JSON.parse(body.default)).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown', title: expect.stringContaining('tenants newly failing') },
      metadata: { threadId: 'saas-readiness/deltest/tenants' },
    });

    const second = await invoke();
    expect(second.status).toBe('ERROR');
    expect(sns.published).toHaveLength(1); // same result as last time: nothing to tell
  });

  it("publishes the scheduled result to Security Hub in the function's account and region, updating its findings in place", () => {
    // Two runs, one finding for the gate and one for its criterion in error: still two.
    const product = 'arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default';
    expect([...hub.findings.values()].map((f) => [f.Id, f.ProductArn, (f.Compliance as { Status: string }).Status, f.RecordState])).toEqual([
      ['saas-readiness/deltest/tenants', product, 'NOT_AVAILABLE', 'ACTIVE'],
      ['saas-readiness/deltest/tenants/store', product, 'NOT_AVAILABLE', 'ACTIVE'],
    ]);
  });
});
