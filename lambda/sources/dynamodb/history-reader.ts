import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { HistoryRecord } from '../../core/history';

/**
 * Reads the history table (string keys `pk`/`sk`, `sk` starting with an ISO-8601 time) for
 * callers that need only part of a partition: the newest record, or the records since a time.
 * Strongly consistent, so a verdict written a moment ago is seen; every call can be aborted.
 */
export class DynamoDbHistoryReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  describe(): string {
    return `DynamoDB table ${this.table}`;
  }

  /** The record with the greatest sort key: one descending Query with Limit 1, whatever the partition's size. */
  async newest(pk: string, signal?: AbortSignal): Promise<HistoryRecord | undefined> {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: marshall({ ':pk': pk }),
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
      { abortSignal: signal },
    );
    const item = page.Items?.[0];
    return item ? (unmarshall(item) as HistoryRecord) : undefined;
  }

  /** Records with `sk >= since`, oldest first, every page. */
  async since(pk: string, since: string, signal?: AbortSignal): Promise<HistoryRecord[]> {
    const out: HistoryRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: marshall({ ':pk': pk, ':since': since }),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
        { abortSignal: signal },
      );
      for (const item of page.Items ?? []) out.push(unmarshall(item) as HistoryRecord);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
