import { Validations } from 'aws-cdk-lib';
import { NagMessageLevel } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { ReadinessRuleInfo } from './rule';

/**
 * Reported instead of a finding that was acknowledged only with a blank reason: CDK and
 * cdk-nag accept `acknowledge({ id, reason: '' })`, this pack does not.
 */
export const acknowledgementReason: ReadinessRuleInfo = {
  id: 'AckReason',
  level: NagMessageLevel.ERROR,
  info: 'A readiness finding was acknowledged without a reason.',
  explanation:
    'An acknowledgement accepts that a gate may fail for this resource. Reviewers and auditors need to know why; a blank reason hides an unmet readiness requirement.',
  fix: "Say why the risk is acceptable: Validations.of(construct).acknowledge({ id, reason: 'why' }).",
};

/**
 * The reasons given for acknowledging `ruleId` on `construct` or any construct above it.
 * Both the plain id (`SaaSR-G1-MethodApiKey`, as cdk-nag documents) and the id qualified with
 * the plugin's namespace (`SaaSReadinessChecks::SaaSR-G1-MethodApiKey`, as CDK's validation
 * report suggests) count.
 */
export function acknowledgementReasons(construct: IConstruct, ruleId: string, pluginNamespace: string): string[] {
  const reasons: string[] = [];
  const prefixes = ['annotation::', `${pluginNamespace.toLowerCase()}::`];
  for (let current: IConstruct | undefined = construct; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, unknown>)) {
        const prefix = prefixes.find((p) => key.toLowerCase().startsWith(p));
        const id = prefix ? key.slice(prefix.length) : key;
        if (id === ruleId) reasons.push(typeof reason === 'string' ? reason : '');
      }
    }
  }
  return reasons;
}
