import { CfnUsagePlan } from 'aws-cdk-lib/aws-apigateway';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
function isThrottle(settings: any): boolean {
  return settings?.rateLimit !== undefined && settings?.burstLimit !== undefined;
}

/** Throttling on the whole plan, or on every method of every stage it covers. */
function isThrottled(plan: CfnUsagePlan): boolean {
  if (isThrottle(resolved(plan, plan.throttle))) return true;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
  const apiStages: any[] = resolved(plan, plan.apiStages) ?? [];
  return (
    apiStages.length > 0 &&
    apiStages.every((apiStage) => {
      const perMethod = Object.values(apiStage?.throttle ?? {});
      return perMethod.length > 0 && perMethod.every(isThrottle);
    })
  );
}

/** Every usage plan has a quota and throttling (rate and burst limits). */
export const usagePlanLimits: ReadinessRule = {
  id: 'G1-UsagePlanLimits',
  gate: 'tenants',
  level: NagMessageLevel.ERROR,
  info: 'The usage plan lacks a quota or throttling (rate and burst limits).',
  explanation:
    'Gate 1 requires a declared quota per tenant and, where probed, enforcement seen as HTTP 429. A usage plan without a quota lets a tenant exceed its tier, and one without throttling lets one tenant starve the others.',
  fix: "Give each tier's plan quota: { limit, period } and throttle: { rateLimit, burstLimit } (or per-method throttling on every API stage it covers).",
  check(node) {
    if (!(node instanceof CfnUsagePlan)) return NagRuleCompliance.NOT_APPLICABLE;
    const quotaLimit = resolved(node, node.quota)?.limit;
    const hasQuota = typeof quotaLimit === 'number' ? quotaLimit > 0 : quotaLimit !== undefined;
    return hasQuota && isThrottled(node) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
