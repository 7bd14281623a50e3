import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type CfnFunction, Architecture, Function as LambdaFunctionResource, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { GateId } from '../lambda/core/gate';
import type { ArnParts } from '../lambda/core/permissions';
import { METRIC_NAMESPACE, STATUS_METRIC, dimensionsOf, type RunKind } from '../lambda/core/metrics';
import { HANDLER_ENV, PUBLISH_RESERVE_SECONDS, type GateEvent } from '../lambda/handlers/contract';
import type { GatePlan } from './deployment-plan';
import { gateCode } from './gate-bundle';
import type { ReadinessResults } from './results-store';
import { acknowledge } from './acknowledge';

/** Explicit VPC placement: IDs only, so `cdk synth` needs no lookups and no credentials. */
export interface VpcPlacement {
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export interface ReadinessGateFunctionProps {
  readonly suite: string;
  readonly plan: GatePlan;
  readonly results: ReadinessResults;
  /** Failed asynchronous invocations (crash, timeout) land here. */
  readonly failures: IQueue;
  /**
   * Hours between probe runs; only for gates with active probes.
   * @default - no probe schedule
   */
  readonly probeScheduleHours?: number;
  /**
   * Subnets and security groups of the function (e.g. to reach a private RDS).
   * @default - no VPC
   */
  readonly vpc?: VpcPlacement;
  /**
   * Memory of the function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * CloudWatch Logs retention (the history table keeps results for 400 days).
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Told when the gate's result changed since its previous run of the same kind.
   * @default - no notifications
   */
  readonly changes?: ITopic;
}

/** Seconds between the gate's deadline and the function timeout, on top of the publish reserve. */
const TIMEOUT_MARGIN_SECONDS = 10;

/** A handler's entry (`lambda/handlers/<name>`) and the project it is bundled from (the repository, or the installed package). */
export function handlerEntry(name: 'hook'): { entry: string; projectRoot?: string; depsLockFilePath?: string } {
  const ext = __filename.endsWith('.ts') ? 'ts' : 'js';
  const entry = join(__dirname, '..', 'lambda', 'handlers', `${name}.${ext}`);
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'saas-readiness') {
      const lock = join(dir, 'package-lock.json');
      return existsSync(lock) ? { entry, projectRoot: dir, depsLockFilePath: lock } : { entry };
    }
  }
  return { entry };
}

/**
 * One deployed gate: a function running the same engine as the CLI for this gate, its schedules
 * (passive; probes only on the opt-in probe schedule), least-privilege access derived from the
 * gate's config, and the alarms on its `Passed` metric.
 */
export class ReadinessGateFunction extends Construct {
  readonly function: LambdaFunctionResource;
  readonly logGroup: LogGroup;
  /**
   * ALARM when the last scheduled run did not PASS, or no run reported within the schedule period:
   * a function that crashed, timed out or could not store its result emits no `Passed` 1, so its
   * errors are covered here through missing-data handling (no separate function-errors alarm).
   */
  readonly alarm: Alarm;
  /** ALARM when the last probe run did not PASS (only with a probe schedule). */
  readonly probeAlarm?: Alarm;
  readonly scheduleHours: number;
  readonly suite: string;
  readonly gate: GateId;
  /** Why this role has statements on resource `*` (one cdk-nag acknowledgement lists them all). */
  private readonly wildcardReasons: string[] = [];

  constructor(scope: Construct, id: string, props: ReadinessGateFunctionProps) {
    super(scope, id);
    const { plan, suite, results } = props;
    this.scheduleHours = plan.scheduleHours;
    this.suite = suite;
    this.gate = plan.id;
    for (const hours of [plan.scheduleHours, props.probeScheduleHours].filter((h): h is number => h !== undefined)) {
      if (!(hours > 0 && hours <= 24 && Number.isInteger(hours))) {
        throw new Error(
          `gate ${plan.id}: schedules run every 1 to 24 whole hours (got ${hours}); the alarm period follows the schedule and CloudWatch allows at most one day`,
        );
      }
    }
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `saas-readiness gate ${plan.id} of suite ${suite}: reads what the gate measures, writes its own results`,
    });
    this.function = new LambdaFunctionResource(this, 'Function', {
      code: gateCode(plan.bundle),
      handler: 'index.handler',
      description: `saas-readiness: gate ${plan.id} (${plan.title}) of suite ${suite}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: Duration.seconds(plan.timeoutSeconds + PUBLISH_RESERVE_SECONDS + TIMEOUT_MARGIN_SECONDS),
      role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      onFailure: new SqsDestination(props.failures),
      retryAttempts: 0,
      environment: {
        [HANDLER_ENV.gate]: plan.id,
        [HANDLER_ENV.config]: plan.configJson,
        [HANDLER_ENV.historyTable]: results.table.tableName,
        [HANDLER_ENV.reportsBucket]: results.bucket.bucketName,
        ...(props.changes ? { [HANDLER_ENV.changesTopic]: props.changes.topicArn } : {}),
        ...(plan.securityHub ? { [HANDLER_ENV.securityHub]: '1' } : {}),
        // RDS and other AWS endpoints verify against the runtime's CA bundle (not loaded by default on Node 20+).
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
    });
    if (props.vpc) this.placeInVpc(role, props.vpc);
    this.grant(role, plan, suite, results);
    props.changes?.grantPublish(role);

    const schedule = (hours: number, event: GateEvent, name: string) =>
      new Rule(this, name, {
        description: `saas-readiness ${suite}: run gate ${plan.id} every ${hours} h${event.probes ? ' with its active probes' : ''}`,
        schedule: Schedule.rate(Duration.hours(hours)),
        targets: [new LambdaFunction(this.function, { event: RuleTargetInput.fromObject(event), retryAttempts: 2, deadLetterQueue: props.failures })],
      });
    schedule(plan.scheduleHours, { probes: false }, 'Schedule');
    this.alarm = this.passedAlarm('NotPassing', 'scheduled', plan.scheduleHours, TreatMissingData.BREACHING, suite, plan);
    if (plan.probesDeployed && props.probeScheduleHours) {
      schedule(props.probeScheduleHours, { probes: true }, 'ProbeSchedule');
      // Missing probe data is not breaching: the first probe run comes a schedule period after deploy,
      // and a function that stops running at all is caught by the scheduled alarm above.
      this.probeAlarm = this.passedAlarm('ProbesNotPassing', 'probes', props.probeScheduleHours, TreatMissingData.NOT_BREACHING, suite, plan);
    }

    acknowledge(
      this.function,
      'Serverless-LambdaDLQ',
      'Failed asynchronous runs go to the FailedRuns queue through an on-failure destination, which records the request, the error and the response (a dead-letter queue keeps only the event).',
    );
    // The first-run trigger invokes the current version; the schedules invoke the unqualified function.
    Annotations.of(this.function).acknowledgeWarning(
      '@aws-cdk/aws-lambda:addPermissionsToVersionOrAlias',
      'Only the deploy-time trigger invokes the version (with its own IAM grant); schedules invoke the function.',
    );
    acknowledge(
      this.function,
      'SaaSR-G4-FunctionMonitored',
      "Its errors are covered by the gate's NotPassing alarm: a run that crashes, times out or cannot store its result emits no Passed 1, and that alarm treats missing data as breaching (one metric and one alarm per gate keep the suite within its monthly budget).",
    );
    acknowledge(this.function, 'AwsSolutions-L1', 'The function runs Node.js 24, the newest Lambda Node.js runtime in this aws-cdk-lib.');
  }

  /** A metric of this gate, with exactly the namespace, name and dimensions its handler emits. */
  metric(name: string, run: RunKind, hours: number, statistic = 'Minimum'): Metric {
    return new Metric({
      namespace: METRIC_NAMESPACE,
      metricName: name,
      dimensionsMap: dimensionsOf(this.suite, this.gate, run),
      period: Duration.hours(hours),
      statistic,
    });
  }

  private passedAlarm(id: string, run: RunKind, hours: number, missing: TreatMissingData, suite: string, plan: GatePlan): Alarm {
    const what = run === 'probes' ? 'probe run' : 'scheduled run';
    return new Alarm(this, id, {
      alarmName: `${suite}-readiness-${plan.id}${run === 'probes' ? '-probes' : ''}`,
      alarmDescription:
        `Gate ${plan.id} (${plan.title}) of suite ${suite} is not ready: its last ${what} did not PASS` +
        (missing === TreatMissingData.BREACHING
          ? `, or no run reported within ${hours} h (the function crashed, timed out or could not store its result: its logs and the FailedRuns queue say why)`
          : '') +
        '. The dashboard table and the latest report in the reports bucket say why.',
      metric: this.metric(STATUS_METRIC, run, hours),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: missing,
    });
  }

  private placeInVpc(role: Role, vpc: VpcPlacement): void {
    (this.function.node.defaultChild as CfnFunction).vpcConfig = { subnetIds: [...vpc.subnetIds], securityGroupIds: [...vpc.securityGroupIds] };
    role.addToPolicy(
      new PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    this.wildcardReasons.push(
      `VPC networking: ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets have no resource-level permissions, and Lambda manages the function's network interfaces in subnets ${vpc.subnetIds.join(', ')}`,
    );
  }

  private grant(role: Role, plan: GatePlan, suite: string, results: ReadinessResults): void {
    const stack = Stack.of(this);
    role.addToPolicy(new PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.logGroup.node.defaultChild as never)}.Arn>]`,
      'Lambda names the log streams of this function at run time; the grant is limited to its own log group.',
    );
    results.grantAppendResults(role, suite, plan.id);
    results.grantReadAcknowledgements(role, suite);
    results.grantWriteReports(role, suite, plan.id);

    // What the gate reads, as its sources declare it; a second statement with the same sid is numbered.
    const seen = new Map<string, number>();
    for (const p of plan.permissions) {
      const n = seen.get(p.sid) ?? 0;
      seen.set(p.sid, n + 1);
      const resources = p.resources.map((r) => (typeof r === 'string' ? r : this.arnOf(r)));
      role.addToPolicy(
        new PolicyStatement({
          sid: n ? `${p.sid}${n}` : p.sid,
          actions: [...p.actions],
          resources,
          ...(p.conditions ? { conditions: p.conditions as Record<string, unknown> } : {}),
        }),
      );
      if (!p.wildcardReason) continue;
      if (resources.includes('*')) this.wildcardReasons.push(p.wildcardReason);
      // An S3 prefix grant is a wildcard of its own in cdk-nag's eyes: acknowledged with the source's reason.
      for (const r of p.resources) {
        if (typeof r !== 'string' && r.service === 's3' && r.resourceName?.endsWith('*'))
          acknowledge(role, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${r.resource}/${r.resourceName}]`, p.wildcardReason);
      }
    }
    if (plan.securityHub) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'SecurityHubImport',
          actions: ['securityhub:BatchImportFindings'],
          resources: [`arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:product/${stack.account}/default`],
        }),
      );
      role.addToPolicy(
        new PolicyStatement({
          sid: 'SecurityHubOwnFindings',
          actions: ['securityhub:GetFindings'],
          resources: [`arn:${stack.partition}:securityhub:${stack.region}:${stack.account}:hub/default`],
        }),
      );
    }
    this.wildcardReasons.push('active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions');
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      `Resource "*" only where the API has no resource-level permissions: ${this.wildcardReasons.join('; ')}.`,
    );
  }

  /** An ARN a source declared, in this stack's partition (and its region and account, where the source left them out). */
  private arnOf(parts: ArnParts): string {
    const stack = Stack.of(this);
    if (parts.service === 's3') return `arn:${stack.partition}:s3:::${parts.resource}${parts.resourceName === undefined ? '' : `/${parts.resourceName}`}`;
    return stack.formatArn({
      service: parts.service,
      resource: parts.resource,
      resourceName: parts.resourceName,
      ...(parts.region !== undefined ? { region: parts.region } : {}),
      ...(parts.account !== undefined ? { account: parts.account } : {}),
    });
  }
}
