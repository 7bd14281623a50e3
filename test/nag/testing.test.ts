import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { expectReadiness, formatReadinessFindings, readinessFindings } from '../../lib/nag';
import { newStack } from './support';

describe('expectReadiness', () => {
  test('fails listing the findings rule by rule: id, severity, message with the fix, then each path', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Uploads');
    new sqs.Queue(stack, 'Jobs');
    let message = '';
    try {
      expectReadiness(stack);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      [
        'S fails 2 SaaS readiness finding(s):',
        `SaaSR-G2-CostTag (error): ${readinessFindings(stack)[0].message}`,
        '  - S/Jobs/Resource',
        '  - S/Uploads/Resource',
      ].join('\n'),
    );
    expect(message).toMatch(/cost-allocation tag.*Fix: Tag it/);
  });

  test('passes props to the pack', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Uploads');
    expect(() => expectReadiness(stack, { costBearingTypes: [] })).not.toThrow();
  });
});

describe('formatReadinessFindings', () => {
  test('groups findings by rule', () => {
    const text = formatReadinessFindings([
      { ruleId: 'SaaSR-G2-CostTag', constructPath: 'S/A', severity: 'error', message: 'untagged' },
      { ruleId: 'SaaSR-G2-CostTag', constructPath: 'S/B', severity: 'error', message: 'untagged' },
      { ruleId: 'SaaSR-G4-LogRetention', constructPath: 'S/L', severity: 'warning', message: 'forever' },
    ]);
    expect(text).toBe(['SaaSR-G2-CostTag (error): untagged', '  - S/A', '  - S/B', 'SaaSR-G4-LogRetention (warning): forever', '  - S/L'].join('\n'));
  });
});
