import { type CfnResource, Stack } from 'aws-cdk-lib';
import type { RuleContext } from './rule';
import type { ReadinessSettings } from './settings';
import { buildStackIndex, type StackIndex } from './stack-index';

/** A fresh context for one validation run: each stack's index is built on first use, then reused. */
export function createRuleContext(settings: ReadinessSettings): RuleContext {
  const indexes = new Map<Stack, StackIndex>();
  return {
    settings,
    indexOf(node: CfnResource): StackIndex {
      const stack = Stack.of(node);
      let index = indexes.get(stack);
      if (index === undefined) {
        index = buildStackIndex(stack);
        indexes.set(stack, index);
      }
      return index;
    },
  };
}
