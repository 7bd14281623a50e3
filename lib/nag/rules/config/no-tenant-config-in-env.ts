import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

/**
 * No Lambda environment variable holds tenant config. One finding per offending variable,
 * reported as `SaaSR-G3-NoTenantConfigInEnv[<NAME>]` so each can be acknowledged on its own.
 */
export const noTenantConfigInEnv: ReadinessRule = {
  id: 'G3-NoTenantConfigInEnv',
  gate: 'config',
  level: NagMessageLevel.ERROR,
  info: 'The function has tenant-specific config baked into an environment variable.',
  explanation:
    "Gate 3 requires that tenant configs can be added or changed without a code deployment. A tenant's quota, tier or settings in an environment variable changes only by redeploying the function, and drifts from the config store.",
  fix: "Read tenant config from the config store at run time (cache it for seconds), and pass only the store's name, e.g. TENANT_CONFIG_TABLE.",
  check(node, context) {
    if (!(node instanceof CfnFunction)) return NagRuleCompliance.NOT_APPLICABLE;
    const names = Object.keys(resolved(node, node.environment)?.variables ?? {});
    const offending = names.filter((name) => context.settings.tenantConfigEnvPatterns.some((p) => p.test(name)));
    return offending.length > 0 ? offending : NagRuleCompliance.COMPLIANT;
  },
};
