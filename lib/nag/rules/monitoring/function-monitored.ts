import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { logicalIdOf, resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

/** Every function has a CloudWatch alarm on its Errors metric, or a Datadog / New Relic layer. */
export const functionMonitored: ReadinessRule = {
  id: 'G4-FunctionMonitored',
  gate: 'monitoring',
  level: NagMessageLevel.ERROR,
  info: 'The function has neither a CloudWatch alarm on its Errors metric nor a Datadog / New Relic instrumentation layer.',
  explanation:
    'Gate 4 requires live monitoring with alerting: error signals flowing and someone paged when they spike. A function without an error alarm or an APM integration fails silently for the tenants it serves.',
  fix: "Add fn.metricErrors().createAlarm(this, 'Errors', { threshold: 1, evaluationPeriods: 1 }) (alarm on AWS/Lambda Errors with the FunctionName dimension), or add the Datadog-Extension / NewRelicLambdaExtension layer.",
  check(node, context) {
    if (!(node instanceof CfnFunction)) return NagRuleCompliance.NOT_APPLICABLE;
    const layers: unknown[] = resolved(node, node.layers) ?? [];
    const patterns = context.settings.instrumentationLayerPatterns;
    if (layers.some((arn) => typeof arn === 'string' && patterns.some((p) => p.test(arn)))) {
      return NagRuleCompliance.COMPLIANT;
    }
    const alarmed = context.indexOf(node).errorAlarmedFunctions;
    const functionName = resolved(node, node.functionName);
    return alarmed.has(`ref:${logicalIdOf(node)}`) || (typeof functionName === 'string' && alarmed.has(`name:${functionName}`))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
