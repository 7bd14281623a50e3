import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { tagsOf } from '../../resources';
import type { ReadinessRule } from '../../rule';

/**
 * Every cost-bearing resource carries the cost-allocation tag key with a non-empty value:
 * a tenant id on siloed resources, the shared value on pooled ones. Resources that
 * `Tags.of()` cannot tag (CDK-internal custom-resource handlers) are not applicable.
 */
export const costTag: ReadinessRule = {
  id: 'G2-CostTag',
  gate: 'cost',
  level: NagMessageLevel.ERROR,
  info: 'The cost-bearing resource does not carry the cost-allocation tag, so its cost cannot be attributed to a tenant or to the shared pool.',
  explanation:
    "Gate 2 reconciles the costs the app attributes to tenants against the AWS bill within ±5%. Cost Explorer can split the bill only by activated cost-allocation tags; untagged spend lands in no tenant's line and not in the shared line either.",
  fix: "Tag it with the cost-allocation key (default tenant_id): Tags.of(siloed).add('tenant_id', tenantId) on a tenant's own resources, markPooled(scope) (tenant_id=shared) on pooled ones; then activate the key as a cost-allocation tag in Billing.",
  check(node, context) {
    if (!context.settings.costBearingTypes.has(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
    const tags = tagsOf(node);
    if (tags === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const value = tags[context.settings.costTagKey];
    return typeof value === 'string' && value.trim() !== '' ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
