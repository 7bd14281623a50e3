/**
 * The stack's delivery options: the changes topic (always; emails opt-in) and the Security Hub
 * opt-in, with the IAM the deployment plan derives for it.
 */
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { addReadinessStack } from '../../lib/readiness-app';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');

function synth(context: Record<string, unknown>): { app: App; stack: Stack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: join(FIXTURES, 'deployed.yaml'), ...context } });
  const stack = addReadinessStack(app, { cwd: ROOT, env: { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' } });
  return { app, stack, template: Template.fromStack(stack) };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const statements = (t: Template) =>
  Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
const fnEnv = (t: Template) =>
  Object.values(t.findResources('AWS::Lambda::Function'))
    .map((f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables ?? {})
    .find((v) => v.SAAS_READINESS_GATE)!;

describe('delivery options of the deployed stack', () => {
  it('tells a changes topic (AWS managed SNS key, SSL only) that the function may publish to and may query its own results for', () => {
    const { template } = synth({ alarmEmail: 'oncall@example.com', changeEmail: 'team@example.com' });
    const topic = Object.values(template.findResources('AWS::SNS::Topic', { Properties: { DisplayName: 'Readiness changes of deploytest' } }));
    expect(topic).toHaveLength(1);
    expect(JSON.stringify(topic[0])).toContain(':kms:eu-west-1:123456789012:alias/aws/sns');
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@example.com' });
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' }, 1); // the alarm topic only
    expect(fnEnv(template).SAAS_READINESS_CHANGES_TOPIC).toEqual({ Ref: expect.stringMatching(/^ChangesTopic/) });
    const publish = statements(template).find((s) => [s.Action].flat().includes('sns:Publish'))!;
    expect(publish.Resource).toEqual({ Ref: expect.stringMatching(/^ChangesTopic/) });
    const own = statements(template).find((s) => s.Sid === 'AppendOwnResults')!;
    expect(own.Action).toEqual(['dynamodb:PutItem', 'dynamodb:Query']);
    template.hasOutput('ChangesTopicArn', {});
    expect(fnEnv(template).SAAS_READINESS_SECURITY_HUB).toBeUndefined();
    expect(
      statements(template)
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('securityhub:')),
    ).toEqual([]);
  });

  it("with -c securityHub=true, lets each function import findings into its account's default product and read only its hub", () => {
    const { app, template } = synth({ securityHub: 'true' });
    expect(fnEnv(template).SAAS_READINESS_SECURITY_HUB).toBe('1');
    // Each gate function's policy, the same two statements.
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
    );
    const perFunction = policies.map((st) => st.filter((s) => [s.Action].flat().some((a) => a.startsWith('securityhub:')))).filter((sh) => sh.length > 0);
    expect(perFunction).toHaveLength(
      Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => JSON.stringify(f).includes('SAAS_READINESS_GATE')).length,
    );
    for (const sh of perFunction) {
      expect(sh.map((s) => [s.Sid, s.Action, JSON.stringify(s.Resource)])).toEqual([
        ['SecurityHubImport', 'securityhub:BatchImportFindings', expect.stringMatching(/":securityhub:eu-west-1:123456789012:product\/123456789012\/default"/)],
        ['SecurityHubOwnFindings', 'securityhub:GetFindings', expect.stringMatching(/":securityhub:eu-west-1:123456789012:hub\/default"/)],
      ]);
    }
    // No wildcard, nothing to acknowledge: the stack still passes the AwsSolutions and Serverless packs.
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(app).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
  });
});
