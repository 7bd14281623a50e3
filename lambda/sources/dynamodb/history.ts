import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { HISTORY_RETENTION_DAYS, type HistoryRecord, type HistoryStore } from '../../core/history';
import { nextStartKey } from './contract';

/**
 * History in a DynamoDB table with partition key `pk` and sort key `sk` (both strings) and TTL on
 * `expiresAt` — the table the CDK app deploys, usable from the CLI so CI runners share one history.
 */
export class DynamoDbHistoryStore implements HistoryStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly retentionDays = HISTORY_RETENTION_DAYS,
  ) {}

  describe(): string {
    return `DynamoDB table ${this.table}`;
  }

  async append(record: HistoryRecord): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.retentionDays * 86_400;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: marshall({ ...record, expiresAt }, { removeUndefinedValues: true, convertClassInstanceToMap: true }),
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return; // the same record was already appended
      throw err;
    }
  }

  async query(pk: string, since?: string): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: since ? 'pk = :pk AND sk >= :since' : 'pk = :pk',
          ExpressionAttributeValues: marshall(since ? { ':pk': pk, ':since': since } : { ':pk': pk }),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) out.push(unmarshall(item) as HistoryRecord);
      start = nextStartKey(page.LastEvaluatedKey);
    } while (start);
    return out;
  }
}
