/**
 * The Lambda handler of a deployed gate: the same engine as `saas-readiness run`, for one gate.
 * Each gate's function is bundled from its own entry (composed at synth: `gateHandler` with a
 * registry of that gate and the sources its config opens), so it carries only their code and
 * clients. It loads the config slice the stack deployed, runs the gate under a deadline below
 * the function timeout, and hands the result to its sinks: EMF metrics, the result log line, the
 * history table, the reports bucket and (opt-in) Security Hub.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { LambdaInterface } from '@aws-lambda-powertools/commons/types';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describeError } from '../core/errors';
import type { GateDefinition } from '../core/gate';
import { METRIC_NAMESPACE, type RunKind } from '../core/metrics';
import { probeKeys, withoutProbes } from '../core/probes';
import { redact } from '../core/redact';
import type { Registry } from '../core/registry';
import type { CheckResult } from '../core/result';
import type { RunReport } from '../core/runner';
import { RuntimeSecretResolver } from '../core/secrets';
import { publishStatusMetric } from '../sinks/metrics';
import { resultLogSink } from '../sinks/result-log';
import type { ResultSink } from '../sinks/sink';
import { HANDLER_ENV, PUBLISH_RESERVE_SECONDS, reportPrefix, type GateEvent } from './contract';

const SERVICE = 'saas-readiness';
/** Reading the acknowledgements for the reports gives up after this long (the reports then say so). */
const ACK_READ_TIMEOUT_MS = 5_000;

const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE });
// Only the documented dimensions (Suite, Gate, Run): alarms and the dashboard match on the exact set.
metrics.clearDefaultDimensions();
// Clients live across invocations of a warm function; the SDK's standard retry strategy applies.
// Created on first use and kept across invocations: loading the bundle runs none of the SDK's code,
// and a client a run does not use (Security Hub unless enabled, SNS without a changes topic) never loads.
const lazy = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};
const clients = {
  s3: lazy((): S3Client => new (require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3')).S3Client({})),
  dynamodb: lazy((): DynamoDBClient => new (require('@aws-sdk/client-dynamodb') as typeof import('@aws-sdk/client-dynamodb')).DynamoDBClient({})),
  sns: lazy((): SNSClient => new (require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns')).SNSClient({})),
  securityHub: lazy(
    (): SecurityHubClient => new (require('@aws-sdk/client-securityhub') as typeof import('@aws-sdk/client-securityhub')).SecurityHubClient({}),
  ),
};
// The engine (config loader, runner) and the sinks load on the first invocation, with what they use.
const engine = () => ({
  ...(require('../core/config/load') as typeof import('../core/config/load')),
  ...(require('../core/runner') as typeof import('../core/runner')),
  ...(require('../hook/history') as typeof import('../hook/history')),
});
const secrets = new RuntimeSecretResolver();

export interface GateInvocationResult {
  suite: string;
  gate: string;
  run: RunKind;
  status: CheckResult['status'];
  summary: string;
  report: string;
}

class GateFunction implements LambdaInterface {
  constructor(private readonly registry: Registry) {}

  @metrics.logMetrics({ throwOnEmptyMetrics: false })
  public async handler(event: GateEvent | undefined, context: Context): Promise<GateInvocationResult> {
    const gate = this.registry.gate(required(HANDLER_ENV.gate));
    if (!gate)
      throw new Error(`${HANDLER_ENV.gate}=${process.env[HANDLER_ENV.gate]} is not the gate this function was built for (${this.registry.gateIds.join(', ')})`);
    const run: RunKind = event?.probes === true ? 'probes' : 'scheduled';
    const { report, probesLeftOut } = await this.evaluate(gate, run, context);
    const result = report.results[0];
    const suite = report.suite;
    const prefix = reportPrefix(suite, gate.id, result.startedAt);
    // Break-glass acknowledgements show in every report; they never change the result.
    const table = required(HANDLER_ENV.historyTable);
    const { acknowledgementSection } = engine();
    const { DynamoDbHistoryReader } = require('../sources/dynamodb/history-reader') as typeof import('../sources/dynamodb/history-reader');
    report.acknowledgements = await acknowledgementSection(
      report,
      new DynamoDbHistoryReader(clients.dynamodb(), table),
      new Date(),
      AbortSignal.timeout(ACK_READ_TIMEOUT_MS),
    );
    const published = { report, result, suite, run, prefix, probesLeftOut, requestId: context.awsRequestId, functionArn: context.invokedFunctionArn };
    const [immediate, stored] = sinksOf(gate, table);
    for (const sink of immediate) await sink.publish(published);
    // Storage and delivery failures fail the invocation (so the failure destination records it); the
    // status metric then says 0, so the gate's one alarm also covers a run whose result was not kept.
    try {
      await Promise.all(stored.map((sink) => sink.publish(published)));
    } catch (err) {
      publishStatusMetric(metrics, published, false);
      throw err;
    }
    publishStatusMetric(metrics, published, true);
    return { suite, gate: gate.id, run, status: result.status, summary: result.summary, report: prefix };
  }

  /** Runs the gate on the deployed config slice; a slice that does not load is an ERROR report from the runner. */
  private async evaluate(gate: GateDefinition, run: RunKind, context: Context): Promise<{ report: RunReport; probesLeftOut: string[] }> {
    const tool = { name: SERVICE, version: 'lambda' };
    const text = required(HANDLER_ENV.config);
    try {
      const { parseConfig, runGates } = engine();
      const loaded = parseConfig(this.registry, text, HANDLER_ENV.config, { env: process.env });
      const own = loaded.config.gates[gate.id];
      if (!own) throw new Error(`gate ${gate.id} is not in the deployed config`);
      const probesLeftOut = run === 'scheduled' ? probeKeys(gate, own) : [];
      // The gate's deadline must fall before the function's, so an overrun is an ERROR result, not a kill.
      const budget = Math.floor(context.getRemainingTimeInMillis() / 1000) - PUBLISH_RESERVE_SECONDS;
      const deployed = run === 'scheduled' ? withoutProbes(gate, own) : own;
      loaded.config.gates[gate.id] = { ...deployed, timeoutSeconds: Math.max(1, Math.min(deployed.timeoutSeconds ?? 60, budget)) };
      const report = await runGates({ registry: this.registry, loaded, only: [gate.id], secrets, probes: run === 'probes', tool });
      return { report, probesLeftOut };
    } catch (err) {
      const cause = `deployed configuration: ${redact(describeError(err))}`;
      const remediation = 'Fix readiness.yaml and redeploy (cdk synth validates it the same way).';
      return {
        report: engine().configErrorReport({
          registry: this.registry,
          only: [gate.id],
          suite: suiteOf(text),
          cause,
          remediation,
          probes: run === 'probes',
          tool,
        }),
        probesLeftOut: [],
      };
    }
  }
}

/** The sinks of one run: metrics and the log line first, then storage and delivery, concurrently. */
function sinksOf(gate: GateDefinition, table: string): [ResultSink[], ResultSink[]] {
  const { historySink } = require('../sinks/history') as typeof import('../sinks/history');
  const { reportsSink } = require('../sinks/reports') as typeof import('../sinks/reports');
  const { securityHubSink } = require('../sinks/security-hub') as typeof import('../sinks/security-hub');
  const { DynamoDbHistoryStore } = require('../sources/dynamodb/history') as typeof import('../sources/dynamodb/history');
  const topicArn = process.env[HANDLER_ENV.changesTopic];
  return [
    [resultLogSink(logger, gate)],
    [
      historySink(new DynamoDbHistoryStore(clients.dynamodb(), table), topicArn ? { sns: clients.sns(), topicArn } : undefined),
      reportsSink(clients.s3(), required(HANDLER_ENV.reportsBucket)),
      ...(process.env[HANDLER_ENV.securityHub] === '1' ? [securityHubSink(clients.securityHub())] : []),
    ],
  ];
}

/** The handler of a function that runs one gate of `registry` (which holds that gate and the sources it opens). */
export function gateHandler(registry: Registry): (event: GateEvent | undefined, context: Context) => Promise<GateInvocationResult> {
  const fn = new GateFunction(registry);
  return fn.handler.bind(fn);
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}

function suiteOf(configJson: string): string {
  try {
    const suite = (JSON.parse(configJson) as { suite?: unknown }).suite;
    return typeof suite === 'string' ? suite : 'unknown';
  } catch {
    return 'unknown';
  }
}
