/**
 * The Lambda entry point of a deployed gate: the same engine as `saas-readiness run`, for one gate.
 * It loads the config slice the stack deployed, runs the gate under a deadline below the function
 * timeout, and then publishes the result four ways: EMF metrics, one structured log line, a record
 * in the history table, and the reports in S3.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { GATES } from '../catalog';
import { parseConfig } from '../core/config/load';
import { describeError } from '../core/errors';
import { isGateId } from '../core/config/load';
import type { GateId } from '../core/gate';
import { compareGate, gateRecordOf, previousRun } from '../core/changes';
import { historyKey } from '../core/history';
import { DURATION_METRIC, KEY_MEASUREMENTS, METRIC_NAMESPACE, STATUS_METRICS, dimensionsOf, keyMeasurementValue, type RunKind } from '../core/metrics';
import { redact } from '../core/redact';
import { renderJson } from '../core/report/json';
import { renderMarkdown } from '../core/report/markdown';
import { errorOutcome, STATUSES, type CheckResult } from '../core/result';
import { runGates, verdictOf, REPORT_SCHEMA_VERSION, type RunReport } from '../core/runner';
import { RuntimeSecretResolver } from '../core/secrets';
import { DynamoDbHistoryStore } from '../sources/history/dynamodb';
import { DynamoDbHistoryReader } from '../sources/history/dynamodb-reader';
import { acknowledgementSection } from '../hook/history';
import { publishToSecurityHub } from '../sinks/security-hub';
import { changeNotification } from './change-notification';
import { HANDLER_ENV, PUBLISH_RESERVE_SECONDS, RESULT_LOG_MESSAGE, reportPrefix, type GateEvent } from './contract';
import { probeKeys, withoutProbes } from './probes';

const SERVICE = 'saas-readiness';
/** Reading the acknowledgements for the reports gives up after this long (the reports then say so). */
const ACK_READ_TIMEOUT_MS = 5_000;

const logger = new Logger({ serviceName: SERVICE });
// Clients live across invocations of a warm function; the SDK's standard retry strategy applies.
let s3: S3Client | undefined;
let dynamodb: DynamoDBClient | undefined;
let sns: SNSClient | undefined;
let securityHub: SecurityHubClient | undefined;
const secrets = new RuntimeSecretResolver();

export interface GateInvocationResult {
  suite: string;
  gate: GateId;
  run: RunKind;
  status: CheckResult['status'];
  summary: string;
  report: string;
}

export async function handler(event: GateEvent | undefined, context: Context): Promise<GateInvocationResult> {
  const env = process.env;
  const gateId = required(HANDLER_ENV.gate);
  if (!isGateId(gateId)) throw new Error(`${HANDLER_ENV.gate}=${gateId} is not a gate id`);
  const run: RunKind = event?.probes === true ? 'probes' : 'scheduled';
  const started = new Date();

  let report: RunReport;
  let leftOut: string[] = [];
  try {
    const loaded = parseConfig(required(HANDLER_ENV.config), HANDLER_ENV.config, { env });
    const own = loaded.config.gates[gateId];
    if (!own) throw new Error(`gate ${gateId} is not in the deployed config`);
    if (run === 'scheduled') {
      leftOut = probeKeys(own);
      loaded.config.gates[gateId] = withoutProbes(own);
    }
    // The gate's deadline must fall before the function's, so an overrun is an ERROR result, not a kill.
    const budget = Math.floor(context.getRemainingTimeInMillis() / 1000) - PUBLISH_RESERVE_SECONDS;
    const gate = loaded.config.gates[gateId]!;
    gate.timeoutSeconds = Math.max(1, Math.min(gate.timeoutSeconds ?? 60, budget));
    report = await runGates({ gates: GATES, loaded, only: [gateId], secrets, probes: run === 'probes', tool: { name: SERVICE, version: 'lambda' } });
  } catch (err) {
    report = configErrorReport(gateId, run, started, describeError(err));
  }

  const result = report.results.find((r) => r.gate === gateId) ?? configErrorReport(gateId, run, started, 'the gate was not run').results[0];
  const suite = report.suite;
  publishMetrics(suite, gateId, run, result);
  const prefix = reportPrefix(suite, gateId, result.startedAt);
  logger.info(RESULT_LOG_MESSAGE, {
    suite,
    gate: gateId,
    run,
    status: result.status,
    summary: result.summary,
    ...(result.remediation ? { remediation: redact(result.remediation) } : {}),
    ...(leftOut.length ? { probesLeftOut: leftOut } : {}),
    durationMs: result.durationMs,
    report: prefix,
  });

  // Break-glass acknowledgements show in every report; they never change the result.
  dynamodb ??= new DynamoDBClient({});
  report.acknowledgements = await acknowledgementSection(report, new DynamoDbHistoryReader(dynamodb, required(HANDLER_ENV.historyTable)), new Date(), AbortSignal.timeout(ACK_READ_TIMEOUT_MS));
  // Storage and delivery failures fail the invocation (so the failure destination records it), after the metrics are out.
  await Promise.all([
    appendHistory(suite, result, run, leftOut, prefix, context.awsRequestId),
    writeReports(report, prefix),
    ...(run === 'scheduled' && env[HANDLER_ENV.securityHub] === '1' ? [publishFindings(suite, result, context.invokedFunctionArn)] : []),
  ]);
  return { suite, gate: gateId, run, status: result.status, summary: result.summary, report: prefix };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}

/** A report for a run that could not start (the deployed config failed to load): ERROR with the cause. */
function configErrorReport(gate: GateId, run: RunKind, started: Date, cause: string): RunReport {
  const suite = process.env[HANDLER_ENV.config] ? suiteOf(process.env[HANDLER_ENV.config]!) : 'unknown';
  const result: CheckResult = {
    gate,
    title: GATES.find((g) => g.id === gate)?.title ?? gate,
    ...errorOutcome(`deployed configuration: ${redact(cause)}`, 'Fix readiness.yaml and redeploy (cdk synth validates it the same way).'),
    startedAt: started.toISOString(),
    durationMs: Date.now() - started.getTime(),
  };
  const { verdict, reason } = verdictOf([result], false);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: SERVICE, version: 'lambda' },
    suite,
    verdict,
    verdictReason: reason,
    allowSkip: false,
    probes: run === 'probes',
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    results: [result],
  };
}

function suiteOf(configJson: string): string {
  try {
    const suite = (JSON.parse(configJson) as { suite?: unknown }).suite;
    return typeof suite === 'string' ? suite : 'unknown';
  } catch {
    return 'unknown';
  }
}

function publishMetrics(suite: string, gate: GateId, run: RunKind, result: CheckResult): void {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE });
  // Only the documented dimensions: alarms and the dashboard match on the exact dimension set.
  metrics.clearDefaultDimensions();
  metrics.addDimensions(dimensionsOf(suite, gate, run));
  for (const status of STATUSES) metrics.addMetric(STATUS_METRICS[status], MetricUnit.Count, result.status === status ? 1 : 0);
  metrics.addMetric(DURATION_METRIC, MetricUnit.Milliseconds, result.durationMs);
  const key = keyMeasurementValue(gate, result.measurements);
  if (key !== undefined) metrics.addMetric(KEY_MEASUREMENTS[gate].metric, KEY_MEASUREMENTS[gate].unit, key);
  metrics.publishStoredMetrics();
}

/**
 * Appends the run to the history; when it differs from the previous run of the same kind and a
 * changes topic is configured, tells the topic first (one message per change, none otherwise).
 */
async function appendHistory(suite: string, result: CheckResult, run: RunKind, leftOut: string[], prefix: string, requestId: string): Promise<void> {
  const table = required(HANDLER_ENV.historyTable);
  dynamodb ??= new DynamoDBClient({});
  const store = new DynamoDbHistoryStore(dynamodb, table);
  const sk = `${result.startedAt}#${requestId}`;
  const topic = process.env[HANDLER_ENV.changesTopic];
  if (topic) {
    const previous = await previousRun(store, suite, result.gate, sk, new Date(), run);
    const change = previous && compareGate(previous, gateRecordOf(result));
    if (change) {
      sns ??= new SNSClient({});
      await sns.send(new PublishCommand({ TopicArn: topic, ...changeNotification(change, suite, run) }));
    }
  }
  await store.append({
    pk: historyKey.result(suite, result.gate),
    sk,
    run,
    ...gateRecordOf(result),
    ...(result.remediation ? { remediation: redact(result.remediation) } : {}),
    measurements: result.measurements,
    ...(leftOut.length ? { probesLeftOut: leftOut } : {}),
    durationMs: result.durationMs,
    report: prefix,
  });
}

/** Security Hub findings in the function's own account and region (from its ARN). */
async function publishFindings(suite: string, result: CheckResult, functionArn: string): Promise<void> {
  const [, partition, , region, accountId] = functionArn.split(':');
  securityHub ??= new SecurityHubClient({});
  await publishToSecurityHub(securityHub, suite, [result], { accountId, region, partition });
}

async function writeReports(report: RunReport, prefix: string): Promise<void> {
  const bucket = required(HANDLER_ENV.reportsBucket);
  s3 ??= new S3Client({});
  const files = [
    { name: 'report.json', contentType: 'application/json', content: renderJson(report) },
    { name: 'report.md', contentType: 'text/markdown; charset=utf-8', content: renderMarkdown(report) },
    ...report.results.flatMap((r) => r.artifacts ?? []),
  ];
  await Promise.all(
    files.map((f) => s3!.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${f.name}`, Body: redact(f.content), ContentType: f.contentType }))),
  );
}
