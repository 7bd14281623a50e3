/**
 * The synthesized ReadinessStack, asserted on its CloudFormation template. Bundling is skipped here
 * (the "as deployed" test bundles and runs the real asset); each config is synthesized once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError } from '../../lambda/core/errors';
import { BUILT_IN } from '../../lambda/registry';
import { METRIC_NAMESPACE } from '../../lambda/core/metrics';
import { addReadinessStack } from '../../lib/readiness-app';
import { loadConfigFile } from '../../lambda/core/config/load';
import { ReadinessResults } from '../../lib/results-store';
import { ReadinessGateFunction } from '../../lib/gate-function';
import { accessOf, type GatePlan } from '../../lib/deployment-plan';
import type { Permission } from '../../lambda/core/permissions';
import type { ReadinessConfig } from '../../lambda/core/config/types';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { runCli } from '../support/cli';
import { formatReadinessFindings, readinessFindings } from '../../lib/nag';

const FIXTURES = join(__dirname, 'fixtures');
const ROOT = join(__dirname, '..', '..');

function synth(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): { app: App; stack: Stack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = addReadinessStack(app, { cwd: ROOT, env });
  return { app, stack, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, unknown>; Sid?: string };

function statementsOf(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => (p as any).Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** The actions whose API has no resource-level permissions, so that resource "*" is required. */
const WILDCARD_REQUIRED = new Set([
  'xray:PutTraceSegments', // X-Ray: no resource-level permissions
  'xray:PutTelemetryRecords',
  'ce:GetCostAndUsage', // Cost Explorer: no resource-level permissions
  'cloudwatch:GetMetricData', // no resource-level permissions
  'ec2:CreateNetworkInterface', // Lambda VPC networking (as AWS documents for the execution role)
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

describe('the stack of the full example (probes opted in, VPC, emails)', () => {
  const { app, template } = synth({
    config: join(FIXTURES, 'full.yaml'),
    probeScheduleHours: 24,
    alarmEmail: 'oncall@example.com, lead@example.com',
    subnetIds: 'subnet-0aaa,subnet-0bbb',
    securityGroupIds: 'sg-0ccc',
  });

  it('deploys the gate as an arm64 Node.js 24 function with the CA bundle, tracing and a timeout above the gate deadline', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 120 + 20 + 10,
      VpcConfig: { SubnetIds: ['subnet-0aaa', 'subnet-0bbb'], SecurityGroupIds: ['sg-0ccc'] },
      Environment: {
        Variables: Match.objectLike({
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          SAAS_READINESS_GATE: 'tenants',
          SAAS_READINESS_CONFIG: Match.stringLikeRegexp('"quotaProbe"'),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('deploys secrets and parameters as references only: nothing from the synth environment reaches the template', () => {
    const text = JSON.stringify(template.toJSON());
    expect(text).toContain('${secret:arn:aws:secretsmanager:eu-west-1:123456789012:secret:fulltest/canary-Zz9Yy8#apiKey}');
    expect(text).toContain('api_key=${ssm:/fulltest/probe/api-key}');
    expect(text).not.toMatch(/\$\{env:|FULLTEST_API_URL|api\.example\.com\/v1\/ping"/);
  });

  it('grants ssm:GetParameter on exactly the referenced parameter, and no kms:Decrypt', () => {
    const statements = statementsOf(template);
    const read = statements.filter((s) => actionsOf(s).includes('ssm:GetParameter'));
    expect(read).toHaveLength(1);
    expect(JSON.stringify(read[0].Resource)).toMatch(/":ssm:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":parameter\/fulltest\/probe\/api-key"/);
    expect(statements.flatMap(actionsOf)).not.toContain('kms:Decrypt');
  });

  it('schedules passive runs hourly and probe runs on their own opt-in daily schedule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ probes: false }), DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [Match.objectLike({ Input: JSON.stringify({ probes: true }) })],
    });
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  it('alarms on Passed per gate with the period of its schedule, missing data breaching; probes separately', () => {
    // Exactly the handler's dimension set (CloudFormation lists them by name).
    const dims = (run: string) => [
      { Name: 'Gate', Value: 'tenants' },
      { Name: 'Run', Value: run },
      { Name: 'Suite', Value: 'fulltest' },
    ];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'fulltest-readiness-tenants',
      Namespace: METRIC_NAMESPACE,
      MetricName: 'Passed',
      Dimensions: dims('scheduled'),
      Period: 3600,
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'fulltest-readiness-tenants-probes',
      MetricName: 'Passed',
      Dimensions: dims('probes'),
      Period: 86400,
      TreatMissingData: 'notBreaching',
    });
  });

  it('has a composite "not ready" alarm over every gate alarm, notifying the encrypted topic and its emails', () => {
    const composite = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));
    expect(composite).toHaveLength(1);
    const props = (composite[0] as any).Properties;
    expect(props.AlarmName).toBe('fulltest-not-ready');
    const rule = JSON.stringify(props.AlarmRule);
    expect(rule).toMatch(/ALARM\(/);
    for (const alarm of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) expect(rule).toContain(alarm);
    expect(props.AlarmActions).toHaveLength(1);
    expect(props.OKActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'lead@example.com' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('runs each gate once at deploy time, before its alarms exist', () => {
    const triggers = template.findResources('Custom::Trigger');
    expect(Object.keys(triggers)).toHaveLength(1);
    const [triggerId] = Object.keys(triggers);
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    for (const alarm of Object.values(alarms)) expect((alarm as any).DependsOn).toEqual(expect.arrayContaining([triggerId]));
  });

  it('keeps history in a pk/sk table with TTL and point-in-time recovery, reports in a private SSL-only bucket', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: [Match.objectLike({ ExpirationInDays: 400, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: { AWS: '*' } }),
        ]),
      },
    });
  });

  it('grants resource "*" only for actions whose API has no resource-level permissions', () => {
    const wildcards = statementsOf(template).filter((s) => JSON.stringify(s.Resource) === '"*"');
    expect(wildcards.length).toBeGreaterThan(0);
    for (const s of wildcards) for (const action of actionsOf(s)) expect(WILDCARD_REQUIRED).toContain(action);
    // Here: X-Ray (tracing) and VPC networking; no Cost Explorer or CloudWatch without those gates.
    const granted = new Set(wildcards.flatMap(actionsOf));
    expect(granted).toEqual(
      new Set([
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ]),
    );
  });

  it('lets the function read exactly the secrets its config names, and write only its own results', () => {
    const statements = statementsOf(template);
    const secrets = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(secrets.flatMap((s) => s.Resource as string[]).sort()).toEqual([
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fulltest/appdb-??????', // partial ARN: the documented suffix wildcard
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fulltest/canary-Zz9Yy8', // probe header, used by the probe schedule
    ]);
    const writes = statements.filter((s) => actionsOf(s).some((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a)));
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['fulltest#result#tenants'] } });
    const puts = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(JSON.stringify(puts.map((s) => s.Resource))).toContain('/reports/fulltest/tenants/*');
  });

  it('passes the AwsSolutions and Serverless cdk-nag packs with every finding acknowledged with a reason', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(app);
      expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    }
  });
});

describe('the repository example readiness.yaml', () => {
  // sbt-aws' TenantDetails has a CloudFormation-generated name, written into the deployed config.
  const tenantDetails = 'ControlPlaneStack-ControlPlanetenantManagementServicetenantManagementTableTenantDetails1A2B3C4D-1Q2W3E4R5T6Y7';
  // One synth of the example serves every assertion on it, the readiness pack's included.
  const { app, stack, template } = synth({}, {});

  it('deploys one function per enabled gate of the config, each with its own slice of the config', () => {
    const config = loadConfigFile(BUILT_IN, join(ROOT, 'readiness.yaml'), { resolveEnv: false }).config;
    const expected = BUILT_IN.gates.filter((g) => config.gates[g.id] && config.gates[g.id]!.enabled !== false).map((g) => g.id);
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => (f as any).Properties.Environment?.Variables)
      .filter((v) => v?.SAAS_READINESS_GATE);
    expect(variables.map((v) => v.SAAS_READINESS_GATE).sort()).toEqual([...expected].sort());
    // A config naming the stack's history table is an Fn::Join around the table's Ref.
    const text = (c: any): string =>
      typeof c === 'string' ? c : c['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : 'TOKEN')).join(c['Fn::Join'][0]);
    for (const v of variables) expect(Object.keys(JSON.parse(text(v.SAAS_READINESS_CONFIG)).gates)).toEqual([v.SAAS_READINESS_GATE]);
  });

  it('reads the sbt-aws registry with Scan on that table only (its generated name), and only secrets a deployed config names', () => {
    const statements = statementsOf(template);
    const scan = statements.find((s) => actionsOf(s).includes('dynamodb:Scan'))!;
    expect(JSON.stringify(scan.Resource)).toContain(`:table/${tenantDetails}"`);
    const configs = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    const secretArns = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).flatMap((s) => [s.Resource].flat() as string[]);
    for (const arn of secretArns) expect(configs).toContain(arn.replace(/-\?{6}$/, ''));
  });

  it('passes cdk-nag', () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) expect(pack.validateScope(app).violations).toEqual([]);
  });

  it('has no finding under the readiness rule pack (the project eats its own cooking; was test/nag/readiness-stack)', () => {
    expect(formatReadinessFindings(readinessFindings(stack))).toBe('');
  });
});

describe('access of gates whose config names Cost Explorer, CloudWatch or a canary', () => {
  const base = { version: 1 as const, suite: 'acc', gates: {} };
  const access = (id: string, own: Record<string, unknown>, sources: ReadinessConfig['sources']) =>
    accessOf(BUILT_IN, BUILT_IN.gate(id)!, own, { ...base, sources });
  const sidOf = (permissions: readonly Permission[], action: string) => permissions.find((p) => p.actions.includes(action));
  const plan = (id: string, permissions: Permission[]): GatePlan => ({
    id,
    title: id,
    configJson: '{}',
    scheduleHours: BUILT_IN.gate(id)!.deployment.scheduleHours,
    scheduleWhy: 'test',
    probeKeys: [],
    probesDeployed: false,
    timeoutSeconds: 60,
    permissions,
    securityHub: false,
    keyMeasurement: BUILT_IN.gate(id)!.keyMeasurement,
    bundle: { gate: BUILT_IN.gate(id)!.module, sources: [] },
  });

  it('derives ce:GetCostAndUsage and sts:AssumeRole on the configured role from a costexplorer source', () => {
    const { permissions } = access(
      'cost',
      { ledger: { source: 'db' }, aws: { source: 'bill' } },
      { db: { type: 'postgres', url: 'postgres://db/app' }, bill: { type: 'costexplorer', roleArn: 'arn:aws:iam::111122223333:role/payer-ce-read' } },
    );
    expect(sidOf(permissions, 'ce:GetCostAndUsage')).toMatchObject({
      resources: ['*'],
      wildcardReason: expect.stringContaining('no resource-level permissions'),
    });
    expect(sidOf(permissions, 'sts:AssumeRole')?.resources).toEqual(['arn:aws:iam::111122223333:role/payer-ce-read']);
  });

  it('derives canary writes on the canary key only and history partitions for the config gate', () => {
    const { permissions } = access(
      'config',
      { source: 'registry', canary: { tenant: 'canary-tenant' }, history: { table: 'Hist' } },
      { registry: { type: 'dynamodb', table: 'TenantDetails' } },
    );
    expect(sidOf(permissions, 'dynamodb:UpdateItem')).toMatchObject({
      sid: 'WriteCanaryOnly',
      resources: [{ service: 'dynamodb', resource: 'table', resourceName: 'TenantDetails' }],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['canary-tenant'] } },
    });
    expect(sidOf(permissions, 'dynamodb:PutItem')).toMatchObject({
      sid: 'GateHistory',
      resources: [{ service: 'dynamodb', resource: 'table', resourceName: 'Hist' }],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['acc#schema#registry', 'acc#probe#registry'] } },
    });
  });

  it('turns them into statements: "*" only for ce:GetCostAndUsage and cloudwatch:GetMetricData / DescribeAlarms, LeadingKeys on canary writes', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Access');
    const results = new ReadinessResults(stack, 'Results');
    const failures = new Queue(stack, 'Failures');
    const costAccess = access(
      'cost',
      { ledger: { source: 'db' }, aws: { source: 'bill' } },
      { db: { type: 'postgres', url: 'postgres://db/app' }, bill: { type: 'costexplorer', roleArn: 'arn:aws:iam::111122223333:role/payer-ce-read' } },
    );
    const monitoringAccess = access(
      'monitoring',
      { cloudwatch: { source: 'cw', tenantMetric: { namespace: 'A', metricName: 'B' } } },
      { cw: { type: 'cloudwatch' } },
    );
    const configAccess = access(
      'config',
      { source: 'registry', canary: { tenant: 'canary-tenant' }, history: { table: 'Hist' } },
      { registry: { type: 'dynamodb', table: 'TenantDetails' } },
    );
    new ReadinessGateFunction(stack, 'Cost', { suite: 'acc', results, failures, plan: plan('cost', costAccess.permissions) });
    new ReadinessGateFunction(stack, 'Monitoring', { suite: 'acc', results, failures, plan: plan('monitoring', monitoringAccess.permissions) });
    new ReadinessGateFunction(stack, 'Config', { suite: 'acc', results, failures, plan: plan('config', configAccess.permissions) });
    const template = Template.fromStack(stack);
    const statements = statementsOf(template);
    const star = statements.filter((s) => JSON.stringify(s.Resource) === '"*"').flatMap(actionsOf);
    // DescribeAlarms returns composite alarms only when granted on "*" (docs/contracts/cloudwatch.md).
    expect(new Set(star)).toEqual(
      new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ce:GetCostAndUsage', 'cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms']),
    );
    expect(statements.find((s) => actionsOf(s).includes('sts:AssumeRole'))!.Resource).toBe('arn:aws:iam::111122223333:role/payer-ce-read');
    const canary = statements.find((s) => actionsOf(s).includes('dynamodb:UpdateItem'))!;
    expect(canary.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['canary-tenant'] } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'acc-readiness-cost', Period: 86400 });
  });
});

describe('synth refuses what cannot be deployed safely', () => {
  it('a plain ${env:} credential, asking for a Secrets Manager or Parameter Store reference and naming file, line and field', () => {
    const attempt = () =>
      addReadinessStack(new App({ context: { 'aws:cdk:bundling-stacks': [], config: join(FIXTURES, 'env-credential.yaml') } }), {
        cwd: ROOT,
        env: { DATABASE_URL: 'postgres://app:hunter2-secret@db:5432/app' },
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /env-credential\.yaml:6: sources\.appdb\.url: \$\{env:DATABASE_URL\} would be resolved at synth and copied into the CloudFormation template.*Secrets Manager.*\$\{ssm:\/NAME\}.*secretArn/,
    );
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('a bad readiness.yaml, with the same message as the CLI', async () => {
    const file = join(FIXTURES, 'bad.yaml');
    const cli = await runCli(['validate', '--config', file]);
    expect(cli.code).toBe(2);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: file } });
    let message = '';
    try {
      addReadinessStack(app, { cwd: ROOT, env: {} });
    } catch (err) {
      message = `saas-readiness: ${(err as ConfigError).shownIn(process.cwd())}\n`; // as bin/app.ts prints it
    }
    expect(message).toMatch(/bad\.yaml:10: gates\.tenants\.minTenant: unknown key \(did you mean 'minTenants'\?\)/);
    expect(message).toBe(cli.stderr);
  });

  it.each([
    [
      'a quota-probe URL with ?api_key=${env:…} (was: copied into the template without a warning)',
      readFileSync(join(FIXTURES, 'env-value.yaml'), 'utf8'),
      /:12: gates\.tenants\.quotaProbe\.url: \$\{env:PROBE_API_KEY\} would be resolved at synth .*Secrets Manager/,
    ],
    [
      'a header X-Auth: ${env:…} (was: copied into the template without a warning)',
      readFileSync(join(FIXTURES, 'env-value.yaml'), 'utf8').replace('?api_key=${env:PROBE_API_KEY}', ''),
      /:16: gates\.tenants\.quotaProbe\.tenants\.0\.headers\.X-Auth: \$\{env:PROBE_AUTH\} would be resolved at synth .*Secrets Manager/,
    ],
  ])('%s', (_name, yaml, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-env-value-')), 'readiness.yaml');
    writeFileSync(file, yaml);
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: file, probeScheduleHours: 24 } });
    const attempt = () => addReadinessStack(app, { cwd: ROOT, env: { PROBE_API_KEY: 'probe-key-synth-marker-1', PROBE_AUTH: 'probe-auth-synth-marker-2' } });
    expect(attempt).toThrow(message);
    expect(attempt).not.toThrow(/marker/);
  });

  it('any other ${env:} value too, pointing to ${ssm:…}', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sr-env-value-')), 'readiness.yaml');
    writeFileSync(file, 'version: 1\nsuite: envplain\nsources:\n  ddb: { type: dynamodb, table: "${env:TABLE_NAME}" }\ngates:\n  tenants: { source: ddb }\n');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], config: file } });
    expect(() => addReadinessStack(app, { cwd: ROOT, env: { TABLE_NAME: 'TenantDetails' } })).toThrow(
      /:4: sources\.ddb\.table: \$\{env:TABLE_NAME\} would be resolved at synth .*put it in Parameter Store and write \$\{ssm:\/NAME\}/,
    );
  });
});
