import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readinessFindings } from '../../lib/nag';
import { newStack, pathsFor } from './support';

const COST_TAG = 'SaaSR-G2-CostTag';

describe('acknowledging readiness findings', () => {
  test('a stack-level acknowledgement covers that stack only', () => {
    const acknowledged = newStack('Sandbox');
    const other = new Stack(acknowledged.node.root, 'Production');
    new s3.Bucket(acknowledged, 'Bucket');
    new s3.Bucket(other, 'Bucket');
    Validations.of(acknowledged).acknowledge({ id: COST_TAG, reason: 'Sandbox account, billed as a whole.' });
    expect(pathsFor(acknowledged.node.root, COST_TAG)).toEqual(['Production/Bucket/Resource']);
  });

  test("the id qualified with the plugin name, as CDK's report suggests, works too", () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    Validations.of(bucket).acknowledge({ id: `SaaSReadinessChecks::${COST_TAG}`, reason: 'Billed to engineering.' });
    expect(pathsFor(stack, COST_TAG)).toEqual([]);
  });

  test('a blank reason does not silence the finding: it is reported as SaaSR-AckReason[<id>]', () => {
    const stack = newStack();
    const blank = new s3.Bucket(stack, 'Blank');
    const explained = new s3.Bucket(stack, 'Explained');
    Validations.of(blank).acknowledge({ id: COST_TAG, reason: '  ' });
    Validations.of(explained).acknowledge({ id: COST_TAG, reason: 'Billed to engineering.' });
    const findings = readinessFindings(stack);
    expect(findings.map((f) => [f.ruleId, f.constructPath])).toEqual([[`SaaSR-AckReason[${COST_TAG}]`, 'S/Blank/Resource']]);
    expect(findings[0].message).toMatch(/acknowledged without a reason.*Fix:/);
  });
});
