import type { CfnResource } from 'aws-cdk-lib';
import type { NagMessageLevel, NagRuleResult } from 'cdk-nag';
import type { ReadinessSettings } from './settings';
import type { StackIndex } from './stack-index';

import type { GateId } from '../../lambda/core/gate';

/** A registered gate's id (the CLI's `--check`, the deployed functions' metric dimension): the pack refuses a rule naming another. */
export type ReadinessGate = GateId;

/** What a finding says: shown by cdk-nag as `<packName>-<id>: <info> Fix: <fix>`. */
export interface ReadinessRuleInfo {
  /** Rule id without the pack prefix, e.g. `G1-RegistryDurable` (reported as `SaaSR-G1-RegistryDurable`). */
  readonly id: string;
  readonly level: NagMessageLevel;
  /** Why the rule was triggered (one sentence). */
  readonly info: string;
  /** Why the rule exists: what the gate cannot prove without it. */
  readonly explanation: string;
  /** How to make the resource compliant. */
  readonly fix: string;
}

/** What a rule may read besides the resource itself. */
export interface RuleContext {
  readonly settings: ReadinessSettings;
  /** Cross-resource facts about the resource's stack, computed once per stack and validation. */
  indexOf(node: CfnResource): StackIndex;
}

export interface ReadinessRule extends ReadinessRuleInfo {
  readonly gate: ReadinessGate;
  /** Pure check of one resource: NOT_APPLICABLE, COMPLIANT, NON_COMPLIANT or named findings. */
  check(node: CfnResource, context: RuleContext): NagRuleResult;
}
