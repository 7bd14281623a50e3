/**
 * `saas-readiness ack`: records a break-glass acknowledgement (gate, owner, reason, expiry) in the
 * history table the deployed stack shares, and the part of `run` that shows the suite's
 * acknowledgements in every report when that table is given.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { acknowledgementRecord, newAcknowledgement, type AcknowledgementSection } from '../core/acknowledgements';
import type { Registry } from '../core/registry';
import { resolveConfig } from '../core/config/load';
import { ConfigError, describeError } from '../core/errors';
import { redact } from '../core/redact';
import type { RunReport } from '../core/runner';
import { acknowledgementSection } from '../hook/history';
import { HOOK_ENV } from '../hook/settings';
import type { DynamoDbHistoryStore } from '../sources/dynamodb/history';
import type { DynamoDbHistoryReader } from '../sources/dynamodb/history-reader';

// The DynamoDB client and history adapters load only when acknowledgements are read or written.
const dynamoDb = (): { DynamoDBClient: typeof DynamoDBClient } => require('@aws-sdk/client-dynamodb');
const historyStore = (): { DynamoDbHistoryStore: typeof DynamoDbHistoryStore } => require('../sources/dynamodb/history');
const historyReader = (): { DynamoDbHistoryReader: typeof DynamoDbHistoryReader } => require('../sources/dynamodb/history-reader');
import type { CliIo } from './main';

export { ACK_HELP, ACK_OPTIONS } from './options';

/** How long reading acknowledgements for a report may take before the report says it could not. */
const READ_TIMEOUT_MS = 10_000;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** `--history-table`, else SAAS_READINESS_HISTORY_TABLE (the variable the deployed functions get). */
export function historyTableOf(values: Values, env: NodeJS.ProcessEnv): string | undefined {
  const table = (values['history-table'] as string | undefined) ?? env[HOOK_ENV.historyTable];
  return table?.trim() || undefined;
}

export async function ackCommand(values: Values, io: CliIo, registry: Registry, now = new Date()): Promise<number> {
  if (typeof values.gate === 'string' && !registry.isGateId(values.gate)) throw new ConfigError(`--gate: unknown gate '${values.gate}'`);
  const ack = newAcknowledgement(
    {
      gate: values.gate as string | undefined,
      owner: values.owner as string | undefined,
      reason: values.reason as string | undefined,
      expires: values.expires as string | undefined,
    },
    now,
  );
  const table = historyTableOf(values, io.env);
  if (!table) throw new ConfigError(`--history-table (or ${HOOK_ENV.historyTable}) is required: the deployed stack's HistoryTable output`);
  const { config } = resolveConfig(registry, values.config as string | undefined, io.cwd, { env: io.env });
  const client = new (dynamoDb().DynamoDBClient)({});
  const store = new (historyStore().DynamoDbHistoryStore)(client, table);
  try {
    await store.append(acknowledgementRecord(config.suite, ack));
  } catch (err) {
    io.stderr(`saas-readiness: the acknowledgement was not recorded: ${store.describe()}: ${redact(describeError(err))}\n`);
    return 1;
  } finally {
    client.destroy();
  }
  io.stdout(
    `acknowledged: gate ${ack.gate} of suite ${config.suite}, owner ${ack.owner}, until ${ack.validUntil} (${store.describe()})\n` +
      `the deploy hook lets guarded stacks through while ${ack.gate} is not passing, and every report shows it until it expires\n`,
  );
  return 0;
}

/** The acknowledgements part of a `run` report, read from the history table. */
export async function reportAcknowledgements(report: RunReport, table: string): Promise<AcknowledgementSection> {
  const client = new (dynamoDb().DynamoDBClient)({});
  try {
    return await acknowledgementSection(report, new (historyReader().DynamoDbHistoryReader)(client, table), new Date(), AbortSignal.timeout(READ_TIMEOUT_MS));
  } finally {
    client.destroy();
  }
}
