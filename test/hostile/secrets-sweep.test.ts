import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { demoSchemaSql } from '../../demo/dataset';
import { demoConfigSql } from '../../demo/dataset-configs';
import { addReadinessStack } from '../../lib/readiness-app';
import { runCli } from '../support/cli';
import { setEnv } from '../standins/dynalite';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { startLocalServer, type LocalServer } from '../standins/local-server';
import { startSsmStandin, type SsmStandin } from '../standins/ssm';
import { spawnCli } from './support';

/**
 * The secrets sweep: a distinct marker secret in every config field that can carry one, in every
 * env var the tool reads, in the tenant config the canary probe copies, and echoed back in every
 * answer a source gives (Secrets Manager, Parameter Store, Datadog, New Relic, OpenAI, the app).
 * Every command and format runs (the CLI in a process of its own, so no earlier redaction helps),
 * and `cdk synth`; no marker may appear in stdout, stderr, any file written, the template or
 * tree.json.
 */
const markers = {
  pgPassword: 'SWEEPpgPassword7c1',
  pgSlashPassword: 'SWEEP/pg+Slash=Pass8d2',
  rdsPassword: 'SWEEPrdsPassword9e3',
  ddApiKey: 'SWEEPddApiKey0f4',
  ddAppKey: 'SWEEPddAppKey1a5',
  nrKey: 'SWEEPnrUserKey2b6',
  openaiKey: 'SWEEPopenaiAdmin3c7',
  probeQuery: 'SWEEPprobeQuery4d8',
  probeHeader: 'SWEEPprobeHeader5e9',
  probeParam: 'SWEEPprobeParam6fa',
  canaryToken: 'SWEEPcanaryToken7ab',
  canaryBearer: 'SWEEPcanaryBearer8bc',
  tenantApiKey: 'SWEEPtenantApiKey9cd',
  awsSecretKey: 'SWEEPawsSecretKey0de',
  awsSessionToken: 'SWEEPawsSessionToken1ef',
};
const MARKERS = Object.values(markers);
const KEYS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sweep/keys-AbCdEf';
const RDS_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sweep/rds-GhIjKl';

/** Every marker, and its URL-encoded and base64 forms, absent from `text`. */
function expectNoMarker(where: string, text: string): void {
  const found = MARKERS.filter((m) => [m, encodeURIComponent(m), Buffer.from(m).toString('base64')].some((form) => text.includes(form)));
  expect({ where, found }).toEqual({ where, found: [] });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secrets sweep: no planted secret in any output', () => {
  let pg: PostgresTarget;
  let echo: LocalServer;
  let sm: LocalServer;
  let ssm: SsmStandin;
  let work: string;
  let env: NodeJS.ProcessEnv;
  const t0 = Date.now();

  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(demoSchemaSql());
    await pg.exec(demoConfigSql());
    await pg.exec(`UPDATE tenant_configs SET config = config || '{"apiKey": "${markers.tenantApiKey}"}'::jsonb WHERE tenant_id = 'test-canary'`);
    const port = new URL(pg.url).port;
    // Every answer echoes what it was sent: credentials included, as a careless API would.
    echo = await startLocalServer((req, res) => {
      const sent = JSON.stringify({ url: req.url.toString(), headers: req.headers });
      const json = (status: number, body: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url.pathname === '/ping') return json(429, { message: `limited ${sent}` });
      if (req.url.pathname === '/cfg') return json(200, { echo: sent });
      if (req.url.pathname.startsWith('/dd/')) return json(403, { errors: [`Forbidden ${sent}`] });
      if (req.url.pathname.startsWith('/nr/')) return json(200, { errors: [{ message: `bad key ${sent}`, extensions: { error_code: 'BAD_API_KEY' } }] });
      if (req.url.pathname.startsWith('/v1/')) return json(401, { error: { message: `Incorrect API key provided: ${sent}` } });
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`nothing at ${sent}`);
    });
    sm = await startLocalServer((req, res) => {
      const id = (JSON.parse(req.body || '{}') as { SecretId?: string }).SecretId;
      const value =
        id === RDS_ARN
          ? { host: '127.0.0.1', port: Number(port), username: 'postgres', password: markers.rdsPassword, dbname: 'postgres' }
          : { appKey: markers.ddAppKey, token: markers.canaryToken };
      res
        .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
        .end(JSON.stringify({ ARN: id, Name: 'sweep', SecretString: JSON.stringify(value), VersionId: 'v1', CreatedDate: 1_700_000_000 }));
    });
    ssm = await startSsmStandin({
      '/sweep/nr-key': { type: 'SecureString', versions: [markers.nrKey] },
      '/sweep/openai-admin': { type: 'SecureString', versions: [markers.openaiKey] },
      '/sweep/probe-param': { type: 'SecureString', versions: [markers.probeParam] },
    });
    work = mkdtempSync(join(tmpdir(), 'sr-sweep-'));
    writeFileSync(
      join(work, 'readiness.yaml'),
      `version: 1
suite: sweep
sources:
  appdb: { type: postgres, url: "\${env:SWEEP_DATABASE_URL}", connectTimeoutSeconds: 5 }
  rds: { type: postgres, secretArn: "${RDS_ARN}", ssl: disable }
  dd: { type: datadog, apiKey: "\${env:SWEEP_DD_API_KEY}", appKey: "\${secret:${KEYS_ARN}#appKey}", apiUrl: "${echo.url}/dd" }
  nr: { type: newrelic, apiKey: "\${ssm:/sweep/nr-key}", accountId: "1234", apiUrl: "${echo.url}/nr" }
  openai: { type: openai, adminKey: "\${ssm:/sweep/openai-admin}", baseUrl: "${echo.url}/v1", maxAttempts: 1 }
gates:
  tenants:
    source: appdb
    minTenants: 10
    timeoutSeconds: 20
    quotaProbe:
      url: "${echo.url}/ping?api_key=\${env:SWEEP_PROBE_QUERY}&sig=\${ssm:/sweep/probe-param}"
      maxRequests: 2
      tenants: [{ id: test-canary, headers: { X-Auth: "\${env:SWEEP_PROBE_HEADER}", X-Param: "\${ssm:/sweep/probe-param}" } }]
  cost: { ledger: { source: appdb }, openai: { source: openai }, timeoutSeconds: 20 }
  config:
    source: rds
    timeoutSeconds: 20
    history: { file: .saas-readiness/history.jsonl }
    canary:
      tenant: test-canary
      effectiveConfigUrl: "${echo.url}/cfg?token=\${secret:${KEYS_ARN}#token}"
      headers: { authorization: "Bearer \${env:SWEEP_CANARY_BEARER}" }
      propagationLimitSeconds: 1
      pollIntervalMs: 200
  monitoring: { require: all, datadog: { source: dd, env: prod }, newrelic: { source: nr }, timeoutSeconds: 20 }
`,
    );
    env = {
      SWEEP_DATABASE_URL: pg.url.replace('postgres:pglite-demo@', `postgres:${markers.pgPassword}@`),
      SWEEP_DD_API_KEY: markers.ddApiKey,
      SWEEP_PROBE_QUERY: markers.probeQuery,
      SWEEP_PROBE_HEADER: markers.probeHeader,
      SWEEP_CANARY_BEARER: markers.canaryBearer,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDSWEEP',
      AWS_SECRET_ACCESS_KEY: markers.awsSecretKey,
      AWS_SESSION_TOKEN: markers.awsSessionToken,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }, 60_000);

  afterAll(async () => {
    await Promise.all([pg?.stop(), echo?.close(), sm?.close(), ssm?.close()]);
    // The sweep as a whole, PGlite included, stays bounded (about 50 s alone, twice that under npm test's load).
    expect(Date.now() - t0).toBeLessThan(240_000);
  });

  // Each run also writes report.json, report.md and junit.xml: every format is rendered and swept.
  it.each(['text', 'json'])('saas-readiness run --format %s --out: every gate ran against the planted secrets, none came out', async (format) => {
    const out = join(work, `out-${format}`);
    const run = await spawnCli(['run', '--format', format, '--out', out], { cwd: work, env, heapMb: 256, killAfterMs: 60_000 });
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 1, signal: null });
    // The run reached every source: each answered with what it was sent.
    expect(ssm.requests.length).toBeGreaterThan(0);
    expect(sm.requests.length).toBeGreaterThan(0);
    expect(new Set(echo.requests.map((r) => r.path.split('?')[0].split('/')[1]))).toEqual(new Set(['ping', 'cfg', 'dd', 'nr', 'v1']));
    expectNoMarker('stdout', run.stdout);
    expectNoMarker('stderr', run.stderr);
    for (const file of filesUnder(work).filter((f) => !f.endsWith('readiness.yaml'))) expectNoMarker(file, readFileSync(file, 'utf8'));
  });

  it.each(['text', 'junit'])('zero-config, DATABASE_URL with a / in its password, --format %s --out: not in any output (hole 1)', async (format) => {
    const cwd = mkdtempSync(join(tmpdir(), 'sr-sweep-zero-'));
    const run = await spawnCli(['run', '--format', format, '--out', 'report'], {
      cwd,
      env: { DATABASE_URL: `postgres://app:${markers.pgSlashPassword}@127.0.0.1:1/db`, DATADOG_API_KEY: markers.ddApiKey, NEW_RELIC_KEY: markers.nrKey },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/not a valid URL: postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/db/);
    expectNoMarker('stdout', run.stdout);
    expectNoMarker('stderr', run.stderr);
    for (const file of filesUnder(cwd)) expectNoMarker(file, readFileSync(file, 'utf8'));
  });

  it('validate, schema, init, --help and --version print no secret either', async () => {
    const validate = await spawnCli(['validate'], { cwd: work, env });
    expect(validate.code).toBe(0);
    expectNoMarker('validate', validate.stdout + validate.stderr);
    const initDir = mkdtempSync(join(tmpdir(), 'sr-sweep-init-'));
    for (const args of [['schema'], ['init'], ['--help'], ['--version']]) {
      const run = await runCli(args, { env, cwd: initDir });
      expect(run.code).toBe(0);
      expectNoMarker(args[0], run.stdout + run.stderr);
    }
    for (const file of filesUnder(initDir)) expectNoMarker(file, readFileSync(file, 'utf8'));
  });

  it('cdk synth: the CLI config (with ${env:…}) is refused without a value; the deployable one puts none in the template or tree.json', () => {
    const restore = setEnv(Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')));
    try {
      const refused = () =>
        addReadinessStack(new App({ context: { 'aws:cdk:bundling-stacks': [], config: join(work, 'readiness.yaml') } }), { cwd: work, env });
      let message = '';
      try {
        refused();
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/would be resolved at synth/);
      expectNoMarker('synth refusal', message);

      const deploy = join(work, 'deploy.yaml');
      writeFileSync(
        deploy,
        `version: 1
suite: sweep
sources:
  rds: { type: postgres, secretArn: "${RDS_ARN}" }
  dd: { type: datadog, apiKey: "\${secret:${KEYS_ARN}#apiKey}", appKey: "\${secret:${KEYS_ARN}#appKey}" }
  nr: { type: newrelic, apiKey: "\${ssm:/sweep/nr-key}", accountId: "1234" }
  openai: { type: openai, adminKey: "\${ssm:/sweep/openai-admin}" }
gates:
  tenants:
    source: rds
    quotaProbe:
      url: "https://api.example.com/ping?api_key=\${ssm:/sweep/probe-param}"
      tenants: [{ id: test-canary, headers: { X-Auth: "\${ssm:/sweep/probe-param}" } }]
  cost: { ledger: { source: rds }, openai: { source: openai } }
  config:
    source: rds
    canary: { tenant: test-canary, effectiveConfigUrl: "https://app.example.com/cfg?token=\${secret:${KEYS_ARN}#token}", headers: { authorization: "\${secret:${KEYS_ARN}#bearer}" } }
  monitoring: { datadog: { source: dd, env: prod }, newrelic: { source: nr } }
`,
      );
      const outdir = mkdtempSync(join(tmpdir(), 'sr-sweep-cdk-'));
      const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], config: deploy, probeScheduleHours: 24 } });
      addReadinessStack(app, { cwd: work, env });
      app.synth();
      const written = filesUnder(outdir);
      expect(written.map((f) => f.slice(outdir.length + 1))).toEqual(expect.arrayContaining(['tree.json', 'sweep-readiness.template.json']));
      for (const file of written) expectNoMarker(file, readFileSync(file, 'utf8'));
    } finally {
      restore();
    }
  });
});
