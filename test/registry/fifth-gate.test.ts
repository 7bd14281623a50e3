/**
 * Adding a gate is one folder, one source entry and one line of registration: a throwaway fifth
 * gate (test/fixtures/gates/uptime, test/fixtures/sources/statuspage), registered below and
 * nowhere else, shows up in the schema, --check, the CLI help, the runner, JUnit, the deployment
 * plan (its function, IAM, schedule, alarm and dashboard widget) and the rule pack's gate names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { main } from '../../lambda/cli/main';
import { configSchema } from '../../lambda/core/config/load';
import { Registry } from '../../lambda/core/registry';
import { GATES } from '../../lambda/gates';
import { SOURCES } from '../../lambda/sources';
import { SaaSReadinessChecks } from '../../lib/nag/pack';
import { addReadinessStack } from '../../lib/readiness-app';
import { gate as uptime } from '../fixtures/gates/uptime/gate';
import { healthCheckPresent } from '../fixtures/gates/uptime/nag-rule';
import { source as statuspage } from '../fixtures/sources/statuspage';

// The one line of registration.
const registry = new Registry([...GATES, uptime], [...SOURCES, statuspage]);

const YAML = `version: 1
suite: fifth
sources:
  status: { type: statuspage, healthCheckId: abcdef12-3456-7890-abcd-ef1234567890, uptimePercent: 99.95 }
gates:
  uptime: { source: status }
`;

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd, env: {}, registry });
  return { code, stdout, stderr };
}

describe('a fifth gate, registered in one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sr-fifth-'));
  const file = join(dir, 'readiness.yaml');
  writeFileSync(file, YAML);

  it('is in the published schema, with its source type', () => {
    const schema = configSchema(registry) as any;
    expect(Object.keys(schema.properties.gates.properties)).toEqual(['tenants', 'cost', 'config', 'monitoring', 'uptime']);
    expect(schema.properties.sources.additionalProperties.properties.type.enum).toContain('statuspage');
  });

  it('is offered by the CLI help, --check and its own option', async () => {
    const help = await cli(['--help'], dir);
    expect(help.stdout).toMatch(/--check ID .*: tenants, cost, config, monitoring, uptime/);
    expect(help.stdout).toContain('--uptime-strict');
    expect((await cli(['run', '--check', 'nope'], dir)).stderr).toContain('(gates: tenants, cost, config, monitoring, uptime)');
  });

  it('runs through the runner and reports in JUnit', async () => {
    const run = await cli(['run', '--check', 'uptime', '--format', 'junit', '--quiet'], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/<testcase classname="saas-readiness\.fifth" name="uptime"/);
    const json = JSON.parse((await cli(['run', '--format', 'json', '--quiet'], dir)).stdout);
    expect(json.results).toEqual([
      expect.objectContaining({
        gate: 'uptime',
        title: 'Service up',
        status: 'PASS',
        measurements: [expect.objectContaining({ name: 'uptimePercent', value: 99.95 })],
      }),
    ]);
  });

  it('deploys as its own function, with the IAM its source declares, its schedule, its alarm and its dashboard widget', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: file } });
    const stack = addReadinessStack(app, { cwd: dir, env: {}, registry });
    expect(stack.plan.gates.map((g) => [g.id, g.bundle])).toEqual([['uptime', { gate: uptime.module, sources: [statuspage.module] }]]);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SAAS_READINESS_GATE: 'uptime' }) } });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'ReadHealthCheck', Action: 'route53:GetHealthCheckStatus' }));
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'fifth-readiness-uptime', MetricName: 'Passed', Period: 6 * 3600 });
    const dashboard = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    expect(dashboard).toContain('uptime: Uptime %');
    expect(dashboard).toContain('UptimePercent');
  });

  it("names the rule pack's gates, so a rule for it composes in", () => {
    expect(new SaaSReadinessChecks(undefined, { gates: registry.gates, rules: [healthCheckPresent] }).gateNames).toEqual([
      'tenants',
      'cost',
      'config',
      'monitoring',
      'uptime',
    ]);
    // Without the registration the pack refuses the rule.
    expect(() => new SaaSReadinessChecks(undefined, { rules: [healthCheckPresent] })).toThrow(/names gate 'uptime', which is not registered/);
  });
});
