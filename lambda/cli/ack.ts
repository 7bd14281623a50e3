/**
 * `saas-readiness ack`: records a break-glass acknowledgement (gate, owner, reason, expiry) in the
 * history table the deployed stack shares, and the part of `run` that shows the suite's
 * acknowledgements in every report when that table is given.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ParseArgsConfig } from 'node:util';
import {
  acknowledgementRecord,
  ACK_MAX_HOURS,
  classifyAcknowledgements,
  newAcknowledgement,
  type AcknowledgementSection,
} from '../core/acknowledgements';
import { resolveConfig } from '../core/config/load';
import { ConfigError, describeError } from '../core/errors';
import { redact } from '../core/redact';
import type { RunReport } from '../core/runner';
import { readAcknowledgements } from '../hook/history';
import { HOOK_ENV } from '../hook/settings';
import { DynamoDbHistoryStore } from '../sources/history/dynamodb';
import { DynamoDbHistoryReader } from '../sources/history/dynamodb-reader';
import type { CliIo } from './main';

export const ACK_OPTIONS = {
  gate: { type: 'string' },
  owner: { type: 'string' },
  reason: { type: 'string' },
  expires: { type: 'string' },
  'history-table': { type: 'string' },
} satisfies ParseArgsConfig['options'];

export const ACK_HELP = `  saas-readiness ack --gate ID --owner WHO --reason WHY --expires 4h|2d|ISO-TIME
                    [--history-table NAME] [--config FILE]
                                      break glass: let the deploy hook pass while gate ID is
                                      not passing, until the expiry (at most ${ACK_MAX_HOURS / 24} days); shown
                                      in every report until then`;

/** How long reading acknowledgements for a report may take before the report says it could not. */
const READ_TIMEOUT_MS = 10_000;

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** `--history-table`, else SAAS_READINESS_HISTORY_TABLE (the variable the deployed functions get). */
export function historyTableOf(values: Values, env: NodeJS.ProcessEnv): string | undefined {
  const table = (values['history-table'] as string | undefined) ?? env[HOOK_ENV.historyTable];
  return table?.trim() || undefined;
}

export async function ackCommand(values: Values, io: CliIo, now = new Date()): Promise<number> {
  const ack = newAcknowledgement(
    { gate: values.gate as string | undefined, owner: values.owner as string | undefined, reason: values.reason as string | undefined, expires: values.expires as string | undefined },
    now,
  );
  const table = historyTableOf(values, io.env);
  if (!table) throw new ConfigError(`--history-table (or ${HOOK_ENV.historyTable}) is required: the deployed stack's HistoryTable output`);
  const { config } = resolveConfig(values.config as string | undefined, io.cwd, { env: io.env });
  const client = new DynamoDBClient({});
  const store = new DynamoDbHistoryStore(client, table);
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

/**
 * The suite's acknowledgements as a report shows them: each one in use (its gate did not PASS in
 * this report), unused or expired. A table that cannot be read is said so, never left out.
 */
export async function acknowledgementSection(report: RunReport, table: string, now = new Date()): Promise<AcknowledgementSection> {
  const client = new DynamoDBClient({});
  const reader = new DynamoDbHistoryReader(client, table);
  try {
    const acks = await readAcknowledgements(reader, report.suite, now, AbortSignal.timeout(READ_TIMEOUT_MS));
    const standing = (gate: string) => {
      const result = report.results.find((r) => r.gate === gate);
      return !result ? 'not evaluated' : result.status === 'PASS' ? 'passing' : 'not passing';
    };
    return { source: reader.describe(), entries: classifyAcknowledgements(acks, standing, now) };
  } catch (err) {
    return { source: reader.describe(), entries: [], error: redact(describeError(err)) };
  } finally {
    client.destroy();
  }
}
