import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Rules from docs/contracts/dynamodb.md shared by every DynamoDB adapter (rule ids in brackets). */

/** The sbt-aws TenantDetails attributes [S2–S6]. */
export const SBT_AWS = {
  id: 'tenantId',
  name: 'tenantName',
  tier: 'tier',
  config: 'tenantConfig',
  /** BOOL: true when the tenant is created, false when it is deleted (the item stays). */
  active: 'sbtaws_active',
} as const;

/**
 * The ExclusiveStartKey for the next page, or undefined on the last page [D2]: "If
 * LastEvaluatedKey is empty, then the last page of results has been processed".
 */
export function nextStartKey(lastEvaluatedKey: Record<string, AttributeValue> | undefined): Record<string, AttributeValue> | undefined {
  return lastEvaluatedKey && Object.keys(lastEvaluatedKey).length > 0 ? lastEvaluatedKey : undefined;
}

/** What DynamoDB answers for a table that does not exist: DescribeContinuousBackups has its own name [D7]. */
const TABLE_NOT_FOUND = new Set(['ResourceNotFoundException', 'TableNotFoundException']);

/**
 * A missing table's error does not say which name was looked up where [D7]; say so, and how a
 * CloudFormation-generated name is found [S1]. Other errors are returned unchanged.
 */
export async function explainTableError(err: unknown, client: DynamoDBClient, table: string): Promise<unknown> {
  const name = (err as { name?: string } | null)?.name;
  if (!name || !TABLE_NOT_FOUND.has(name)) return err;
  const region = await client.config.region().catch(() => undefined);
  return new Error(
    `DynamoDB table '${table}' not found${region ? ` in ${region}` : ''} (${name}); ` +
      'sbt-aws creates TenantDetails without a tableName, so CloudFormation generates its name (<stack>-…TenantDetails…-<suffix>): ' +
      'look it up as docs/gates/tenants.md ("Finding the sbt-aws table name") shows and set table: ${env:TENANT_DETAILS_TABLE}',
  );
}
