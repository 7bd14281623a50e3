import { Duration, Stack, Token } from 'aws-cdk-lib';
import { CfnLambdaHook } from 'aws-cdk-lib/aws-cloudformation';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { historyKey } from '../lambda/core/history';
import type { FailureMode, RequiredGate } from '../lambda/hook/decision';
import { HOOK_ENV, type HookSettings } from '../lambda/hook/settings';
import { acknowledge } from './acknowledge';
import { handlerEntry } from './gate-function';

export interface ReadinessHookProps {
  readonly suite: string;
  /** The history table the gate functions append their results to. */
  readonly historyTable: ITable;
  /** The gates whose newest verdict must be PASS, each with how old that verdict may be. */
  readonly gates: readonly RequiredGate[];
  /**
   * Names of the stacks the hook holds while the suite is not READY (1–50; `*` and `?` match as
   * CloudFormation's stack filters do). The stack this construct is in must not be among them:
   * a NOT READY suite could then not deploy its own fix.
   */
  readonly guardedStacks: readonly string[];
  /**
   * What CloudFormation does with a FAILED answer: `FAIL` stops the operation, `WARN` lets it
   * continue with the answer as a warning.
   * @default FailureMode.FAIL
   */
  readonly failureMode?: FailureMode;
  /**
   * Shown in every answer.
   * @default - no link
   */
  readonly dashboardUrl?: string;
  /**
   * The hook's type name alias, unique per account and Region.
   * @default Private::Readiness::<Suite>
   */
  readonly alias?: string;
  /**
   * CloudFormation Logs retention of the hook function.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/** Hooks wait up to 30 s for the function; it answers well before. */
const HOOK_FUNCTION_TIMEOUT_SECONDS = 20;
/** AWS::CloudFormation::LambdaHook StackFilters.StackNames: pattern and limits of the resource schema. */
const STACK_NAME_FILTER = /^[a-zA-Z*?][-a-zA-Z0-9*?]*$/;
const ALIAS = /^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$/;

/** `Private::Readiness::AcmeRag` for suite `acme-rag`. */
export function defaultHookAlias(suite: string): string {
  const name = suite
    .split('-')
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
  return `Private::Readiness::${name.length >= 2 ? name : `${name}Suite`}`;
}

function matchesFilter(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[-]/g, '\\-').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return re.test(name);
}

/**
 * The deploy-time gate: an `AWS::CloudFormation::LambdaHook` on the STACK and CHANGE_SET targets
 * of the guarded stacks (CREATE and UPDATE only: deletes never invoke it), the function it
 * forwards to, and the role the hook assumes to invoke that function. The function reads only the
 * result partitions of the required gates and the suite's acknowledgements.
 */
export class ReadinessHook extends Construct {
  readonly function: NodejsFunction;
  readonly hook: CfnLambdaHook;
  /** The role CloudFormation Hooks assumes to invoke the function. */
  readonly executionRole: Role;
  readonly alias: string;

  constructor(scope: Construct, id: string, props: ReadinessHookProps) {
    super(scope, id);
    const failureMode = props.failureMode ?? 'FAIL';
    this.alias = props.alias ?? defaultHookAlias(props.suite);
    this.validate(props);

    const logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention ?? RetentionDays.THREE_MONTHS });
    const role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `saas-readiness deploy hook of suite ${props.suite}: reads the newest verdicts and the acknowledgements`,
    });
    const settings: HookSettings = {
      suite: props.suite,
      gates: [...props.gates],
      failureMode,
      ...(props.dashboardUrl ? { dashboardUrl: props.dashboardUrl } : {}),
    };
    const { entry, projectRoot, depsLockFilePath } = handlerEntry('hook');
    this.function = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot,
      depsLockFilePath,
      description: `saas-readiness: deploy hook of suite ${props.suite} (holds ${props.guardedStacks.join(', ')} while not READY)`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(HOOK_FUNCTION_TIMEOUT_SECONDS),
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        [HOOK_ENV.settings]: JSON.stringify(settings),
        [HOOK_ENV.historyTable]: props.historyTable.tableName,
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node20',
        format: OutputFormat.CJS,
        // Bundled, not taken from the runtime: the SDK that is tested is the SDK that is deployed.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    role.addToPolicy(new PolicyStatement({ sid: 'Logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadVerdictsAndAcknowledgements',
        actions: ['dynamodb:Query'],
        resources: [props.historyTable.tableArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': [...props.gates.map((g) => historyKey.result(props.suite, g.id)), historyKey.ack(props.suite)],
          },
        },
      }),
    );

    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('hooks.cloudformation.amazonaws.com'),
      description: `CloudFormation Hooks invokes the saas-readiness deploy hook of suite ${props.suite} with this role`,
    });
    const invoke = this.executionRole.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'InvokeHookFunction', actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );

    this.hook = new CfnLambdaHook(this, 'Hook', {
      alias: this.alias,
      lambdaFunction: this.function.functionArn,
      executionRole: this.executionRole.roleArn,
      failureMode,
      hookStatus: 'ENABLED',
      targetOperations: ['STACK', 'CHANGE_SET'],
      stackFilters: { filteringCriteria: 'ALL', stackNames: { include: [...props.guardedStacks] } },
    });
    // Deletes are left out: a hook that is never invoked cannot hold them, whatever happens to the function.
    // The resource schema accepts TargetFilters as either {Actions, InvocationPoints, TargetNames} or {Targets};
    // this aws-cdk-lib's L1 type requires `targets`, so the documented first form is written as an override.
    this.hook.addPropertyOverride('TargetFilters', { Actions: ['CREATE', 'UPDATE'] });
    // The role's policy must exist before CloudFormation activates the hook with it (the role itself is referenced).
    if (invoke.policyDependable) this.hook.node.addDependency(invoke.policyDependable);

    const stack = Stack.of(this);
    acknowledge(
      role,
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(logGroup.node.defaultChild as never)}.Arn>]`,
      'Lambda names the log streams of this function at run time; the grant is limited to its own log group.',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
    );
    acknowledge(this.function, 'AwsSolutions-L1', 'The function runs Node.js 24, the newest Lambda Node.js runtime in this aws-cdk-lib.');
    const synchronous =
      'CloudFormation Hooks invoke this function synchronously and read its answer; a failed invocation is handled by the hook FailureMode, so there is no asynchronous event to keep.';
    acknowledge(this.function, 'Serverless-LambdaDLQ', synchronous);
    acknowledge(this.function, 'Serverless-LambdaAsyncFailureDestination', synchronous);
  }

  private validate(props: ReadinessHookProps): void {
    const where = `ReadinessHook ${this.node.path}`;
    const names = props.guardedStacks;
    if (names.length < 1 || names.length > 50) throw new Error(`${where}: guardedStacks needs 1 to 50 stack names (got ${names.length})`);
    if (new Set(names).size !== names.length) throw new Error(`${where}: guardedStacks repeats a name`);
    for (const name of names) {
      if (name.length > 128 || !STACK_NAME_FILTER.test(name))
        throw new Error(`${where}: '${name}' is not a stack name filter (letters, digits, dashes, * and ?; starts with a letter, * or ?; at most 128)`);
    }
    const own = Stack.of(this).stackName;
    if (!Token.isUnresolved(own)) {
      const self = names.find((n) => matchesFilter(n, own));
      if (self) throw new Error(`${where}: guardedStacks '${self}' matches the hook's own stack ${own}; a NOT READY suite could then not deploy its own fix`);
    }
    if (props.gates.length === 0) throw new Error(`${where}: gates is empty; name the gates whose verdicts must pass`);
    for (const g of props.gates) {
      if (!(g.maxAgeHours > 0)) throw new Error(`${where}: gate ${g.id}: maxAgeHours must be positive (got ${g.maxAgeHours})`);
    }
    if (!ALIAS.test(this.alias) || /^aws/i.test(this.alias))
      throw new Error(`${where}: alias '${this.alias}' must be Name1::Name2::Name3 (2–64 letters or digits each) and must not begin with AWS`);
  }
}

/** The deploy-time hook of a ReadinessStack (its `deployHook` prop). */
export interface ReadinessDeployHookOptions {
  /** Stacks held while the suite is not READY (see {@link ReadinessHookProps.guardedStacks}). */
  readonly guardedStacks: readonly string[];
  /** @default FailureMode.FAIL */
  readonly failureMode?: FailureMode;
  /**
   * Hours a gate's newest verdict may be old.
   * @default - twice the gate's schedule, so one missed run is tolerated and a second is not
   */
  readonly maxVerdictAgeHours?: Partial<Record<RequiredGate['id'], number>>;
}

/** Every deployed gate is required; its max age defaults to twice its schedule. */
export function requiredGatesOf(
  gates: readonly { id: RequiredGate['id']; scheduleHours: number }[],
  maxVerdictAgeHours: ReadinessDeployHookOptions['maxVerdictAgeHours'] = {},
): RequiredGate[] {
  return gates.map((g) => ({ id: g.id, maxAgeHours: maxVerdictAgeHours[g.id] ?? 2 * g.scheduleHours }));
}
