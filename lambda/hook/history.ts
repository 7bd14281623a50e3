/**
 * What the deploy-time hook reads: the newest verdict of each required gate (one descending Query
 * with Limit 1 per gate, however long the history) and the suite's acknowledgements.
 */
import {
  acknowledgementOf,
  acknowledgementsSince,
  classifyAcknowledgements,
  type Acknowledgement,
  type AcknowledgementSection,
} from '../core/acknowledgements';
import { describeError } from '../core/errors';
import type { GateId } from '../core/gate';
import { historyKey, type HistoryRecord } from '../core/history';
import { redact } from '../core/redact';
import { STATUSES, type Status } from '../core/result';
import type { RunReport } from '../core/runner';
import type { DynamoDbHistoryReader } from '../sources/dynamodb/history-reader';

/** The newest result a deployed gate function appended (see lambda/handlers/gate.ts). */
export interface LatestVerdict {
  gate: GateId;
  status: Status;
  summary: string;
  remediation?: string;
  /** When that run started (ISO-8601): the time part of the record's sort key. */
  at: string;
  /** `scheduled` or `probes`. */
  run?: string;
}

export interface ReadinessHistory {
  verdicts: Partial<Record<GateId, LatestVerdict>>;
  acknowledgements: Acknowledgement[];
}

/** A gate result record as a verdict; throws when its status or time cannot be read, so nothing is guessed. */
export function verdictOf(gate: GateId, record: HistoryRecord): LatestVerdict {
  const at = record.sk.split('#')[0];
  const status = record.status as Status;
  if (!STATUSES.includes(status) || Number.isNaN(Date.parse(at))) {
    throw new Error(`the newest record of ${record.pk} (${record.sk}) has no readable status and time`);
  }
  return {
    gate,
    status,
    summary: typeof record.summary === 'string' ? record.summary : '',
    ...(typeof record.remediation === 'string' ? { remediation: record.remediation } : {}),
    at,
    ...(typeof record.run === 'string' ? { run: record.run } : {}),
  };
}

export async function readAcknowledgements(reader: DynamoDbHistoryReader, suite: string, now: Date, signal?: AbortSignal): Promise<Acknowledgement[]> {
  const records = await reader.since(historyKey.ack(suite), acknowledgementsSince(now), signal);
  return records.map(acknowledgementOf).filter((a): a is Acknowledgement => a !== undefined);
}

/**
 * The suite's acknowledgements as a report shows them: each in use (its gate did not PASS in this
 * report), unused or expired. Acknowledgements that cannot be read are said so, never left out.
 */
export async function acknowledgementSection(
  report: Pick<RunReport, 'suite' | 'results'>,
  reader: DynamoDbHistoryReader,
  now: Date,
  signal?: AbortSignal,
): Promise<AcknowledgementSection> {
  try {
    const acks = await readAcknowledgements(reader, report.suite, now, signal);
    const standing = (gate: string) => {
      const result = report.results.find((r) => r.gate === gate);
      return !result ? 'not evaluated' : result.status === 'PASS' ? 'passing' : 'not passing';
    };
    return { source: reader.describe(), entries: classifyAcknowledgements(acks, standing, now) };
  } catch (err) {
    return { source: reader.describe(), entries: [], error: redact(describeError(err)) };
  }
}

/** Reads every required gate's newest verdict and the acknowledgements concurrently. Throws when any read fails. */
export async function readReadinessHistory(
  reader: DynamoDbHistoryReader,
  suite: string,
  gates: readonly GateId[],
  now: Date,
  signal?: AbortSignal,
): Promise<ReadinessHistory> {
  const [newest, acknowledgements] = await Promise.all([
    Promise.all(gates.map(async (gate) => [gate, await reader.newest(historyKey.result(suite, gate), signal)] as const)),
    readAcknowledgements(reader, suite, now, signal),
  ]);
  const verdicts: Partial<Record<GateId, LatestVerdict>> = {};
  for (const [gate, record] of newest) if (record) verdicts[gate] = verdictOf(gate, record);
  return { verdicts, acknowledgements };
}
