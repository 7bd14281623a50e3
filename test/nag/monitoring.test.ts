import { Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { readinessFindings } from '../../lib/nag';
import { newStack, pathsFor } from './support';

const FUNCTION_MONITORED = 'SaaSR-G4-FunctionMonitored';
const LOG_RETENTION = 'SaaSR-G4-LogRetention';

function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    ...props,
  });
}

function layer(scope: Construct, id: string, arn: string): lambda.ILayerVersion {
  return lambda.LayerVersion.fromLayerVersionArn(scope, id, arn);
}

describe('SaaSR-G4-FunctionMonitored', () => {
  test('an Errors alarm (single metric, math expression or by literal name) or an APM layer counts', () => {
    const stack = newStack();
    fn(stack, 'Alarmed').metricErrors().createAlarm(stack, 'AlarmedErrors', { threshold: 1, evaluationPeriods: 1 });
    const inMath = fn(stack, 'InMath');
    new cloudwatch.MathExpression({ expression: 'e', usingMetrics: { e: inMath.metricErrors() } }).createAlarm(stack, 'MathErrors', {
      threshold: 1,
      evaluationPeriods: 1,
    });
    fn(stack, 'Named', { functionName: 'tenant-api' });
    new cloudwatch.Alarm(stack, 'NamedErrors', {
      metric: new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: { FunctionName: 'tenant-api' } }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    fn(stack, 'Datadog', {
      layers: [layer(stack, 'DdExt', 'arn:aws:lambda:eu-west-1:464622532012:layer:Datadog-Extension:65')],
    });
    fn(stack, 'NewRelic', {
      layers: [layer(stack, 'NrExt', 'arn:aws:lambda:eu-west-1:451483290750:layer:NewRelicNodeJS22X:20')],
    });
    expect(pathsFor(stack, FUNCTION_MONITORED)).toEqual([]);
  });

  test('a function without an Errors alarm or APM layer fails at its resource', () => {
    const stack = newStack();
    fn(stack, 'Unwatched');
    fn(stack, 'ThrottlesOnly').metricThrottles().createAlarm(stack, 'Throttles', { threshold: 1, evaluationPeriods: 1 });
    fn(stack, 'OtherLayer', { layers: [layer(stack, 'Other', 'arn:aws:lambda:eu-west-1:123456789012:layer:utils:1')] });
    expect(pathsFor(stack, FUNCTION_MONITORED)).toEqual(['S/OtherLayer/Resource', 'S/ThrottlesOnly/Resource', 'S/Unwatched/Resource']);
  });

  test('an acknowledgement silences the function it is applied to only', () => {
    const stack = newStack();
    const batch = fn(stack, 'NightlyBatch');
    fn(stack, 'Api');
    Validations.of(batch).acknowledge({ id: FUNCTION_MONITORED, reason: 'Covered by the Step Functions failure alarm.' });
    expect(pathsFor(stack, FUNCTION_MONITORED)).toEqual(['S/Api/Resource']);
  });
});

describe('SaaSR-G4-LogRetention', () => {
  test('log groups with retention, and functions whose log group is declared, pass', () => {
    const stack = newStack();
    const retained = new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    fn(stack, 'WithLogGroup', { logGroup: retained });
    fn(stack, 'WithLogRetention', { logRetention: logs.RetentionDays.ONE_WEEK });
    const named = fn(stack, 'Named');
    new logs.LogGroup(stack, 'NamedLogs', {
      logGroupName: `/aws/lambda/${named.functionName}`,
      retention: logs.RetentionDays.ONE_WEEK,
    });
    expect(pathsFor(stack, LOG_RETENTION)).toEqual([]);
  });

  test('a log group kept forever, or a function with an implicit log group, is a warning at its resource', () => {
    const stack = newStack();
    new logs.LogGroup(stack, 'Forever', { retention: logs.RetentionDays.INFINITE });
    fn(stack, 'Implicit');
    const findings = readinessFindings(stack).filter((f) => f.ruleId === LOG_RETENTION);
    expect(findings.map((f) => [f.constructPath, f.severity])).toEqual([
      ['S/Forever/Resource', 'warning'],
      ['S/Implicit/Resource', 'warning'],
    ]);
  });

  test('an acknowledgement silences the log group it is applied to only', () => {
    const stack = newStack();
    const audit = new logs.LogGroup(stack, 'AuditLogs', { retention: logs.RetentionDays.INFINITE });
    new logs.LogGroup(stack, 'AppLogs', { retention: logs.RetentionDays.INFINITE });
    Validations.of(audit).acknowledge({ id: LOG_RETENTION, reason: 'Audit logs are kept for the life of the contract.' });
    expect(pathsFor(stack, LOG_RETENTION)).toEqual(['S/AppLogs/Resource']);
  });
});
