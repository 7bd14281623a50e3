import { BUILT_IN } from '../../lambda/registry';
import { CreateTableCommand, PutItemCommand, ScanCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbHistoryStore } from '../../lambda/sources/dynamodb/history';
import { setEnv, startDynalite } from '../standins/dynalite';
import { startDynamoStandIn } from '../standins/dynamodb';
import { DAY, runConfigGate, tempHistoryFile } from './support';
import { parseConfig } from '../../lambda/core/config/load';

const TENANTS = ['acme', 'globex', 'initech', 'hooli', 'test-canary'];
const configOf = (id: string) => ({ model: 'gpt-4o', retrieval: { topK: 8 }, apiKey: `sk-${id}-secret` });

describe('gate 3 on DynamoDB (dynalite, sbt-aws TenantDetails)', () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  let standIn: Awaited<ReturnType<typeof startDynamoStandIn>>;
  const state = { pitr: true, stream: false };
  let restoreEnv: () => void;
  let client: DynamoDBClient;
  let table = 0;

  beforeAll(async () => {
    db = await startDynalite();
    standIn = await startDynamoStandIn(db.endpoint, state);
    restoreEnv = setEnv({ ...db.env, AWS_ENDPOINT_URL_DYNAMODB: standIn.endpoint });
    client = db.client;
  });
  afterAll(async () => {
    restoreEnv?.();
    await standIn?.stop();
    await db?.stop();
  });

  /** A fresh TenantDetails table and history table per test. */
  async function seed(): Promise<{ tenants: string; history: string }> {
    table++;
    const tenants = `TenantDetails${table}`;
    const history = `ReadinessHistory${table}`;
    await client.send(
      new CreateTableCommand({
        TableName: tenants,
        KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new CreateTableCommand({
        TableName: history,
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
    for (const id of TENANTS) {
      await client.send(
        new PutItemCommand({
          TableName: tenants,
          Item: marshall({
            tenantId: id,
            tenantName: id.toUpperCase(),
            tier: id === 'acme' ? 'PREMIUM' : 'BASIC',
            sbtaws_active: true,
            tenantConfig: JSON.stringify(configOf(id)),
          }),
        }),
      );
    }
    return { tenants, history };
  }
  const scanAll = async (t: string) =>
    JSON.stringify(((await client.send(new ScanCommand({ TableName: t }))).Items ?? []).sort((a, b) => (a.tenantId.S! < b.tenantId.S! ? -1 : 1)));
  const run = (t: { tenants: string; history: string }, gate: Record<string, unknown> = {}, now?: Date) =>
    runConfigGate(
      { appdb: { type: 'dynamodb', table: t.tenants, layout: 'sbt-aws' } },
      { history: { table: t.history }, canary: { tenant: 'test-canary' }, ...gate },
      { now },
    );

  it('round-trips the canary, writes only the canary item, and keeps fingerprints and journal in the DynamoDB history table', async () => {
    const t = await seed();
    const before = await scanAll(t.tenants);
    const result = await run(t);
    expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
      ['configs', 'PASS'],
      ['schema-stable', 'FAIL'],
      ['round-trip', 'PASS'],
      ['audit-trail', 'PASS'],
    ]);
    expect(result.criteria[0].summary).toBe('5 tenant configs parse');
    // DynamoDB has no migrations table: a first run cannot prove 30 days.
    expect(result.criteria[1].summary).toMatch(/^schema unchanged for 0 of 30 days \(history since \d{4}-\d\d-\d\d, no migrations table\)$/);
    expect(result.criteria[2].summary).toMatch(/^config change written and read back in \d+ ms without a deploy, canary restored exactly$/);
    expect(result.criteria[3].summary).toMatch(/^change count not available \(DynamoDB table TenantDetails\d+: point-in-time recovery since /);
    expect(await scanAll(t.tenants)).toBe(before);
    const history = new DynamoDbHistoryStore(client, t.history);
    expect(await history.query('test#schema#appdb')).toHaveLength(1);
    expect((await history.query('test#probe#appdb')).map((r) => r.event)).toEqual(['begin', 'end']);
    // The artifact redacts apiKey values and keeps the tier.
    const yaml = result.artifacts?.find((a) => a.name === 'tenant_configs.yaml')?.content ?? '';
    expect(yaml).toContain("acme:\n  tier: PREMIUM\n  config:\n    model: gpt-4o\n    retrieval:\n      topK: 8\n    apiKey: '***redacted***'");
    expect(yaml).not.toContain('sk-acme-secret');
  });

  it('PASSes stability on 35 days of unchanged history, then FAILs naming an added attribute', async () => {
    const t = await seed();
    await run(t, {}, new Date(Date.now() - 35 * DAY));
    const stable = await run(t);
    expect(stable.criteria[1]).toMatchObject({ status: 'PASS' });
    expect(stable.criteria[1].summary).toMatch(/^schema stable since \d{4}-\d\d-\d\d \(35 days; history since /);
    await client.send(
      new UpdateItemCommand({
        TableName: t.tenants,
        Key: marshall({ tenantId: 'acme' }),
        UpdateExpression: 'SET #r = :r',
        ExpressionAttributeNames: { '#r': 'region' },
        ExpressionAttributeValues: marshall({ ':r': 'eu-west-1' }),
      }),
    );
    const changed = await run(t);
    expect(changed.criteria[1].status).toBe('FAIL');
    expect(changed.criteria[1].summary).toBe(
      `schema unchanged for 0 of 30 days (changed on ${new Date().toISOString().slice(0, 10)}: attribute added: region S)`,
    );
  });

  it('reports streams as the audit trail, and FAILs the audit criterion without streams or PITR', async () => {
    const t = await seed();
    state.stream = true;
    state.pitr = false;
    try {
      const withStream = await run(t, { canary: undefined });
      expect(withStream.criteria.find((c) => c.id === 'audit-trail')?.summary).toBe(
        `change count not available (DynamoDB table ${t.tenants}: stream (NEW_AND_OLD_IMAGES))`,
      );
      state.stream = false;
      const none = await run(t, { canary: undefined });
      const audit = none.criteria.find((c) => c.id === 'audit-trail')!;
      expect(audit.status).toBe('FAIL');
      expect(audit.summary).toBe(`no audit trail for config changes (DynamoDB table ${t.tenants}: no stream and point-in-time recovery DISABLED)`);
    } finally {
      state.pitr = true;
      state.stream = false;
    }
  });

  it('is ERROR naming the table and how to find the generated name when the literal TenantDetails is configured', async () => {
    const result = await run({ tenants: 'TenantDetails', history: 'unused' }, { history: { file: tempHistoryFile() }, canary: undefined });
    expect(result.status).toBe('ERROR');
    expect(result.summary).toMatch(
      /^config store: DynamoDB table 'TenantDetails' not found in us-east-1 \(ResourceNotFoundException\); sbt-aws creates TenantDetails without a tableName/,
    );
  });

  it('with layout: custom, gate 3 must name the attributes it reads', () => {
    const yaml = `version: 1\nsuite: t\nsources:\n  reg: { type: dynamodb, table: Configs, layout: custom }\ngates:\n  config:\n    source: reg\n    idAttribute: pk\n`;
    expect(() => parseConfig(BUILT_IN, yaml, 'readiness.yaml')).toThrow(
      /gates\.config\.configAttribute: required: source 'reg' has layout: custom, which assumes no attribute names/,
    );
  });

  it('names the tenant whose tenantConfig string is not JSON', async () => {
    const t = await seed();
    await client.send(
      new UpdateItemCommand({
        TableName: t.tenants,
        Key: marshall({ tenantId: 'hooli' }),
        UpdateExpression: 'SET tenantConfig = :c',
        ExpressionAttributeValues: marshall({ ':c': '{"model": ' }),
      }),
    );
    const result = await run(t, { canary: undefined });
    expect(result.criteria[0].status).toBe('FAIL');
    expect(result.criteria[0].summary).toBe('1 of 5 tenant configs do not parse: hooli');
    expect(result.criteria[0].evidence?.[1]).toMatch(/^hooli: not valid JSON \(/);
  });
});
