import { App, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { readinessFindings, type SaaSReadinessProps } from '../../lib/nag';

/**
 * A stack in a fresh app. CDK's built-in template validation is switched off: it loads a
 * WASM engine (~3 s per test file) and has nothing to do with this pack.
 */
export function newStack(id = 'S'): Stack {
  return new Stack(new App({ builtinCloudFormationValidation: false }), id);
}

/** Construct paths at which `ruleId` (a full id such as `SaaSR-G2-CostTag`) reports a finding. */
export function pathsFor(scope: IConstruct, ruleId: string, props?: SaaSReadinessProps): string[] {
  return readinessFindings(scope, props)
    .filter((finding) => finding.ruleId === ruleId)
    .map((finding) => finding.constructPath);
}

/** The distinct rule ids reported for `scope`. */
export function ruleIdsOf(scope: IConstruct, props?: SaaSReadinessProps): string[] {
  return [...new Set(readinessFindings(scope, props).map((finding) => finding.ruleId))].sort();
}
