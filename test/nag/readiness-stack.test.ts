import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addReadinessStack } from '../../lib/readiness-app';
import { readinessFindings, formatReadinessFindings } from '../../lib/nag';

/** The project eats its own cooking: the deployed readiness stack passes the readiness pack. */
describe('ReadinessStack under the readiness rule pack', () => {
  it('has no finding with the example readiness.yaml', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = addReadinessStack(app, { cwd: join(__dirname, '..', '..'), env: {} });
    const findings = readinessFindings(stack);
    expect(formatReadinessFindings(findings)).toBe('');
  });
});
