import { App, type Stack, Tags, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SaaSStack } from '../../examples/saas-stack';
import { expectReadiness, SaaSReadinessChecks } from '../../lib/nag';
import { ruleIdsOf } from './support';

function example(): SaaSStack {
  return new SaaSStack(new App({ builtinCloudFormationValidation: false }), 'Saas');
}

describe('the example SaaS stack', () => {
  test('passes the readiness pack', () => {
    expect(() => expectReadiness(example())).not.toThrow();
  });

  test('passes when the pack runs as a validation plugin during synth', () => {
    const stack = example();
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new SaaSReadinessChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  test('a broken variant fails synth with the rule id and construct path in the report', () => {
    const stack = example();
    (stack.tenantRegistry.node.defaultChild as dynamodb.CfnTable).pointInTimeRecoverySpecification = undefined;
    const app = stack.node.root as App;
    Validations.of(app).addPlugins(new SaaSReadinessChecks(app));
    expect(() => app.synth()).toThrow(
      /tenant registry is not durable[\s\S]*Saas\/TenantDetails\/Resource[\s\S]*'SaaSReadinessChecks::SaaSR-G1-RegistryDurable'/,
    );
  });

  const brokenVariants: [string, (stack: SaaSStack) => void, string[]][] = [
    [
      'the registry without point-in-time recovery',
      (stack) => ((stack.tenantRegistry.node.defaultChild as dynamodb.CfnTable).pointInTimeRecoverySpecification = undefined),
      ['SaaSR-G1-RegistryDurable'],
    ],
    [
      'the config table without a stream',
      (stack) => ((stack.tenantConfig.node.defaultChild as dynamodb.CfnTable).streamSpecification = undefined),
      ['SaaSR-G3-ConfigAuditTrail'],
    ],
    [
      'the Free plan without a quota',
      (stack) => ((stack.usagePlans.Free.node.defaultChild as apigateway.CfnUsagePlan).quota = undefined),
      ['SaaSR-G1-UsagePlanLimits'],
    ],
    [
      'a public method without an API key',
      (stack) => stack.api.root.addResource('signup').addMethod('POST', undefined, { apiKeyRequired: false }),
      ['SaaSR-G1-MethodApiKey'],
    ],
    [
      'a second API whose stage is in no usage plan',
      (stack) => {
        const admin = new apigateway.RestApi(stack, 'AdminApi', { cloudWatchRole: false });
        admin.root.addMethod('GET', undefined, { apiKeyRequired: true });
      },
      ['SaaSR-G1-StageUsagePlan'],
    ],
    ['a queue with the cost tag removed', (stack) => Tags.of(new sqs.Queue(stack, 'IngestQueue')).remove('tenant_id'), ['SaaSR-G2-CostTag']],
    [
      'a tenant quota baked into the function environment',
      (stack) => stack.handler.addEnvironment('TENANT_ACME_QUOTA', '1000'),
      ['SaaSR-G3-NoTenantConfigInEnv[TENANT_ACME_QUOTA]'],
    ],
    [
      'a new function without alarm or log group',
      (stack) =>
        new lambda.Function(stack, 'Indexer', {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('exports.handler = async () => ({})'),
        }),
      ['SaaSR-G4-FunctionMonitored', 'SaaSR-G4-LogRetention'],
    ],
  ];

  test.each(brokenVariants)('fails with %s', (_name, breakIt, expectedRuleIds) => {
    const stack = example();
    breakIt(stack);
    expect(ruleIdsOf(stack)).toEqual(expectedRuleIds);
  });

  test('the pack validates every stack of an app', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    new SaaSStack(app, 'Eu');
    const us = new SaaSStack(app, 'Us');
    us.handler.addEnvironment('TENANT_GLOBEX_TIER', 'pro');
    expect(() => expectReadiness(app)).toThrow(/SaaSR-G3-NoTenantConfigInEnv\[TENANT_GLOBEX_TIER\][\s\S]*Us\/TenantApi\/Resource/);
    expect(() => expectReadiness(app.node.findChild('Eu') as Stack)).not.toThrow();
  });
});
