/**
 * The deploy hook end to end, as deployed: the CDK app is synthesized in its own process without
 * AWS credentials, then the bundled assets in the cloud assembly — the files that would be
 * uploaded — run in fresh Node processes with the environment of their synthesized functions,
 * against dynalite. The gate function writes real history; the hook function answers documented
 * hook requests from it; `saas-readiness ack` breaks the glass in between.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { runCli } from '../support/cli';
import { setEnv, startDynalite } from '../standins/dynalite';
import { startS3 } from '../standins/s3';
import { changeSetRequest, createHistoryTable, seedTenantRegistry, stackRequest } from './support';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const CONFIG = join(__dirname, 'fixtures', 'guarded.yaml');
const HISTORY = 'hooktest-history';
const BUCKET = 'hooktest-reports';

/** The function's environment from the template: references to the stack's resources become the local ones. */
function localEnv(vars: Record<string, unknown>): Record<string, string> {
  const text = (v: unknown): string =>
    typeof v === 'string'
      ? v
      : (v as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((p) => (typeof p === 'string' ? p : 'us-east-1'))
          .join((v as { 'Fn::Join': [string] })['Fn::Join'][0]);
  return Object.fromEntries(
    // The change notifications are another suite's subject (test/cdk/handler-delivery): no topic here.
    Object.entries(vars)
      .filter(([k]) => k !== 'SAAS_READINESS_CHANGES_TOPIC')
      .map(([k, v]) => [k, k === 'SAAS_READINESS_HISTORY_TABLE' ? HISTORY : k === 'SAAS_READINESS_REPORTS_BUCKET' ? BUCKET : text(v)]),
  );
}

describe('the bundled deploy hook, against history written by the bundled gate function', () => {
  const out = mkdtempSync(join(tmpdir(), 'sr-hook-'));
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let s3: Awaited<ReturnType<typeof startS3>>;
  let template: any;
  let assets: any;
  const functionWith = (variable: string) =>
    Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.[variable]);
  const assetOf = (fn: any) => join(out, assets.files[String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')].source.path, 'index.js');

  /** Invokes a bundled handler in a fresh Node process, as Lambda would, and returns its answer. */
  async function invoke(fn: any, event: unknown): Promise<any> {
    const script = `
      const { handler } = require(${JSON.stringify(assetOf(fn))});
      const context = { awsRequestId: 'req-' + Date.now(), functionName: 'fn', getRemainingTimeInMillis: () => ${fn.Properties.Timeout * 1000} };
      handler(${JSON.stringify(event)}, context).then((r) => process.stdout.write('\\nRESULT ' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
    const child = await run(process.execPath, ['-e', script], {
      maxBuffer: 1 << 24,
      env: {
        PATH: process.env.PATH,
        ...localEnv(fn.Properties.Environment.Variables),
        NODE_EXTRA_CA_CERTS: '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
      },
    });
    return JSON.parse(/^RESULT (.*)$/m.exec(child.stdout)![1]);
  }
  const runGate = () => invoke(functionWith('SAAS_READINESS_GATE'), { probes: false });
  const hook = (event: unknown) => invoke(functionWith('SAAS_READINESS_HOOK'), event);

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_OUTDIR: out,
      CDK_CONTEXT_JSON: JSON.stringify({ config: CONFIG, guardStacks: 'hooktest-billing', runOnDeploy: 'false' }),
    };
    [, dynamo, s3] = await Promise.all([
      run(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'app.ts')], { cwd: ROOT, env, maxBuffer: 1 << 24 }),
      startDynalite(),
      startS3({ buckets: [{ name: BUCKET }] }),
    ]);
    template = JSON.parse(readFileSync(join(out, 'hooktest-readiness.template.json'), 'utf8'));
    assets = JSON.parse(readFileSync(join(out, 'hooktest-readiness.assets.json'), 'utf8'));
    await createHistoryTable(dynamo.client, HISTORY);
    await seedTenantRegistry(dynamo.client, 'HookTenants', 12);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([dynamo?.stop(), s3?.stop()]);
    rmSync(out, { recursive: true, force: true });
  });

  it('holds the guarded stack before any gate has reported: no verdict in the history', async () => {
    const res = await hook(stackRequest({ actionInvocationPoint: 'CREATE_PRE_PROVISION' }, { targetLogicalId: 'hooktest-billing' }));
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant', clientRequestToken: '3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11' });
    expect(res.message).toContain('✗ tenants: no verdict in the history');
  }, 60_000);

  it('lets the guarded stack through once the gate function has written a PASS', async () => {
    expect(await runGate()).toMatchObject({ gate: 'tenants', status: 'PASS' });
    const res = await hook(stackRequest({}, { targetLogicalId: 'hooktest-billing' }));
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res.message).toMatch(
      /^saas-readiness: suite hooktest is READY for stack hooktest-billing: tenants passing with recent verdicts\.\n✓ tenants: PASS at /,
    );
    expect(res.message).toContain(
      'Dashboard: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/hooktest-readiness',
    );
    expect(Object.keys(res).sort()).toEqual(['clientRequestToken', 'hookStatus', 'message']);
  }, 60_000);

  it('holds a change set of the guarded stack once the gate FAILs, naming the gate, its reason and the dashboard', async () => {
    for (const id of ['tenant-000', 'tenant-001', 'tenant-002'])
      await dynamo.client.send(new DeleteItemCommand({ TableName: 'HookTenants', Key: { tenantId: { S: id } } }));
    expect(await runGate()).toMatchObject({ status: 'FAIL' });
    const res = await hook(
      changeSetRequest({ stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/hooktest-billing/0c2b7e40-ad5e-11ef-9a1c-0a1b2c3d4e5f' }),
    );
    expect(res).toMatchObject({ hookStatus: 'FAILED', errorCode: 'NonCompliant' });
    expect(res.message.split('\n')[0]).toMatch(
      /^saas-readiness: suite hooktest is NOT READY: tenants not passing; change set arn:\S+ of stack hooktest-billing is held\.$/,
    );
    expect(res.message).toMatch(/✗ tenants: FAIL at \S+ \(\d+ min ago\): only 9 active tenants, need ≥ 10 \(short by 1\)/);
    expect(res.message).toContain('FailureMode FAIL: CloudFormation stops this operation.');
  }, 60_000);

  it('lets it through under an acknowledgement written by saas-readiness ack, and says so', async () => {
    const restore = setEnv(dynamo.env);
    try {
      const ack = await runCli(
        [
          'ack',
          '--config',
          CONFIG,
          '--history-table',
          HISTORY,
          '--gate',
          'tenants',
          '--owner',
          'jane@acme.example',
          '--reason',
          'Three tenants offboarded today; OPS-91',
          '--expires',
          '2h',
        ],
        { cwd: ROOT, env: dynamo.env },
      );
      expect(ack.code).toBe(0);
    } finally {
      restore();
    }
    const res = await hook(stackRequest({}, { targetLogicalId: 'hooktest-billing' }));
    expect(res.hookStatus).toBe('SUCCESS');
    expect(res.message).toContain('proceeds under break-glass');
    expect(res.message).toMatch(/⚠ tenants: FAIL at .* — acknowledged by jane@acme\.example until \S+: Three tenants offboarded today; OPS-91/);
  }, 60_000);

  it("shows the acknowledgement in the gate function's next report, in use, without changing its verdict", async () => {
    const result = await runGate();
    expect(result.status).toBe('FAIL');
    const report = JSON.parse(s3.objects.get(`${BUCKET}/${result.report}report.json`)!.body);
    expect(report.verdict).toBe('NOT READY');
    expect(report.acknowledgements).toMatchObject({
      source: `DynamoDB table ${HISTORY}`,
      entries: [{ gate: 'tenants', owner: 'jane@acme.example', state: 'in use', standing: 'not passing' }],
    });
    expect(s3.objects.get(`${BUCKET}/${result.report}report.md`)!.body).toMatch(/^- ⚠ tenants — in use: jane@acme\.example/m);
  }, 60_000);

  it('never holds a delete', async () => {
    expect(await hook(stackRequest({ actionInvocationPoint: 'DELETE_PRE_PROVISION' }, { targetLogicalId: 'hooktest-billing' }))).toEqual({
      hookStatus: 'SUCCESS',
      message: 'saas-readiness: stack hooktest-billing is being deleted; deletes are never held.',
      clientRequestToken: '3f1b0c52-6a0e-4f0a-9d43-0c7d2b1e9a11',
    });
  }, 60_000);

  it('bundles the hook with its SDK client and without the gate catalog', () => {
    const code = readFileSync(assetOf(functionWith('SAAS_READINESS_HOOK')), 'utf8');
    expect(code).toContain('QueryCommand');
    expect(code).not.toMatch(/require\("@aws-sdk\/client-/);
    // The hook needs no PostgreSQL driver, Cost Explorer client or YAML parser.
    expect(code).not.toContain('GetCostAndUsage');
    expect(code).not.toContain('pg-native');
  });
});
