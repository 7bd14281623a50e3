import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { InvocationType, Trigger } from 'aws-cdk-lib/triggers';
import type { Construct } from 'constructs';
import type { LoadedConfig } from '../lambda/core/config/types';
import { ConfigError } from '../lambda/core/errors';
import type { GateId } from '../lambda/core/gate';
import type { Registry } from '../lambda/core/registry';
import { acknowledge } from './acknowledge';
import { markPooled } from './nag/markers';
import { ReadinessAlerting } from './alerting';
import { ReadinessChangeNotifications } from './change-notifications';
import { ReadinessDashboard } from './dashboard';
import { planDeployment, type DeploymentPlan } from './deployment-plan';
import { ReadinessGateFunction, type VpcPlacement } from './gate-function';
import { ReadinessResults } from './results-store';
import { ReadinessHook, requiredGatesOf, type ReadinessDeployHookOptions } from './readiness-hook';

export interface ReadinessStackProps extends StackProps {
  /** readiness.yaml loaded with `loadConfigFile(registry, file, { resolveEnv: false, env })`: references kept. */
  readonly config: LoadedConfig;
  /**
   * The gates and sources to deploy from.
   * @default the built-in registry
   */
  readonly registry?: Registry;
  /**
   * Emails notified when the suite becomes NOT READY and READY again.
   * @default - none (subscribe to the topic yourself)
   */
  readonly alarmEmails?: readonly string[];
  /**
   * Emails told when a gate's result changed since its previous run.
   * @default - the alarm emails
   */
  readonly changeEmails?: readonly string[];
  /**
   * Publish each gate's scheduled results to AWS Security Hub (it must be enabled in the account and region).
   * @default false
   */
  readonly securityHub?: boolean;
  /**
   * Run the functions in these subnets with these security groups (e.g. to reach a private RDS).
   * @default - no VPC
   */
  readonly vpc?: VpcPlacement;
  /**
   * Hours between scheduled runs, per gate (1–24).
   * @default - each gate's own (hourly; cost daily)
   */
  readonly scheduleHours?: Readonly<Partial<Record<GateId, number>>>;
  /**
   * Opt in to active probes (quota probe, config canary): run them every this many hours (1–24).
   * @default - never
   */
  readonly probeScheduleHours?: number;
  /**
   * Run each gate once during deployment, so alarms start from a real result instead of paging on missing data.
   * @default true
   */
  readonly runOnDeploy?: boolean;
  /**
   * Memory of each gate function in MB.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Cost-allocation tag key put on every resource, with the shared value: the readiness stack is a
   * pooled platform cost, reconciled by gate 2 as the shared line.
   * @default tenant_id
   */
  readonly costAllocationTagKey?: string;
  /**
   * Hold these stacks at deploy time while the suite is not READY (a ReadinessHook).
   * @default - no hook
   */
  readonly deployHook?: ReadinessDeployHookOptions;
}

/**
 * The deployed readiness suite: one scheduled function per enabled gate, the history table and
 * reports bucket, per-gate alarms under a composite "not ready" alarm with an SNS topic, and a
 * dashboard. Built only from the config and the gate registry; no check logic lives here.
 */
export class ReadinessStack extends Stack {
  readonly plan: DeploymentPlan;
  readonly results: ReadinessResults;
  readonly gates: ReadinessGateFunction[] = [];
  readonly alerting: ReadinessAlerting;
  readonly changes: ReadinessChangeNotifications;
  readonly dashboard: ReadinessDashboard;
  readonly deployHook?: ReadinessHook;

  constructor(scope: Construct, id: string, props: ReadinessStackProps) {
    super(scope, id, { description: `saas-readiness: production-readiness gates of ${props.config.config.suite}`, ...props });
    markPooled(this, { key: props.costAllocationTagKey });
    this.results = new ReadinessResults(this, 'Results');
    this.plan = planDeployment(props.config, {
      registry: props.registry,
      historyTable: this.results.table.tableName,
      probes: props.probeScheduleHours !== undefined,
      scheduleHours: props.scheduleHours,
      securityHub: props.securityHub,
    });
    const { suite } = this.plan;
    if (this.plan.gates.length === 0) {
      throw new ConfigError('no gate to deploy: every gate is absent or has enabled: false', `${props.config.file ?? 'config'}: gates`);
    }
    for (const warning of this.plan.warnings) Annotations.of(this).addWarningV2('saas-readiness:deploy', warning);

    const failures = new Queue(this, 'FailedRuns', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const terminal =
      'This queue is itself the end of the line for failed runs (gate functions that crashed or timed out, schedule events that could not be delivered); it needs no dead-letter queue of its own.';
    acknowledge(failures, 'AwsSolutions-SQS3', terminal);
    acknowledge(failures, 'Serverless-SQSRedrivePolicy', terminal);

    this.changes = new ReadinessChangeNotifications(this, 'Changes', { suite, emails: props.changeEmails ?? props.alarmEmails });
    for (const plan of this.plan.gates) {
      const fn = new ReadinessGateFunction(this, `Gate-${plan.id}`, {
        suite,
        plan,
        results: this.results,
        failures,
        probeScheduleHours: props.probeScheduleHours,
        vpc: props.vpc,
        memorySize: props.memorySize,
        changes: this.changes.topic,
      });
      this.gates.push(fn);
      if (props.runOnDeploy ?? true) {
        new Trigger(fn, 'FirstRun', {
          handler: fn.function,
          invocationType: InvocationType.REQUEST_RESPONSE,
          timeout: fn.function.timeout!.plus(Duration.seconds(30)),
          executeAfter: [this.results, failures],
          executeBefore: [fn.alarm, ...(fn.probeAlarm ? [fn.probeAlarm] : [])],
        });
      }
    }

    this.alerting = new ReadinessAlerting(this, 'Alerting', {
      suite,
      alarms: this.gates.flatMap((g) => [g.alarm, ...(g.probeAlarm ? [g.probeAlarm] : [])]),
      emails: props.alarmEmails,
    });
    this.dashboard = new ReadinessDashboard(this, 'Dashboard', {
      suite,
      gates: this.plan.gates.map((plan, i) => ({ plan, fn: this.gates[i] })),
      notReady: this.alerting.notReady,
      reportsBucketName: this.results.bucket.bucketName,
    });
    if (props.runOnDeploy ?? true) this.acknowledgeTriggerProvider();
    const dashboardUrl = `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards/dashboard/${suite}-readiness`;
    if (props.deployHook) {
      const { guardedStacks, failureMode, maxVerdictAgeHours } = props.deployHook;
      const gates = requiredGatesOf(this.plan.gates, maxVerdictAgeHours);
      this.deployHook = new ReadinessHook(this, 'DeployHook', { suite, historyTable: this.results.table, gates, guardedStacks, failureMode, dashboardUrl });
      new CfnOutput(this, 'DeployHookAlias', { value: this.deployHook.alias, description: `holds ${guardedStacks.join(', ')} while ${suite} is not READY` });
    }

    new CfnOutput(this, 'DashboardUrl', { value: dashboardUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alerting.topic.topicArn });
    new CfnOutput(this, 'ChangesTopicArn', {
      value: this.changes.topic.topicArn,
      description: 'Told only when a gate result changed since its previous run; subscribe email, Slack/Teams (AWS Chatbot), SQS or Lambda',
    });
    new CfnOutput(this, 'ReportsBucket', { value: this.results.bucket.bucketName });
    new CfnOutput(this, 'HistoryTable', { value: this.results.table.tableName });
    for (const g of this.gates)
      new CfnOutput(this, `Function-${g.gate}`, {
        value: g.function.functionName,
        description: `aws lambda invoke --function-name <this> --payload '{}' out.json runs gate ${g.gate} now`,
      });
  }

  /** The singleton provider behind the first-run triggers is aws-cdk-lib's own code; say why its findings are accepted. */
  private acknowledgeTriggerProvider(): void {
    const provider = this.node.tryFindChild('AWSCDK.TriggerCustomResourceProviderCustomResourceProvider');
    if (!provider) return;
    const why = 'aws-cdk-lib Trigger provider: runs once per deployment to invoke each gate function once, so that alarms start from a real result;';
    acknowledge(provider, 'AwsSolutions-IAM4', `${why} its role uses AWSLambdaBasicExecutionRole for its own logs, as the provider ships it.`);
    acknowledge(provider, 'AwsSolutions-IAM5', `${why} it may invoke only the gate functions' versions.`);
    acknowledge(provider, 'AwsSolutions-L1', `${why} its runtime is chosen by aws-cdk-lib.`);
    for (const rule of [
      'LambdaDLQ',
      'LambdaTracing',
      'LambdaDefaultMemorySize',
      'LambdaLatestVersion',
      'LambdaAsyncFailureDestination',
      'LambdaDefaultTimeout',
    ]) {
      acknowledge(
        provider,
        `Serverless-${rule}`,
        `${why} CloudFormation invokes it synchronously during deployment and reports its failure as a failed deployment.`,
      );
    }
  }
}
