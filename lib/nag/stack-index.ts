import { CfnResource, Stack } from 'aws-cdk-lib';
import { CfnUsagePlan } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup, LogRetention } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';
import { logicalIdOf, referencedLogicalId, referenceKey, resolved } from './resources';

/**
 * Facts that need more than one resource, computed in one pass over a stack so that rules
 * that look across resources stay cheap and pure. Keys are `referenceKey()`s
 * (`ref:<logicalId>` or `name:<literal>`).
 */
export interface StackIndex {
  /** REST API stages named in a usage plan, as `usagePlanStageKey(api, stage)`. */
  readonly usagePlanStages: ReadonlySet<string>;
  /** Functions (by FunctionName dimension) that an alarm on `AWS/Lambda` `Errors` watches. */
  readonly errorAlarmedFunctions: ReadonlySet<string>;
  /** Functions whose `/aws/lambda/<name>` log group is declared with the function (log group or LogRetention). */
  readonly functionsWithDeclaredLogGroup: ReadonlySet<string>;
  /** Route keys of each API Gateway v2 API, by the API's logical id. */
  readonly routeKeysByApi: ReadonlyMap<string, readonly string[]>;
}

export function usagePlanStageKey(apiKey: string | undefined, stageKey: string | undefined): string {
  return `${apiKey}|${stageKey}`;
}

const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';

export function buildStackIndex(stack: Stack): StackIndex {
  const index = {
    usagePlanStages: new Set<string>(),
    errorAlarmedFunctions: new Set<string>(),
    functionsWithDeclaredLogGroup: new Set<string>(),
    routeKeysByApi: new Map<string, string[]>(),
  };
  for (const construct of stack.node.findAll()) {
    if (construct instanceof LogRetention) {
      addLogRetentionTarget(construct, index.functionsWithDeclaredLogGroup);
      continue;
    }
    if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== stack) continue;
    if (construct instanceof CfnUsagePlan) addUsagePlanStages(construct, index.usagePlanStages);
    else if (construct instanceof CfnAlarm) addErrorAlarmTargets(construct, index.errorAlarmedFunctions);
    else if (construct instanceof CfnLogGroup) addLambdaLogGroup(construct, index.functionsWithDeclaredLogGroup);
    else if (construct instanceof CfnRoute) addRoute(construct, index.routeKeysByApi);
  }
  return index;
}

function addUsagePlanStages(plan: CfnUsagePlan, stages: Set<string>): void {
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
  const apiStages: any[] = resolved(plan, plan.apiStages) ?? [];
  for (const apiStage of apiStages) {
    stages.add(usagePlanStageKey(referenceKey(apiStage?.apiId), referenceKey(apiStage?.stage)));
  }
}

function addErrorAlarmTargets(alarm: CfnAlarm, functions: Set<string>): void {
  const single = { namespace: alarm.namespace, metricName: alarm.metricName, dimensions: alarm.dimensions };
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
  const fromMath: any[] = alarm.metrics ? resolved(alarm, alarm.metrics).map((m: any) => m?.metricStat?.metric) : [];
  for (const metric of [single, ...fromMath]) {
    if (resolved(alarm, metric?.namespace) !== 'AWS/Lambda' || resolved(alarm, metric?.metricName) !== 'Errors') continue;
    for (const dimension of resolved(alarm, metric.dimensions) ?? []) {
      const key = dimension?.name === 'FunctionName' ? referenceKey(dimension.value) : undefined;
      if (key) functions.add(key);
    }
  }
}

/** `/aws/lambda/<literal>` or `Fn::Join ['', ['/aws/lambda/', { Ref: fn }]]`. */
function addLambdaLogGroup(logGroup: CfnLogGroup, functions: Set<string>): void {
  const name = resolved(logGroup, logGroup.logGroupName);
  if (typeof name === 'string' && name.startsWith(LAMBDA_LOG_GROUP_PREFIX)) {
    functions.add(`name:${name.slice(LAMBDA_LOG_GROUP_PREFIX.length)}`);
    return;
  }
  const [separator, parts] = name?.['Fn::Join'] ?? [];
  if (separator === '' && Array.isArray(parts) && parts.length === 2 && parts[0] === LAMBDA_LOG_GROUP_PREFIX) {
    const id = referencedLogicalId(parts[1]);
    if (id) functions.add(`ref:${id}`);
  }
}

/** The deprecated `logRetention` function option adds a LogRetention next to the function's resource. */
function addLogRetentionTarget(logRetention: IConstruct, functions: Set<string>): void {
  const fn = logRetention.node.scope?.node.defaultChild;
  if (fn instanceof CfnFunction) functions.add(`ref:${logicalIdOf(fn)}`);
}

function addRoute(route: CfnRoute, routeKeysByApi: Map<string, string[]>): void {
  const apiId = referencedLogicalId(resolved(route, route.apiId));
  const routeKey = resolved(route, route.routeKey);
  if (apiId === undefined || typeof routeKey !== 'string') return;
  routeKeysByApi.set(apiId, [...(routeKeysByApi.get(apiId) ?? []), routeKey]);
}
