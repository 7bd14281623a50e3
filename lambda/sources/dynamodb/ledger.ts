import { type DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { describeError } from '../../core/errors';
import type { CostLedger, LedgerSummary } from '../../checks/cost/ports';
import type { CostWindow } from '../../checks/cost/window';
import { ledgerColumns, type LedgerMapping } from '../../checks/cost/ledger-mapping';
import { LedgerTally } from '../../checks/cost/ledger-tally';
import { nextStartKey } from './contract';

const text = (v: AttributeValue | undefined): string | undefined => v?.S ?? v?.N;

/**
 * The cost ledger in a DynamoDB table. DynamoDB cannot aggregate, so the table is scanned in
 * parallel segments projecting only the four attributes, and each page is summed as it arrives
 * (memory grows with tenants, not items). Numbers are read as their exact decimal text.
 */
export class DynamoDbCostLedger implements CostLedger {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly mapping: LedgerMapping,
    private readonly segments = 4,
  ) {}

  async summarize(window: CostWindow, signal: AbortSignal): Promise<LedgerSummary> {
    const names = ledgerColumns(this.mapping);
    const attrs = [names.tenant, names.provider, names.date, names.cost];
    const tally = new LedgerTally(window);
    let pages = 0;
    const scan = async (segment: number) => {
      let start: Record<string, AttributeValue> | undefined;
      do {
        let page;
        try {
          page = await this.client.send(
            new ScanCommand({
              TableName: this.table,
              Segment: segment,
              TotalSegments: this.segments,
              ProjectionExpression: attrs.map((_, i) => `#a${i}`).join(', '),
              ExpressionAttributeNames: Object.fromEntries(attrs.map((a, i) => [`#a${i}`, a])),
              ExclusiveStartKey: start,
            }),
            { abortSignal: signal },
          );
        } catch (err) {
          if (signal.aborted) throw err;
          // Name the table; one line (the SDK's deserialization errors add a second line about a hidden field).
          throw new Error(`DynamoDB table ${this.table}: ${describeError(err).split('\n')[0]}`);
        }
        pages++;
        if (page.Items !== undefined && !Array.isArray(page.Items)) {
          throw new Error(`malformed Scan response from DynamoDB table ${this.table}: Items is not a list`);
        }
        for (const item of page.Items ?? []) {
          if (typeof item !== 'object' || item === null || Array.isArray(item)) {
            throw new Error(`malformed Scan response from DynamoDB table ${this.table}: an item is not a map of attributes`);
          }
          const wrong = [names.tenant, names.provider, names.date, names.cost].find((a) => item[a] !== undefined && typeof text(item[a]) !== 'string');
          if (wrong) {
            throw new Error(
              `DynamoDB table ${this.table}: an item's ${wrong} is ${JSON.stringify(item[wrong]).slice(0, 40)}; it must be a string (S) or a number (N)`,
            );
          }
          const date = item[names.date];
          const problem = tally.add(
            text(item[names.tenant]) ?? '',
            text(item[names.provider]) ?? '',
            date?.N !== undefined ? Number(date.N) : date?.S,
            text(item[names.cost]),
          );
          if (problem) throw new Error(`DynamoDB table ${this.table}: an item's ${problem.startsWith('cost') ? names.cost : names.date}: ${problem}`);
        }
        start = nextStartKey(page.LastEvaluatedKey);
      } while (start);
    };
    await Promise.all(Array.from({ length: this.segments }, (_, s) => scan(s)));
    return tally.summary(`DynamoDB table ${this.table} (scanned: ${pages} pages, summed per page)`);
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}
