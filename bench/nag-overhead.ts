import { App, type AppProps, CfnResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { markPooled, SaaSReadinessChecks } from '../lib/nag';

/** Each service unit is 7 resources: function, role, policy, log group, error alarm, table, queue. */
const SERVICE_UNITS_PER_STACK = 36;
/** Two stacks: CloudFormation allows at most 500 resources in one. */
const STACKS = 2;
const REPETITIONS = 9;

export interface NagOverhead {
  readonly resources: number;
  readonly withoutMs: number;
  readonly withMs: number;
  readonly ratio: number;
}

function buildApp(props: AppProps): App {
  const app = new App(props);
  for (let s = 0; s < STACKS; s++) addServiceStack(app, `Bench${s}`);
  return app;
}

function addServiceStack(app: App, id: string): void {
  const stack = new Stack(app, id);
  for (let i = 0; i < SERVICE_UNITS_PER_STACK; i++) {
    const table = new dynamodb.Table(stack, `Table${i}`, {
      partitionKey: { name: 'tenantId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    });
    const queue = new sqs.Queue(stack, `Queue${i}`);
    const fn = new lambda.Function(stack, `Fn${i}`, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      environment: { TABLE: table.tableName, QUEUE: queue.queueUrl },
      logGroup: new logs.LogGroup(stack, `Logs${i}`, { retention: logs.RetentionDays.ONE_WEEK }),
    });
    table.grantReadData(fn);
    fn.metricErrors({ period: Duration.minutes(1) }).createAlarm(stack, `Errors${i}`, { threshold: 1, evaluationPeriods: 1 });
  }
  markPooled(stack);
}

function countResources(app: App): number {
  return app.node.findAll().filter((construct) => CfnResource.isCfnResource(construct)).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds of CPU time (user + system) that `app.synth()` takes in this process. */
function timeSynth(withPack: boolean, appProps: AppProps): number {
  const app = buildApp(appProps);
  if (withPack) Validations.of(app).addPlugins(new SaaSReadinessChecks(app));
  const start = process.cpuUsage();
  app.synth();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/**
 * Synthesis time of a ~500-resource app without and with the readiness pack (a fresh app per
 * run, alternating, median of several runs after a warm-up). Time is the process's CPU time,
 * so that other work on the machine skews the ratio less than wall-clock time would.
 *
 * By default CDK's built-in template validation is off in both, so the pack is compared with
 * bare synthesis (the strictest ratio). That validation runs a WASM engine whose time varies by
 * hundreds of milliseconds between runs and would drown the pack's cost; pass
 * `{ builtinCloudFormationValidation: true }` to measure a default `cdk synth` anyway.
 */
export async function benchNagOverhead(appProps: AppProps = { builtinCloudFormationValidation: false }): Promise<NagOverhead> {
  timeSynth(false, appProps);
  timeSynth(true, appProps);
  const without: number[] = [];
  const withPack: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    without.push(timeSynth(false, appProps));
    withPack.push(timeSynth(true, appProps));
  }
  const withoutMs = median(without);
  const withMs = median(withPack);
  return {
    resources: countResources(buildApp(appProps)),
    withoutMs: Math.round(withoutMs),
    withMs: Math.round(withMs),
    ratio: Math.round((withMs / withoutMs) * 100) / 100,
  };
}

if (require.main === module) {
  void benchNagOverhead().then((result) => {
    console.log(`readiness pack overhead on cdk synth: ${JSON.stringify(result)} (target ratio <= 1.2)`);
  });
}
