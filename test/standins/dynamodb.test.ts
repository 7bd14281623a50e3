import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../standins/dynalite';
import { startDynamoStandIn, type DynamoStandInState } from './dynamodb';
import { createTenantDetails, generatedTenantDetailsName, putItems, sbtAwsItem } from './sbt-aws';

/**
 * One test per rule of docs/contracts/dynamodb.md that the adapters rely on, with the real SDK
 * against dynalite behind the stand-in: if a rule here stops holding, the stand-in (or dynalite)
 * no longer behaves like the service and the adapter tests built on it prove nothing.
 */
describe('DynamoDB contract rules (real SDK → stand-in → dynalite)', () => {
  let db: Awaited<ReturnType<typeof startDynalite>>;
  let standIn: Awaited<ReturnType<typeof startDynamoStandIn>>;
  const state: DynamoStandInState = { pitr: true, stream: false };
  let client: DynamoDBClient;
  const table = generatedTenantDetailsName();

  beforeAll(async () => {
    db = await startDynalite();
    standIn = await startDynamoStandIn(db.endpoint, state);
    client = new DynamoDBClient({
      endpoint: standIn.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local' },
      maxAttempts: 3,
    });
    await createTenantDetails(db.client, table, { pitr: false });
    // About 2.4 MB: more than two 1 MB pages.
    await putItems(
      db.client,
      table,
      Array.from({ length: 300 }, (_, i) => ({ ...sbtAwsItem({ tenantName: `tenant${i}` }), notes: { S: 'x'.repeat(8000) } })),
    );
  });
  afterAll(async () => {
    client?.destroy();
    await standIn?.stop();
    await db?.stop();
  });

  const scanAll = async (input: Omit<ScanCommandInput, 'TableName'>) => {
    const pages: { count: number; bytes: number; last: boolean }[] = [];
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ...input }));
      items.push(...(page.Items ?? []));
      pages.push({ count: page.Count ?? 0, bytes: JSON.stringify(page.Items ?? []).length, last: !page.LastEvaluatedKey });
      start = page.LastEvaluatedKey;
    } while (start);
    return { pages, items };
  };
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      const e = err as { name: string; message: string; $metadata: { httpStatusCode?: number; attempts?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, attempts: e.$metadata?.attempts };
    }
    throw new Error('expected the call to fail');
  };

  it('[D1] a table name is 3–255 characters of [a-zA-Z0-9_.-]: anything else is ValidationException', async () => {
    expect(await failure(client.send(new ScanCommand({ TableName: 'ab' })))).toMatchObject({ name: 'ValidationException', status: 400 });
    expect(await failure(client.send(new ScanCommand({ TableName: 'Tenant Details' })))).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('[D1, D7] a table that does not exist (e.g. the literal TenantDetails) is ResourceNotFoundException, HTTP 400, not retried', async () => {
    expect(await failure(client.send(new ScanCommand({ TableName: 'TenantDetails' })))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 400,
      attempts: 1,
    });
  });

  it('[D2] Scan stops at 1 MB with a LastEvaluatedKey; only the page without one is the last', async () => {
    const { pages, items } = await scanAll({});
    expect(items).toHaveLength(300);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.slice(0, -1).every((p) => !p.last)).toBe(true);
    expect(pages[pages.length - 1].last).toBe(true);
    // Count is per page, never the table's total.
    expect(pages[0].count).toBeLessThan(300);
    for (const p of pages) expect(p.bytes).toBeLessThan(1.1 * 1024 * 1024);
  });

  it('[D3] parallel segments 0…TotalSegments−1 partition the table; Segment must be below TotalSegments', async () => {
    const ids = await Promise.all(
      [0, 1, 2].map(async (Segment) => (await scanAll({ Segment, TotalSegments: 3, ProjectionExpression: 'tenantId' })).items.map((i) => i.tenantId.S)),
    );
    expect(ids.flat().sort()).toEqual((await scanAll({ ProjectionExpression: 'tenantId' })).items.map((i) => i.tenantId.S).sort());
    expect(new Set(ids.flat()).size).toBe(300);
    expect(await failure(client.send(new ScanCommand({ TableName: table, Segment: 3, TotalSegments: 3 })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(client.send(new ScanCommand({ TableName: table, Segment: 0 })))).toMatchObject({ name: 'ValidationException' });
    expect(await failure(client.send(new ScanCommand({ TableName: table, Segment: 0, TotalSegments: 1_000_001 })))).toMatchObject({
      name: 'ValidationException',
    });
  });

  it('[D4] ProjectionExpression: a reserved word needs an expression attribute name; a missing attribute is left out', async () => {
    expect(await failure(client.send(new ScanCommand({ TableName: table, ProjectionExpression: 'tenantId, status' })))).toMatchObject({
      name: 'ValidationException',
    });
    const page = await client.send(
      new ScanCommand({ TableName: table, Limit: 1, ProjectionExpression: '#a0, #a1', ExpressionAttributeNames: { '#a0': 'tenantId', '#a1': 'status' } }),
    );
    expect(Object.keys(page.Items![0])).toEqual(['tenantId']);
  });

  it('[D5] ConsistentRead is accepted on Scan of the table and on GetItem', async () => {
    const page = await client.send(new ScanCommand({ TableName: table, Limit: 1, ConsistentRead: true }));
    const got = await client.send(new GetItemCommand({ TableName: table, Key: { tenantId: page.Items![0].tenantId }, ConsistentRead: true }));
    expect(got.Item?.tenantId).toEqual(page.Items![0].tenantId);
  });

  it('[D6, S4, S6] attribute values carry one type each: sbtaws_active a BOOL, tenantConfig an S holding JSON', async () => {
    const page = await client.send(new ScanCommand({ TableName: table, Limit: 1 }));
    const item = page.Items![0];
    expect(item.sbtaws_active).toEqual({ BOOL: true });
    expect(Object.keys(item.tenantConfig)).toEqual(['S']);
    expect(JSON.parse(item.tenantConfig.S!)).toMatchObject({ userPoolId: expect.any(String) });
  });

  it('[D7] AccessDeniedException is HTTP 400 and not retried', async () => {
    state.deny = ['Scan'];
    try {
      const e = await failure(client.send(new ScanCommand({ TableName: table })));
      expect(e).toMatchObject({ name: 'AccessDeniedException', status: 400, attempts: 1 });
      expect(e.message).toContain(`is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:123456789012:table/${table}`);
    } finally {
      state.deny = undefined;
    }
  });

  it('[D7] ProvisionedThroughputExceededException is retried by the SDK up to maxAttempts', async () => {
    state.throttle = { operation: 'Scan', times: 2 };
    const page = await client.send(new ScanCommand({ TableName: table, Limit: 1 }));
    expect(page.$metadata.attempts).toBe(3);
    state.throttle = { operation: 'Scan', times: 3 };
    expect(await failure(client.send(new ScanCommand({ TableName: table, Limit: 1 })))).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      status: 400,
      attempts: 3,
    });
    state.throttle = undefined;
  });

  it('[D8] UpdateItem with a ConditionExpression that is false is ConditionalCheckFailedException; nothing is written', async () => {
    const key = (await client.send(new ScanCommand({ TableName: table, Limit: 1 }))).Items![0].tenantId;
    const update = new UpdateItemCommand({
      TableName: table,
      Key: { tenantId: key },
      UpdateExpression: 'SET #c = :next',
      ConditionExpression: '#c = :expected',
      ExpressionAttributeNames: { '#c': 'tenantConfig' },
      ExpressionAttributeValues: { ':next': { S: '{}' }, ':expected': { S: 'not what is stored' } },
    });
    expect(await failure(client.send(update))).toMatchObject({ name: 'ConditionalCheckFailedException', status: 400 });
    expect((await client.send(new GetItemCommand({ TableName: table, Key: { tenantId: key }, ConsistentRead: true }))).Item?.tenantConfig.S).not.toBe('{}');
  });

  it('[D9, S2] DescribeTable names key and index attributes only; DescribeContinuousBackups reports point-in-time recovery', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'tenantId', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions?.map((d) => `${d.AttributeName} ${d.AttributeType}`).sort()).toEqual(['tenantId S', 'tenantName S']);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['tenantConfigIndex']);
    const backups = await client.send(new DescribeContinuousBackupsCommand({ TableName: table }));
    expect(backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
  });

  it('[D7] DescribeContinuousBackups names a missing table TableNotFoundException, not ResourceNotFoundException', async () => {
    expect(await failure(client.send(new DescribeContinuousBackupsCommand({ TableName: 'TenantDetails' })))).toMatchObject({
      name: 'TableNotFoundException',
      status: 400,
      message: 'Table not found: TenantDetails',
    });
  });

  it('[S5] tenantName, the index key, must be a string when present; an item without it is accepted', async () => {
    expect(await failure(client.send(new PutItemCommand({ TableName: table, Item: { tenantId: { S: 'bad-name' }, tenantName: { N: '7' } } })))).toMatchObject({
      name: 'ValidationException',
    });
    await client.send(new PutItemCommand({ TableName: table, Item: { tenantId: { S: 'no-name' }, sbtaws_active: { BOOL: true } } }));
    expect((await client.send(new GetItemCommand({ TableName: table, Key: { tenantId: { S: 'no-name' } } }))).Item?.tenantName).toBeUndefined();
  });
});
