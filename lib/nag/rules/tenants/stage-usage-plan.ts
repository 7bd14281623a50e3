import { CfnDeployment, CfnStage } from 'aws-cdk-lib/aws-apigateway';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { logicalIdOf, referenceKey, resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';
import { usagePlanStageKey } from '../../stack-index';

/** Every REST API stage (a Stage, or a Deployment that creates one by name) is in a usage plan. */
export const stageUsagePlan: ReadinessRule = {
  id: 'G1-StageUsagePlan',
  gate: 'tenants',
  level: NagMessageLevel.ERROR,
  info: 'The REST API stage is not covered by any usage plan, so no tenant quota or rate limit applies to it.',
  explanation:
    'Per-tenant quotas and rate limits are enforced by API Gateway usage plans bound to API keys. A stage outside every usage plan serves unlimited traffic, so the quota gate can never see HTTP 429 on it.',
  fix: 'Add the stage to a usage plan per tier: plan.addApiStage({ stage: api.deploymentStage }) (or ApiStages in the UsagePlan).',
  check(node, context) {
    let stageKeys: string[];
    let api: unknown;
    if (node instanceof CfnStage) {
      stageKeys = [`ref:${logicalIdOf(node)}`, `name:${resolved(node, node.stageName)}`];
      api = node.restApiId;
    } else if (node instanceof CfnDeployment && node.stageName !== undefined) {
      stageKeys = [`name:${resolved(node, node.stageName)}`];
      api = node.restApiId;
    } else {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const apiKey = referenceKey(resolved(node, api));
    const { usagePlanStages } = context.indexOf(node);
    return stageKeys.some((stageKey) => usagePlanStages.has(usagePlanStageKey(apiKey, stageKey)))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
