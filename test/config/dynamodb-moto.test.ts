import { CreateTableCommand, DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDbHistoryStore } from '../../lambda/sources/dynamodb/history';
import { setEnv } from '../standins/dynalite';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { createTenantDetails, generatedTenantDetailsName, putItems, sbtAwsItem } from '../standins/sbt-aws';
import { runConfigGate } from './support';

/**
 * Second opinion (moto) on gate 3's DynamoDB adapter over TenantDetails laid out exactly as sbt-aws
 * creates it: generated name, tenantId key, tenantConfigIndex, point-in-time recovery on, configs
 * as JSON strings, and a canary whose ID is a generated UUID like every sbt-aws tenant's.
 */
describeWithMoto('gate 3 on an sbt-aws TenantDetails table (moto)', () => {
  let moto: MotoServer;
  let client: DynamoDBClient;
  let restoreEnv: () => void;
  const table = generatedTenantDetailsName();
  const history = 'ReadinessHistory';
  let canary: string;

  beforeAll(async () => {
    moto = await startMoto();
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST', AWS_SECRET_ACCESS_KEY: 'local-test-secret' };
    restoreEnv = setEnv({ ...env, AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint });
    client = new DynamoDBClient({
      endpoint: moto.endpoint,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    await createTenantDetails(client, table, { pitr: true });
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
    const items = Array.from({ length: 6 }, (_, i) =>
      sbtAwsItem({
        tenantName: `tenant${i}`,
        tier: i === 0 ? 'premium' : 'basic',
        config: { userPoolId: `pool-${i}`, apiGatewayUrl: 'https://api.example.com', features: { sso: i === 0 } },
      }),
    );
    canary = items[5].tenantId.S!;
    await putItems(client, table, items);
  }, 60_000);
  afterAll(async () => {
    restoreEnv?.();
    client?.destroy();
    await moto?.stop();
  });

  const scanAll = async () => {
    const items: Record<string, AttributeValue>[] = (await client.send(new ScanCommand({ TableName: table, ConsistentRead: true }))).Items ?? [];
    return JSON.stringify(items.sort((a, b) => (a.tenantId.S! < b.tenantId.S! ? -1 : 1)));
  };

  it('parses every tenantConfig string, round-trips the canary item only, and finds point-in-time recovery', async () => {
    const before = await scanAll();
    const result = await runConfigGate(
      { registry: { type: 'dynamodb', table, layout: 'sbt-aws' } },
      { source: 'registry', history: { table: history }, canary: { tenant: canary } },
    );
    expect(result.criteria.map((c) => [c.id, c.status])).toEqual([
      ['configs', 'PASS'],
      ['schema-stable', 'FAIL'],
      ['round-trip', 'PASS'],
      ['audit-trail', 'PASS'],
    ]);
    expect(result.criteria[0].summary).toBe('6 tenant configs parse');
    expect(result.criteria[3].summary).toMatch(new RegExp(`^change count not available \\(DynamoDB table ${table}: point-in-time recovery since `));
    expect(await scanAll()).toBe(before);
    const [fingerprint] = await new DynamoDbHistoryStore(client, history).query('test#schema#registry');
    const entries = (fingerprint as unknown as { entries: string[] }).entries;
    expect(entries).toEqual(
      expect.arrayContaining([
        'key tenantId HASH S',
        'attribute sbtaws_active BOOL',
        'attribute tenantConfig S',
        'attribute prices L',
        'json features.sso boolean',
      ]),
    );
    const yaml = result.artifacts?.find((a) => a.name === 'tenant_configs.yaml')?.content ?? '';
    expect(yaml).toMatch(/tier: premium/);
  });
});
