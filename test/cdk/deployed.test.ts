/**
 * "As deployed": the CDK app is synthesized in its own process with no AWS credentials (as
 * `cdk synth` runs it), then the bundled asset in the cloud assembly — the exact file that would be
 * uploaded — is invoked in a fresh Node process with the environment variables of the synthesized
 * function, against local endpoints: PGlite over the Postgres wire protocol, dynalite, and
 * stand-ins speaking the Secrets Manager and S3 protocols. One synth and one invocation serve all
 * assertions, including that every metric the alarms and the dashboard read is one the handler emits.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { demoSchemaSql, DEMO_TENANTS } from '../../demo/dataset';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../demo/embedded-postgres';
import { startDynalite } from '../support/dynalite';
import { startS3 } from '../standins/s3';
import { startSecretsManager } from '../standins/secretsmanager';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:deploytest/appdb-AbCdEf';
const PASSWORD = 'pg-Secret-9f3kQ';
const TABLE = 'deploytest-history';
const BUCKET = 'deploytest-reports';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** A metric as CloudWatch identifies it: namespace, name and the exact dimension set. */
const identity = (namespace: string, name: string, dims: Record<string, string>) =>
  `${namespace}|${name}|${Object.entries(dims).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',')}`;

/** Replaces CloudFormation intrinsics in a Fn::Join with placeholders, to read the dashboard body. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('');
}

describe('the bundled gate function, as deployed', () => {
  const out = mkdtempSync(join(tmpdir(), 'sr-cdk-'));
  let template: any;
  let fnVars: Record<string, unknown>;
  let assetDir: string;
  let timeoutMs: number;
  let pg: EmbeddedPostgres;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let secrets: Awaited<ReturnType<typeof startSecretsManager>>;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let stdout = '';
  let result: any;

  beforeAll(async () => {
    // Synth in a clean environment: no AWS credentials, no metadata service, no network.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_OUTDIR: out,
      CDK_CONTEXT_JSON: JSON.stringify({ config: join(__dirname, 'fixtures', 'deployed.yaml') }),
    };
    const [, started] = await Promise.all([
      run(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'app.ts')], { cwd: ROOT, env, maxBuffer: 1 << 24 }),
      Promise.all([startEmbeddedPostgres(), startDynalite(), startS3({ buckets: [{ name: BUCKET }] })]),
    ]);
    [pg, dynamo, s3] = started;
    template = JSON.parse(readFileSync(join(out, 'deploytest-readiness.template.json'), 'utf8'));
    const fn = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SAAS_READINESS_GATE);
    timeoutMs = fn.Properties.Timeout * 1000;
    fnVars = fn.Properties.Environment.Variables;
    // The asset manifest maps the S3 key the function deploys from to the staged directory in cdk.out.
    const assets = JSON.parse(readFileSync(join(out, 'deploytest-readiness.assets.json'), 'utf8'));
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    assetDir = join(out, assets.files[hash].source.path);

    await pg.db.exec(demoSchemaSql());
    const port = Number(new URL(pg.url).port);
    secrets = await startSecretsManager([
      { arn: SECRET_ARN, value: JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port, username: 'postgres', password: PASSWORD, dbname: 'postgres' }) },
    ]);
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    // The function's environment from the template; references to stack resources become the local ones.
    const functionEnv = Object.fromEntries(
      Object.entries(fnVars).map(([k, v]) => [k, typeof v === 'string' ? v : k === 'SAAS_READINESS_HISTORY_TABLE' ? TABLE : k === 'SAAS_READINESS_REPORTS_BUCKET' ? BUCKET : '']),
    );
    // The CA bundle path exists only in the Lambda runtime; Node ignores a missing file with a warning.
    const invoke = `
      const { handler } = require(${JSON.stringify(join(assetDir, 'index.js'))});
      const context = { awsRequestId: 'req-0001', functionName: 'gate', getRemainingTimeInMillis: () => ${timeoutMs} };
      handler({}, context).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
    const child = await run(process.execPath, ['-e', invoke], {
      cwd: assetDir,
      maxBuffer: 1 << 24,
      env: {
        PATH: process.env.PATH,
        ...functionEnv,
        NODE_EXTRA_CA_CERTS: '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      },
    });
    stdout = child.stdout;
    result = JSON.parse(/^RESULT (.*)$/m.exec(stdout)![1]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([pg?.stop(), dynamo?.stop(), secrets?.stop(), s3?.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  const emf = (): Emf[] => stdout.split('\n').filter((l) => l.startsWith('{"_aws"')).map((l) => JSON.parse(l) as Emf);

  it('bundles the handler with its AWS SDK clients into one minified file with a source map', () => {
    const code = readFileSync(join(assetDir, 'index.js'), 'utf8');
    expect(existsSync(join(assetDir, 'index.js.map'))).toBe(true);
    expect(code).toContain('GetSecretValue');
    // The SDK is inside the bundle, not required from the runtime's copy.
    expect(code).not.toMatch(/require\("@aws-sdk\/client-/);
  });

  it('PASSes gate 1 on the seeded database reached through the secret, and says so in its result', () => {
    expect(result).toMatchObject({ suite: 'deploytest', gate: 'tenants', run: 'scheduled', status: 'PASS', report: expect.stringMatching(/^reports\/deploytest\/tenants\//) });
    expect(secrets.requests).toEqual([`secretsmanager.GetSecretValue ${SECRET_ARN}`]);
  });

  it('emits EMF: Passed 1 and the other statuses 0, the active tenant count, under the documented dimensions', () => {
    const [doc] = emf();
    expect(emf()).toHaveLength(1);
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('SaasReadiness');
    expect(directive.Dimensions).toEqual([['Suite', 'Gate', 'Run']]);
    expect(doc).toMatchObject({ Suite: 'deploytest', Gate: 'tenants', Run: 'scheduled', Passed: 1, Failed: 0, Skipped: 0, Errored: 0 });
    const active = DEMO_TENANTS.filter((t) => t.status === 'active').length;
    expect(doc.ActiveTenants).toBe(active);
  });

  it('logs one structured result line with the reason, and never the database password', () => {
    const lines = stdout.split('\n').filter((l) => l.includes('"readiness gate result"')).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', gate: 'tenants', status: 'PASS', summary: expect.any(String) });
    expect(stdout).not.toContain(PASSWORD);
  });

  it('appends the result to the history table under the gate partition', async () => {
    const page = await dynamo.client.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'deploytest#result#tenants' } } }));
    const records = (page.Items ?? []).map((i) => unmarshall(i));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ status: 'PASS', run: 'scheduled', report: result.report, sk: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*#req-0001$/) });
    expect(records[0].expiresAt).toBeGreaterThan(Date.now() / 1000 + 399 * 86_400);
    expect(records[0].measurements).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'activeTenants' })]));
  });

  it('writes report.json and report.md to the reports bucket under the run prefix', () => {
    const json = s3.objects.get(`${BUCKET}/${result.report}report.json`);
    expect(json).toBeDefined();
    expect(JSON.parse(json!.body)).toMatchObject({ suite: 'deploytest', verdict: 'READY', results: [expect.objectContaining({ gate: 'tenants', status: 'PASS' })] });
    expect(s3.objects.get(`${BUCKET}/${result.report}report.md`)?.body).toContain('tenants');
    for (const o of s3.objects.values()) expect(o.body).not.toContain(PASSWORD);
  });

  it('references in its alarms and dashboard only metrics the handler emitted (namespace, name, dimensions)', () => {
    const emitted = new Set<string>();
    for (const doc of emf()) {
      for (const d of doc._aws.CloudWatchMetrics) {
        for (const dims of d.Dimensions) {
          const values = Object.fromEntries(dims.map((k) => [k, String(doc[k])]));
          for (const m of d.Metrics) emitted.add(identity(d.Namespace, m.Name, values));
        }
      }
    }
    const referenced: string[] = [];
    for (const r of Object.values<any>(template.Resources)) {
      // Alarms on the function's own AWS/Lambda metrics (errors) are emitted by Lambda, not the handler.
      if (r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace !== 'AWS/Lambda') {
        referenced.push(identity(r.Properties.Namespace, r.Properties.MetricName, Object.fromEntries(r.Properties.Dimensions.map((d: any) => [d.Name, d.Value]))));
      }
      if (r.Type === 'AWS::CloudWatch::Dashboard') {
        const body = JSON.parse(joined(r.Properties.DashboardBody));
        for (const w of body.widgets) {
          for (const m of w.properties?.metrics ?? []) {
            const [namespace, name, ...rest] = m.filter((x: unknown) => typeof x === 'string');
            const dims: Record<string, string> = {};
            for (let i = 0; i + 1 < rest.length; i += 2) dims[rest[i]] = rest[i + 1];
            referenced.push(identity(namespace, name, dims));
          }
        }
      }
    }
    // Passed (alarm), the status breakdown and the key measurement (dashboard) are all referenced.
    expect(referenced.length).toBeGreaterThanOrEqual(6);
    for (const ref of referenced) expect(emitted).toContain(ref);
    // The only other alarm is the function-errors alarm, on Lambda's own metric for this function.
    const lambdaAlarms = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Lambda');
    expect(lambdaAlarms.map((a) => [a.Properties.MetricName, a.Properties.Dimensions[0].Name])).toEqual([['Errors', 'FunctionName']]);
  });
});
