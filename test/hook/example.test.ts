import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addGuardedBillingApp } from '../../examples/guarded-app';
import { expectReadiness } from '../../lib/nag';

describe('the example app: the readiness suite guarding its billing stack', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const { readiness, billing } = addGuardedBillingApp(app, { configFile: join(__dirname, '..', '..', 'readiness.yaml'), env: {} });

  it('holds acme-rag-billing, and only it, while the suite is not READY', () => {
    expect(billing.stackName).toBe('acme-rag-billing');
    Template.fromStack(readiness).hasResourceProperties('AWS::CloudFormation::LambdaHook', {
      FailureMode: 'FAIL',
      StackFilters: { FilteringCriteria: 'ALL', StackNames: { Include: ['acme-rag-billing'] } },
    });
  });

  it('deploys the readiness stack (and its hook) before the billing stack', () => {
    expect(billing.dependencies).toContain(readiness);
  });

  it('the billing stack itself passes the readiness rule pack', () => {
    expect(() => expectReadiness(billing)).not.toThrow();
  });
});
