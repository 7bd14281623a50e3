import { BatchWriteItemCommand, CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/** The history table as ReadinessResults deploys it: string keys pk/sk, on demand. */
export async function createHistoryTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
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
}

/**
 * A stack-target request exactly as AWS's "Lambda Hook stack input syntax" documents it
 * (docs/contracts/cloudformation-hooks.md): written from the documented fields, not copied.
 */
export function stackRequest(over: Record<string, unknown> = {}, requestData: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    clientRequestToken: '3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11',
    awsAccountId: '123456789012',
    stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/acme-rag-billing/0c2b7e40-ad5e-11ef-9a1c-0a1b2c3d4e5f',
    changeSetId: null,
    hookTypeName: 'Private::Readiness::AcmeRag',
    hookTypeVersion: '00000001',
    hookModel: { LambdaFunction: 'arn:aws:lambda:us-east-1:123456789012:function:acme-rag-readiness-DeployHookFunction' },
    actionInvocationPoint: 'UPDATE_PRE_PROVISION',
    requestData: {
      targetName: 'STACK',
      targetType: 'STACK',
      targetLogicalId: 'acme-rag-billing',
      payload: 'https://example.invalid/never-fetched',
      ...requestData,
    },
    requestContext: { invocation: 1, callbackContext: null },
    ...over,
  };
}

/** A change-set-target request as AWS's "Lambda Hook change set input syntax" documents it. */
export function changeSetRequest(over: Record<string, unknown> = {}): Record<string, unknown> {
  const changeSet = 'arn:aws:cloudformation:us-east-1:123456789012:changeSet/cdk-deploy-change-set/9d8e7f60-ad5e-11ef-9a1c-0a1b2c3d4e5f';
  return stackRequest(
    { changeSetId: changeSet, actionInvocationPoint: 'CREATE_PRE_PROVISION', ...over },
    { targetName: 'CHANGE_SET', targetType: 'CHANGE_SET', targetLogicalId: changeSet },
  );
}

/** An sbt-aws TenantDetails table with `count` active tenants, each with a config and positive quotas. */
export async function seedTenantRegistry(client: DynamoDBClient, table: string, count: number): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  const items = Array.from({ length: count }, (_, i) => ({
    tenantId: `tenant-${String(i).padStart(3, '0')}`,
    tenantName: `Tenant ${i}`,
    tier: 'pro',
    sbtaws_active: true,
    tenantConfig: JSON.stringify({ tier: 'pro', quotas: { rateLimitPerMinute: 60, monthlyTokenQuota: 100_000 } }),
  }));
  for (let i = 0; i < items.length; i += 25) {
    await client.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item: marshall(Item) } })) } }),
    );
  }
}
