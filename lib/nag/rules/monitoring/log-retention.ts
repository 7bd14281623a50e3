import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { logicalIdOf, resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

/**
 * Log groups have a retention period. A function's log group counts as declared when the
 * function names one (loggingConfig.logGroup), when a log group `/aws/lambda/<function>` is in
 * the stack, or when the function uses the `logRetention` option; otherwise Lambda creates it
 * on first invocation with no retention.
 */
export const logRetention: ReadinessRule = {
  id: 'G4-LogRetention',
  gate: 'monitoring',
  level: NagMessageLevel.WARN,
  info: "The log group (or the function's implicit log group) keeps logs forever: no retention period is set.",
  explanation:
    "Gate 4's signals flow through logs, and gate 2 reconciles their cost. Logs kept forever grow storage cost without bound and are never attributed to a tenant.",
  fix: "Set retention on the LogGroup (e.g. RetentionDays.ONE_MONTH); for functions pass logGroup: new LogGroup(this, 'Logs', { retention }).",
  check(node, context) {
    if (node instanceof CfnLogGroup) {
      return node.retentionInDays !== undefined ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
    }
    if (!(node instanceof CfnFunction)) return NagRuleCompliance.NOT_APPLICABLE;
    if (resolved(node, node.loggingConfig)?.logGroup !== undefined) return NagRuleCompliance.COMPLIANT;
    const declared = context.indexOf(node).functionsWithDeclaredLogGroup;
    const functionName = resolved(node, node.functionName);
    return declared.has(`ref:${logicalIdOf(node)}`) || (typeof functionName === 'string' && declared.has(`name:${functionName}`))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
