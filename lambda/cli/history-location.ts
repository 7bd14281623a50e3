import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError } from '../core/errors';
import type { HistoryStore } from '../core/history';
import { DynamoDbHistoryStore } from '../sources/dynamodb/history';
import { DEFAULT_HISTORY_FILE, FileHistoryStore } from '../sources/file/history';

/**
 * `--history LOCATION`: a JSON-lines file (relative to the working directory), or
 * `dynamodb:TABLE` for the history table the CDK app deploys (the SDK environment picks the
 * region and credentials), so CI runs and deployed runs share one history.
 */
export function historyStoreAt(location: string | undefined, cwd: string): HistoryStore {
  const where = location ?? DEFAULT_HISTORY_FILE;
  const table = /^dynamodb:(.*)$/.exec(where);
  if (table) {
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table[1])) throw new ConfigError(`--history: '${table[1]}' is not a DynamoDB table name (dynamodb:TABLE)`);
    return new DynamoDbHistoryStore(new DynamoDBClient({}), table[1]);
  }
  if (!where.trim()) throw new ConfigError('--history: give a file path or dynamodb:TABLE');
  return new FileHistoryStore(resolve(cwd, where));
}
