import { Stage } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { SaaSReadinessChecks } from './pack';
import type { SaaSReadinessProps } from './settings';

/** One violation of one rule at one construct. */
export interface ReadinessFinding {
  /** Full rule id as reported and acknowledged, e.g. `SaaSR-G2-CostTag` or `SaaSR-G3-NoTenantConfigInEnv[TENANT_ACME_QUOTA]`. */
  readonly ruleId: string;
  readonly constructPath: string;
  readonly severity: string;
  /** What is wrong and how to fix it. */
  readonly message: string;
}

/**
 * Runs the pack over `scope` (an App, Stage or Stack) and returns its findings, sorted by rule
 * and path. The app is synthesized first so that aspects such as `Tags.of()` have been applied,
 * exactly as when the pack runs as a validation plugin. Acknowledgements are honoured.
 * Pass an app without the pack registered as a plugin: a failing plugin makes synthesis throw.
 */
export function readinessFindings(scope: IConstruct, props?: SaaSReadinessProps): ReadinessFinding[] {
  const root = scope.node.root;
  if (Stage.isStage(root)) root.synth();
  const report = new SaaSReadinessChecks(undefined, props).validateScope(scope);
  const findings = report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      ruleId: violation.ruleName,
      constructPath: resource.constructPath ?? resource.resourceLogicalId ?? '',
      severity: violation.severity ?? 'error',
      message: violation.description,
    })),
  );
  return findings.sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.constructPath.localeCompare(b.constructPath));
}

/** Findings grouped rule by rule: the id, severity and message, then every construct path. */
export function formatReadinessFindings(findings: readonly ReadinessFinding[]): string {
  const byRule = new Map<string, ReadinessFinding[]>();
  for (const finding of findings) byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
  return [...byRule.entries()]
    .map(([ruleId, group]) => [`${ruleId} (${group[0].severity}): ${group[0].message}`, ...group.map((f) => `  - ${f.constructPath}`)].join('\n'))
    .join('\n');
}

/**
 * One-call assertion for jest (or any test runner): throws, listing every finding rule by
 * rule, unless `scope` passes the readiness pack.
 *
 * @example
 * test('the SaaS stack is ready', () => {
 *   const app = new App();
 *   const stack = new MySaaSStack(app, 'Saas');
 *   expectReadiness(stack);
 * });
 */
export function expectReadiness(scope: IConstruct, props?: SaaSReadinessProps): void {
  const findings = readinessFindings(scope, props);
  if (findings.length === 0) return;
  throw new Error(`${scope.node.path || 'The app'} fails ${findings.length} SaaS readiness finding(s):\n${formatReadinessFindings(findings)}`);
}
