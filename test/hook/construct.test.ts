/**
 * The ReadinessHook construct, asserted on the synthesized template (bundling skipped; the
 * integration test bundles and runs the real asset): the LambdaHook resource as the resource
 * reference documents it, least-privilege IAM, the cdk-nag packs, and cfn-lint.
 */
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Table, AttributeType } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { addReadinessStack } from '../../lib/readiness-app';
import { defaultHookAlias, ReadinessHook, requiredGatesOf } from '../../lib/readiness-hook';
import { cfnLint, describeWithCfnLint } from '../support/cfn-lint';

const ROOT = join(__dirname, '..', '..');

function synth(context: Record<string, unknown>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = addReadinessStack(app, { cwd: ROOT, env: {} });
  return { app, stack, template: Template.fromStack(stack) };
}

/** A value that may be an Fn::Join (tokens inside), as text with each token as TOKEN. */
const text = (v: any): string =>
  typeof v === 'string' ? v : v['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join(v['Fn::Join'][0]);

/**
 * cfn-lint findings that are not the template's fault, each with the reason:
 * - E3002 Tags on AWS::CloudFormation::Dashboard: cfn-lint 1.51.0's resource spec predates
 *   dashboard tags (docs: AWS::CloudWatch::Dashboard has Tags); see /work/shared/ENVIRONMENT.md.
 * - W3005 on a Lambda function's DependsOn naming the role its `Role` property already references:
 *   aws-cdk-lib's Function (and its Trigger provider) adds that explicit dependency; redundant, not wrong.
 */
const LINT_ALLOWED = [
  (f: { rule: string; path: string }) => f.rule === 'E3002' && /^Resources\/Dashboard[0-9A-F]{8}\/Properties\/Tags$/.test(f.path),
  (f: { rule: string; path: string; message: string }) => {
    const fn = /^Resources\/([A-Za-z0-9]+)\/DependsOn\/\d+$/.exec(f.path)?.[1];
    return f.rule === 'W3005' && fn !== undefined && f.message.endsWith(`dependency already enforced by a 'GetAtt' at 'Resources/${fn}/Properties/Role'`);
  },
];

const statementsOf = (template: Template, roleLogicalIdPrefix: string) =>
  Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([, p]) => (p as any).Properties.Roles.some((r: any) => String(r.Ref).startsWith(roleLogicalIdPrefix)))
    .flatMap(([, p]) => (p as any).Properties.PolicyDocument.Statement);

describe('the readiness stack with a deploy hook guarding the billing stack (-c guardStacks=…)', () => {
  const { app, stack, template } = synth({ guardStacks: 'acme-rag-billing,acme-rag-metering-*' });

  it('deploys an AWS::CloudFormation::LambdaHook on the STACK and CHANGE_SET targets of the guarded stacks, CREATE and UPDATE only', () => {
    template.resourceCountIs('AWS::CloudFormation::LambdaHook', 1);
    template.hasResourceProperties('AWS::CloudFormation::LambdaHook', {
      Alias: 'Private::Readiness::AcmeRag',
      FailureMode: 'FAIL',
      HookStatus: 'ENABLED',
      TargetOperations: ['STACK', 'CHANGE_SET'],
      TargetFilters: { Actions: ['CREATE', 'UPDATE'] },
      StackFilters: { FilteringCriteria: 'ALL', StackNames: { Include: ['acme-rag-billing', 'acme-rag-metering-*'] } },
      LambdaFunction: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployHookFunction'), 'Arn'] },
      ExecutionRole: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployHookExecutionRole'), 'Arn'] },
    });
  });

  it('gives the hook an execution role only CloudFormation Hooks can assume, allowed to invoke that one function', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'hooks.cloudformation.amazonaws.com' } }] },
    });
    expect(statementsOf(template, 'DeployHookExecutionRole')).toEqual([
      {
        Sid: 'InvokeHookFunction',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^DeployHookFunction/), 'Arn'] },
      },
    ]);
  });

  it('lets the function Query only the result partitions of the deployed gates and the acknowledgements, and write nothing', () => {
    const statements = statementsOf(template, 'DeployHookFunctionRole');
    const dynamo = statements.filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:'));
    expect(dynamo).toEqual([
      {
        Sid: 'ReadVerdictsAndAcknowledgements',
        Action: 'dynamodb:Query',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ResultsHistory/), 'Arn'] },
        Condition: {
          'ForAllValues:StringEquals': {
            'dynamodb:LeadingKeys': ['acme-rag#result#tenants', 'acme-rag#result#cost', 'acme-rag#result#config', 'acme-rag#result#monitoring', 'acme-rag#ack'],
          },
        },
      },
    ]);
    const actions = statements.flatMap((s: any) => [s.Action].flat());
    expect(actions.sort()).toEqual(['dynamodb:Query', 'logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('configures the function with the suite, each gate max age (twice its schedule), the failure mode and the dashboard', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.SAAS_READINESS_HOOK) as any;
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Timeout: 20, MemorySize: 256, TracingConfig: { Mode: 'Active' } });
    const settings = JSON.parse(text(fn.Properties.Environment.Variables.SAAS_READINESS_HOOK));
    expect(settings).toMatchObject({
      suite: 'acme-rag',
      failureMode: 'FAIL',
      gates: [
        { id: 'tenants', maxAgeHours: 2 },
        { id: 'cost', maxAgeHours: 48 },
        { id: 'config', maxAgeHours: 2 },
        { id: 'monitoring', maxAgeHours: 2 },
      ],
      dashboardUrl: 'https://TOKEN.console.aws.amazon.com/cloudwatch/home?region=TOKEN#dashboards/dashboard/acme-rag-readiness',
    });
    expect(fn.Properties.Environment.Variables.SAAS_READINESS_HISTORY_TABLE).toEqual({ Ref: expect.stringMatching(/^ResultsHistory/) });
  });

  it('outputs the hook alias', () => {
    template.hasOutput('DeployHookAlias', { Value: 'Private::Readiness::AcmeRag' });
  });

  it('passes the AwsSolutions and Serverless cdk-nag packs, every finding acknowledged with a reason', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(app);
      expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
    expect(stack.deployHook).toBeDefined();
  });

  describeWithCfnLint('cfn-lint', () => {
    it('finds nothing in the template beyond the allow-listed findings, and nothing at all on the hook', () => {
      const findings = cfnLint(template.toJSON());
      expect(findings.filter((f) => !LINT_ALLOWED.some((allowed) => allowed(f)))).toEqual([]);
      expect(findings.filter((f) => /DeployHook/.test(f.path))).toEqual(findings.filter((f) => /DeployHookFunction[0-9A-F]{8}\/DependsOn/.test(f.path)));
    });
  });
});

describe('ReadinessHook settings', () => {
  const table = () => {
    const stack = new Stack(new App(), 'acme-rag-readiness');
    return {
      stack,
      table: new Table(stack, 'H', { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING } }),
    };
  };
  const gates = [{ id: 'tenants' as const, maxAgeHours: 2 }];

  it('takes the failure mode WARN from context', () => {
    synth({ guardStacks: 'acme-rag-billing', hookFailureMode: 'WARN' }).template.hasResourceProperties('AWS::CloudFormation::LambdaHook', {
      FailureMode: 'WARN',
    });
  });

  it('refuses a failure mode other than FAIL or WARN', () => {
    expect(() => synth({ guardStacks: 'acme-rag-billing', hookFailureMode: 'ROLLBACK' })).toThrow(
      "cdk context hookFailureMode: must be FAIL or WARN (got 'ROLLBACK')",
    );
  });

  it('deploys no hook without guardStacks', () => {
    synth({}).template.resourceCountIs('AWS::CloudFormation::LambdaHook', 0);
  });

  it('refuses to guard its own stack: a NOT READY suite could not deploy its fix', () => {
    const { stack, table: t } = table();
    expect(() => new ReadinessHook(stack, 'Hook', { suite: 'acme-rag', historyTable: t, gates, guardedStacks: ['acme-rag-*'] })).toThrow(
      "guardedStacks 'acme-rag-*' matches the hook's own stack acme-rag-readiness",
    );
  });

  it.each([[[]], [['1billing']], [['billing_stack']], [['a'.repeat(129)]], [Array.from({ length: 51 }, (_, i) => `s${i}`)], [['dup', 'dup']]])(
    'refuses guardedStacks %j',
    (names) => {
      const { stack, table: t } = table();
      expect(() => new ReadinessHook(stack, 'Hook', { suite: 'acme-rag', historyTable: t, gates, guardedStacks: names })).toThrow(
        /guardedStacks|stack name filter/,
      );
    },
  );

  it('refuses an alias that begins with AWS or is not three parts', () => {
    const { stack, table: t } = table();
    expect(() => new ReadinessHook(stack, 'A', { suite: 'acme-rag', historyTable: t, gates, guardedStacks: ['billing'], alias: 'AWS::Readiness::X1' })).toThrow(
      /must not begin with AWS/,
    );
    expect(() => new ReadinessHook(stack, 'B', { suite: 'acme-rag', historyTable: t, gates, guardedStacks: ['billing'], alias: 'Readiness::Hook' })).toThrow(
      /Name1::Name2::Name3/,
    );
  });

  it('derives a valid alias from any suite name', () => {
    expect(defaultHookAlias('acme-rag')).toBe('Private::Readiness::AcmeRag');
    expect(defaultHookAlias('a')).toBe('Private::Readiness::ASuite');
  });

  it('requires every deployed gate, max age twice its schedule unless set', () => {
    expect(
      requiredGatesOf(
        [
          { id: 'tenants', scheduleHours: 1 },
          { id: 'cost', scheduleHours: 24 },
        ],
        { cost: 30 },
      ),
    ).toEqual([
      { id: 'tenants', maxAgeHours: 2 },
      { id: 'cost', maxAgeHours: 30 },
    ]);
  });
});
