/**
 * cfn-lint over the example app's templates (the ReadinessStack from readiness.yaml, with and
 * without the probe schedule). Every finding is fixed or allowlisted here with its reason; CI
 * requires cfn-lint (SAAS_READINESS_REQUIRE_CFN_LINT=1), a bare laptop skips with a note.
 */
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addReadinessStack } from '../../lib/readiness-app';
import { cfnLint, describeWithCfnLint, type CfnLintFinding } from '../support/cfn-lint';

const ROOT = join(__dirname, '..', '..');

/** Findings accepted, each with why: matched on rule id and the resource type or path they are about. */
const ALLOWED: { rule: string; applies: (f: CfnLintFinding, template: Record<string, any>) => boolean; reason: string }[] = [
  {
    rule: 'E3002',
    applies: (f, t) => /'Tags' was unexpected/.test(f.message) && t.Resources[f.path.split('/')[1]]?.Type === 'AWS::CloudWatch::Dashboard',
    reason:
      "cfn-lint's resource spec predates Tags on AWS::CloudWatch::Dashboard (CloudFormation accepts them): the linter's outdated spec, not a template error.",
  },
  {
    rule: 'W3005',
    applies: (f, t) => /dependency already enforced by a 'GetAtt'/.test(f.message) && t.Resources[f.path.split('/')[1]]?.Type === 'AWS::Lambda::Function',
    reason:
      'aws-cdk-lib makes every Lambda function depend explicitly on its execution role (so its policy exists before the first invoke); redundant with the GetAtt, harmless.',
  },
];

function templateOf(context: Record<string, unknown>): Record<string, any> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  return Template.fromStack(addReadinessStack(app, { cwd: ROOT, env: {} })).toJSON();
}

describeWithCfnLint('cfn-lint over the example app', () => {
  it.each([
    ['at defaults', {}],
    ['with the probe schedule', { probeScheduleHours: 24 }],
  ])('%s: no finding but the allowlisted ones', (_name, context) => {
    const template = templateOf(context);
    const findings = cfnLint(template);
    const unexplained = findings.filter((f) => !ALLOWED.some((a) => a.rule === f.rule && a.applies(f, template)));
    expect(unexplained).toEqual([]);
  });
});
