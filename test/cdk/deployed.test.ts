/**
 * "As deployed": the CDK app is synthesized in its own process with no AWS credentials (as
 * `cdk synth` runs it), then each gate's bundled asset in the cloud assembly — the exact file that
 * would be uploaded — is invoked in a fresh Node process with the environment variables of its
 * synthesized function, against local endpoints: PGlite over the Postgres wire protocol, dynalite,
 * and stand-ins speaking the Secrets Manager, S3 and CloudWatch protocols. One synth and one
 * invocation per gate serve all assertions, including that every metric the alarms and the
 * dashboard read is one the handlers emit.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateTableCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { demoSchemaSql, DEMO_TENANTS } from '../../demo/dataset';
import { demoCosts } from '../../demo/dataset-costs';
import { BUILT_IN } from '../../lambda/registry';
import { healthyCloudWatch, startCloudWatch } from '../standins/cloudwatch';
import type { LocalServer } from '../standins/local-server';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../demo/embedded-postgres';
import { pgliteData } from '../support/pglite-data';
import { startDynalite } from '../standins/dynalite';
import { startS3 } from '../standins/s3';
import { startSecretsManager } from '../standins/secretsmanager';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:deploytest/appdb-AbCdEf';
const PASSWORD = 'pg-Secret-9f3kQ';
const TABLE = 'deploytest-history';
const BUCKET = 'deploytest-reports';
const BILLS = 'deploytest-bills';
const ACCESS_KEY = 'AKIDLOCALTEST';

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** A metric as CloudWatch identifies it: namespace, name and the exact dimension set. */
const identity = (namespace: string, name: string, dims: Record<string, string>) =>
  `${namespace}|${name}|${Object.entries(dims)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',')}`;

/** Replaces CloudFormation intrinsics in a Fn::Join with `token(part)`, to read the dashboard body or a config naming a stack resource. */
function joined(value: unknown, token: (part: unknown) => string = () => 'TOKEN'): string {
  if (typeof value === 'string') return value;
  const [sep, parts] = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return parts.map((p) => (typeof p === 'string' ? p : token(p))).join(sep);
}

/**
 * What each gate concludes from the seeded demo data and the stand-ins (status and summary). Gate 3
 * measures and FAILs on a first run: its schema history starts today, and the demo schema has no
 * audit table — exactly what a freshly deployed stack reports against this database.
 */
const EXPECTED_VERDICT: Record<string, RegExp> = {
  tenants: /^PASS: /,
  cost: /^PASS: /,
  config: /^FAIL: schema unchanged for 0 of 30 days \(history since \d{4}-\d\d-\d\d, no migrations table\); no audit trail for config changes/,
  monitoring: /^PASS: /,
};

interface Deployed {
  vars: Record<string, unknown>;
  assetDir: string;
  timeoutMs: number;
  stdout: string;
  result: any;
}

describe('the bundled gate functions, as deployed', () => {
  const out = mkdtempSync(join(tmpdir(), 'sr-cdk-'));
  let template: any;
  const gates: Record<string, Deployed> = {};
  let pg: EmbeddedPostgres;
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let secrets: Awaited<ReturnType<typeof startSecretsManager>>;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let cloudwatch: LocalServer;
  /** Secrets Manager requests of gate 1's run alone. */
  let tenantsSecretRequests: string[] = [];

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
      Promise.all([
        startEmbeddedPostgres({ loadDataDir: pgliteData() }),
        startDynalite(),
        startS3({ buckets: [{ name: BUCKET }, { name: BILLS }] }),
        startCloudWatch({ ...healthyCloudWatch(), accessKeyId: ACCESS_KEY }),
      ]),
    ]);
    [pg, dynamo, s3, cloudwatch] = started;
    template = JSON.parse(readFileSync(join(out, 'deploytest-readiness.template.json'), 'utf8'));
    // The asset manifest maps the S3 key each function deploys from to the staged directory in cdk.out.
    const assets = JSON.parse(readFileSync(join(out, 'deploytest-readiness.assets.json'), 'utf8'));
    const historyTable = Object.entries<any>(template.Resources).find(([, r]) => r.Type === 'AWS::DynamoDB::Table')![0];
    for (const fn of Object.values<any>(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.SAAS_READINESS_GATE,
    )) {
      const vars = fn.Properties.Environment.Variables;
      const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      gates[vars.SAAS_READINESS_GATE] = {
        vars,
        assetDir: join(out, assets.files[hash].source.path),
        timeoutMs: fn.Properties.Timeout * 1000,
        stdout: '',
        result: undefined,
      };
    }

    const { ledgerSql, curCsv } = demoCosts(new Date());
    await pg.db.exec(demoSchemaSql());
    await pg.db.exec(ledgerSql);
    s3.put(BILLS, 'cur.csv', curCsv);
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

    // Each function's environment from the template; references to stack resources become the local ones.
    const local = (part: unknown) => ((part as { Ref?: string }).Ref === historyTable ? TABLE : '');
    const invoke = async (gate: string) => {
      const { vars, assetDir, timeoutMs } = gates[gate];
      const functionEnv = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [
          k,
          typeof v === 'string'
            ? v
            : k === 'SAAS_READINESS_HISTORY_TABLE'
              ? TABLE
              : k === 'SAAS_READINESS_REPORTS_BUCKET'
                ? BUCKET
                : (v as object)['Fn::Join' as never]
                  ? joined(v, local)
                  : '',
        ]),
      );
      // The CA bundle path exists only in the Lambda runtime; Node ignores a missing file with a warning.
      const code = `
        const { handler } = require(${JSON.stringify(join(assetDir, 'index.js'))});
        const context = { awsRequestId: 'req-${gate}', functionName: '${gate}', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:${gate}', getRemainingTimeInMillis: () => ${timeoutMs} };
        handler({}, context).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
      const child = await run(process.execPath, ['-e', code], {
        cwd: assetDir,
        maxBuffer: 1 << 24,
        env: {
          PATH: process.env.PATH,
          ...functionEnv,
          NODE_EXTRA_CA_CERTS: '',
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: ACCESS_KEY,
          AWS_SECRET_ACCESS_KEY: 'local-test-secret',
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.url,
        },
      });
      gates[gate].stdout = child.stdout;
      gates[gate].result = JSON.parse(/^RESULT (.*)$/m.exec(child.stdout)![1]);
    };
    await invoke('tenants');
    tenantsSecretRequests = [...secrets.requests];
    for (const gate of ['cost', 'config', 'monitoring']) await invoke(gate);
  }, 300_000); // a synth with bundling and four Node processes: minutes on a loaded 2-core machine

  afterAll(async () => {
    await Promise.all([pg?.stop(), dynamo?.stop(), secrets?.stop(), s3?.stop(), cloudwatch?.close()]);
    rmSync(out, { recursive: true, force: true });
  });

  const emf = (gate: string): Emf[] =>
    gates[gate].stdout
      .split('\n')
      .filter((l) => l.startsWith('{"_aws"'))
      .map((l) => JSON.parse(l) as Emf);
  const stdout = (gate = 'tenants') => gates[gate].stdout;
  const resultLine = (gate: string): Record<string, any> =>
    JSON.parse(gates[gate].stdout.split('\n').find((l) => l.includes('"readiness gate result"')) ?? '{}');
  // The gate's code and the SDK packages it requires, each bundled on its own under node_modules/ (loaded on first use).
  const sdkPackages = (gate: string) => {
    const root = join(gates[gate].assetDir, 'node_modules', '@aws-sdk');
    return existsSync(root) ? readdirSync(root).map((p) => `@aws-sdk/${p}`) : [];
  };
  const bundle = (gate: string) =>
    [join(gates[gate].assetDir, 'index.js'), ...sdkPackages(gate).map((p) => join(gates[gate].assetDir, 'node_modules', p, 'index.js'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');

  it('deploys one function per registered gate', () => {
    expect(Object.keys(gates).sort()).toEqual([...BUILT_IN.gateIds].sort());
  });

  it('bundles each handler with its AWS SDK clients into one minified file with a source map', () => {
    for (const gate of Object.keys(gates)) {
      expect(existsSync(join(gates[gate].assetDir, 'index.js.map'))).toBe(true);
      // The SDK is inside the asset (the lockfile's, bundled per package), not required from the runtime's copy:
      // every @aws-sdk package index.js requires is there, and no package bundle requires another client (only the optional CRT signer, not installed, in a try/catch).
      const required = new Set([...readFileSync(join(gates[gate].assetDir, 'index.js'), 'utf8').matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]));
      expect([...required].sort()).toEqual(sdkPackages(gate).sort());
      for (const p of sdkPackages(gate))
        expect(readFileSync(join(gates[gate].assetDir, 'node_modules', p, 'index.js'), 'utf8')).not.toMatch(/require\("@aws-sdk\/client-/);
    }
    expect(bundle('tenants')).toContain('GetSecretValue');
  });

  it('gives each gate a bundle of its own: only its gate, its sources and their clients', () => {
    const sizes = Object.keys(gates).map((g) => bundle(g).length);
    expect(new Set(sizes).size).toBe(sizes.length);
    // Gate 4 reads CloudWatch and no database; gates 1–3 read PostgreSQL and not CloudWatch; only gate 2 parses CSV.
    expect(bundle('monitoring')).toContain('GetMetricData');
    expect(bundle('monitoring')).not.toContain('pg_catalog');
    for (const g of ['tenants', 'cost', 'config']) expect(bundle(g)).not.toContain('GetMetricData');
    expect(bundle('cost')).toContain('CSV_');
    for (const g of ['tenants', 'config', 'monitoring']) expect(bundle(g)).not.toContain('CSV_');
  });

  it('PASSes gate 1 on the seeded database reached through the secret, and says so in its result', () => {
    expect(gates.tenants.result).toMatchObject({
      suite: 'deploytest',
      gate: 'tenants',
      run: 'scheduled',
      status: 'PASS',
      report: expect.stringMatching(/^reports\/deploytest\/tenants\//),
    });
    expect(tenantsSecretRequests).toEqual([`secretsmanager.GetSecretValue ${SECRET_ARN}`]);
  });

  it('runs every one of the four gates to its verdict on the local backends, each with its own report and history record', async () => {
    const verdicts = Object.fromEntries(Object.keys(gates).map((g) => [g, `${gates[g].result.status}: ${gates[g].result.summary ?? ''}`.slice(0, 400)]));
    expect(Object.keys(verdicts).sort()).toEqual(['config', 'cost', 'monitoring', 'tenants']);
    for (const gate of Object.keys(gates)) {
      expect({ gate, verdict: verdicts[gate] }).toEqual({ gate, verdict: expect.stringMatching(EXPECTED_VERDICT[gate]) });
      const result = gates[gate].result;
      expect(result).toMatchObject({ suite: 'deploytest', gate, run: 'scheduled', report: expect.stringMatching(new RegExp(`^reports/deploytest/${gate}/`)) });
      const report = JSON.parse(s3.objects.get(`${BUCKET}/${result.report}report.json`)!.body);
      expect(report.results).toEqual([expect.objectContaining({ gate, status: result.status })]);
      const page = await dynamo.client.send(
        new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `deploytest#result#${gate}` } } }),
      );
      expect((page.Items ?? []).map((i) => unmarshall(i).status)).toEqual([result.status]);
      const [doc] = emf(gate);
      expect({ gate, Passed: doc.Passed }).toEqual({ gate, Passed: result.status === 'PASS' ? 1 : 0 });
    }
  });

  // Issue 15: one custom metric per gate and run kind (Passed); the active tenant count moved to the result log line.
  it('emits EMF: Passed 1 as its only metric, under the documented dimensions; the active tenant count is in the result line', () => {
    const [doc] = emf('tenants');
    expect(emf('tenants')).toHaveLength(1);
    const directive = doc._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe('SaasReadiness');
    expect(directive.Dimensions).toEqual([['Suite', 'Gate', 'Run']]);
    expect(directive.Metrics.map((m: { Name: string }) => m.Name)).toEqual(['Passed']);
    expect(doc).toMatchObject({ Suite: 'deploytest', Gate: 'tenants', Run: 'scheduled', Passed: 1 });
    const active = DEMO_TENANTS.filter((t) => t.status === 'active').length;
    const line = resultLine('tenants');
    expect(line).toMatchObject({ keyMetric: 'ActiveTenants', keyValue: active });
  });

  it('logs one structured result line with the reason, and never the database password', () => {
    const lines = stdout()
      .split('\n')
      .filter((l) => l.includes('"readiness gate result"'))
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'INFO', gate: 'tenants', status: 'PASS', summary: expect.any(String) });
    for (const gate of Object.keys(gates)) expect(stdout(gate)).not.toContain(PASSWORD);
  });

  it('appends the result to the history table under the gate partition', async () => {
    const page = await dynamo.client.send(
      new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'deploytest#result#tenants' } } }),
    );
    const records = (page.Items ?? []).map((i) => unmarshall(i));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      status: 'PASS',
      run: 'scheduled',
      report: gates.tenants.result.report,
      sk: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*#req-tenants$/),
    });
    expect(records[0].expiresAt).toBeGreaterThan(Date.now() / 1000 + 399 * 86_400);
    expect(records[0].measurements).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'activeTenants' })]));
  });

  it('writes report.json and report.md to the reports bucket under the run prefix', () => {
    const json = s3.objects.get(`${BUCKET}/${gates.tenants.result.report}report.json`);
    expect(json).toBeDefined();
    expect(JSON.parse(json!.body)).toMatchObject({
      suite: 'deploytest',
      verdict: 'READY',
      results: [expect.objectContaining({ gate: 'tenants', status: 'PASS' })],
    });
    expect(s3.objects.get(`${BUCKET}/${gates.tenants.result.report}report.md`)?.body).toContain('tenants');
    for (const o of s3.objects.values()) expect(o.body).not.toContain(PASSWORD);
  });

  it("logs every gate's key measurement in its result line, the field its dashboard widget graphs with Logs Insights", () => {
    for (const gate of BUILT_IN.gates) {
      const line = resultLine(gate.id);
      expect({ gate: gate.id, metric: line.keyMetric, value: typeof line.keyValue }).toEqual({
        gate: gate.id,
        metric: gate.keyMeasurement.metric,
        value: 'number',
        ...(typeof line.keyValue === 'number' ? {} : { summary: gates[gate.id].result.summary }),
      });
    }
  });

  it('references in its alarms and dashboard only metrics the handlers emitted (namespace, name, dimensions)', () => {
    const emitted = new Set<string>();
    for (const doc of Object.keys(gates).flatMap(emf)) {
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
        referenced.push(
          identity(r.Properties.Namespace, r.Properties.MetricName, Object.fromEntries(r.Properties.Dimensions.map((d: any) => [d.Name, d.Value]))),
        );
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
    // Passed (the alarm) of every gate is referenced and emitted; counts and amounts are graphed from the result log.
    expect(referenced.length).toBeGreaterThanOrEqual(Object.keys(gates).length);
    for (const ref of referenced) expect(emitted).toContain(ref);
    // Function errors are folded into the Passed alarm (missing data is breaching): no alarm on Lambda's own metrics.
    const lambdaAlarms = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Lambda');
    expect(lambdaAlarms).toHaveLength(0);
    for (const r of Object.values<any>(template.Resources).filter((x) => x.Type === 'AWS::CloudWatch::Alarm' && x.Properties.MetricName === 'Passed')) {
      if (r.Properties.Dimensions.some((d: any) => d.Value === 'scheduled')) expect(r.Properties.TreatMissingData).toBe('breaching');
    }
    // Every field the dashboard's Logs Insights widgets read is in the emitted result lines.
    const fields = new Set(Object.keys(gates).flatMap((g) => Object.keys(resultLine(g))));
    for (const r of Object.values<any>(template.Resources).filter((x) => x.Type === 'AWS::CloudWatch::Dashboard')) {
      const body = JSON.parse(joined(r.Properties.DashboardBody));
      for (const w of body.widgets.filter((x: any) => x.type === 'log')) {
        for (const f of ['keyMetric', 'keyValue', 'status', 'summary', 'durationMs', 'gate', 'run'])
          if (w.properties.query.includes(f)) expect(fields).toContain(f);
      }
    }
  });
});
