import { randomBytes, randomUUID } from 'node:crypto';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  UpdateContinuousBackupsCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/**
 * The sbt-aws TenantDetails table and its items exactly as the SaaS Builder Toolkit creates them,
 * written from docs/contracts/dynamodb.md (rules S1–S6), not from the adapters.
 */

/** A name as CloudFormation generates it for the table in stack `stack` [S1]: stack, logical ID, random suffix. */
export function generatedTenantDetailsName(stack = 'ControlPlaneStack'): string {
  const logicalId = `ControlPlanetenantManagementServicetenantManagementTableTenantDetails${randomBytes(4).toString('hex').toUpperCase()}`;
  const suffix = randomBytes(10)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .slice(0, 13)
    .padEnd(13, 'X');
  return `${stack}-${logicalId}-${suffix}`;
}

/**
 * CreateTable as CloudFormation runs it for sbt-aws' TenantManagementTable [S2]: partition key
 * tenantId (S), GSI tenantConfigIndex on tenantName (S) projecting tenantConfig, and aws-cdk-lib's
 * default billing (PROVISIONED, 5 read and 5 write capacity units, the GSI likewise).
 */
export function tenantDetailsTableInput(tableName: string): CreateTableCommandInput {
  const capacity = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  return {
    TableName: tableName,
    KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'tenantId', AttributeType: 'S' },
      { AttributeName: 'tenantName', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'tenantConfigIndex',
        KeySchema: [{ AttributeName: 'tenantName', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['tenantConfig'] },
        ProvisionedThroughput: capacity,
      },
    ],
    ProvisionedThroughput: capacity,
  };
}

/** Creates the table; `pitr` also enables point-in-time recovery as sbt-aws does (where the endpoint implements it). */
export async function createTenantDetails(client: DynamoDBClient, tableName: string, opts: { pitr: boolean }): Promise<void> {
  await client.send(new CreateTableCommand(tenantDetailsTableInput(tableName)));
  if (opts.pitr) {
    await client.send(new UpdateContinuousBackupsCommand({ TableName: tableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
  }
}

export interface SbtAwsTenant {
  tenantName: string;
  tier?: string;
  /** What the provisioning job exported as tenantConfig; null: provisioning has not finished [S6]. */
  config?: Record<string, unknown> | null;
  /** false after DELETE /tenants/{id} [S4]. */
  active?: boolean;
}

/**
 * An item as sbt-aws writes it: POST /tenants stores the registration's tenantData with a new
 * UUID tenantId and sbtaws_active true [S3, S4, S5]; when provisioning succeeds, its exported
 * variables (strings; tenantConfig as jq prints JSON, indented) are set on the item [S6].
 */
export function sbtAwsItem(t: SbtAwsTenant): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    tenantId: { S: randomUUID() },
    tenantName: { S: t.tenantName },
    email: { S: `admin+${t.tenantName}@example.com` },
    tier: { S: t.tier ?? 'basic' },
    prices: { L: [{ M: { id: { S: 'price_123456789Example' }, metricName: { S: 'productsSold' } } }] },
    sbtaws_active: { BOOL: t.active ?? true },
  };
  if (t.config !== null) {
    item.tenantConfig = {
      S: JSON.stringify(
        t.config ?? { userPoolId: 'MY_SAAS_APP_USERPOOL_ID', appClientId: 'MY_SAAS_APP_CLIENT_ID', apiGatewayUrl: 'MY_API_GATEWAY_URL' },
        null,
        2,
      ),
    };
    item.tenantS3Bucket = { S: `tenanttemplatestack-${t.tenantName}-bucket` };
  }
  return item;
}

/** Writes items 25 at a time (the BatchWriteItem limit). */
export async function putItems(client: DynamoDBClient, tableName: string, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}
