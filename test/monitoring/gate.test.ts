import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combine } from '../../lambda/checks/monitoring/check';
import { gate as monitoringGate } from '../../lambda/checks/monitoring/gate';
import type { SecretResolver } from '../../lambda/core/secrets';
import { runCli } from '../support/cli';
import { healthyDatadog, startDatadog, type DatadogOrg } from '../standins/datadog';
import { healthyNewRelic, startNewRelic, type NewRelicState } from '../standins/newrelic';
import { datadogYaml, runExpectingUsage, runMonitoring } from './harness';
import { sendJson, startLocalServer, type LocalServer } from '../standins/local-server';

const bothYaml = (require: 'any' | 'all') => `version: 1
suite: mon-test
sources:
  dd:
    type: datadog
    apiKey: \${env:DATADOG_API_KEY:-}
    appKey: \${env:DATADOG_APP_KEY:-}
    apiUrl: \${env:DD_URL}
  nr:
    type: newrelic
    apiKey: \${env:NEW_RELIC_KEY:-}
    accountId: \${env:NEW_RELIC_ACCOUNT_ID:-}
    apiUrl: \${env:NR_URL}
gates:
  monitoring:
    require: ${require}
    datadog: { source: dd, env: prod }
    newrelic: { source: nr }
`;

describe('gate monitoring: configuration, providers combined, secrets', () => {
  let dd: DatadogOrg;
  let nr: NewRelicState;
  let ddServer: LocalServer;
  let nrServer: LocalServer;
  beforeAll(async () => {
    dd = healthyDatadog();
    nr = healthyNewRelic();
    [ddServer, nrServer] = await Promise.all([startDatadog(dd), startNewRelic(nr)]);
  });
  afterAll(() => Promise.all([ddServer.close(), nrServer.close()]));
  beforeEach(() => {
    Object.assign(dd, healthyDatadog());
    Object.assign(nr, healthyNewRelic());
  });
  const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    DATADOG_API_KEY: dd.apiKey,
    DATADOG_APP_KEY: dd.appKey,
    DD_URL: ddServer.url,
    NEW_RELIC_KEY: nr.apiKey,
    NEW_RELIC_ACCOUNT_ID: String(nr.accountId),
    NR_URL: nrServer.url,
    ...over,
  });

  test('zero-config without keys: SKIP with the hint naming the env vars', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      const run = await runCli(['run', '--check', 'monitoring', '--format', 'json'], { env: {}, cwd });
      const result = JSON.parse(run.stdout).results[0];
      expect(result.status).toBe('SKIP');
      expect(result.summary).toContain('DATADOG_API_KEY + DATADOG_APP_KEY + DD_ENV [+ DD_SERVICE, DATADOG_SITE]');
      expect(result.summary).toContain('NEW_RELIC_KEY + NEW_RELIC_ACCOUNT_ID [+ NEW_RELIC_REGION]');
      const half = await runCli(['run', '--check', 'monitoring', '--format', 'json'], { env: { DATADOG_API_KEY: 'abcd1234' }, cwd });
      expect(JSON.parse(half.stdout).results[0].summary).toContain('DATADOG_API_KEY is set but DATADOG_APP_KEY (or DD_APP_KEY) is not');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('zero-config from DATADOG_* env vars and DD_ENV (DATADOG_API_URL override): PASS', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      const run = await runCli(['run', '--check', 'monitoring', '--format', 'json'], {
        env: { DATADOG_API_KEY: dd.apiKey, DATADOG_APP_KEY: dd.appKey, DD_ENV: 'prod', DATADOG_SITE: 'datadoghq.eu', DATADOG_API_URL: ddServer.url },
        cwd,
      });
      const result = JSON.parse(run.stdout).results[0];
      expect(result.status).toBe('PASS');
      // The label names the host actually called, not the site the URL override replaced.
      expect(result.summary).toBe(`monitoring live in Datadog (${new URL(ddServer.url).host})`);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test("zero-config also takes Datadog's own DD_API_KEY, DD_APP_KEY and DD_SITE", async () => {
    const fromEnv = monitoringGate.fromEnvironment({ DD_API_KEY: 'k1', DD_APP_KEY: 'a1', DD_SITE: 'datadoghq.eu', DD_ENV: 'prod' }) as {
      sources: Record<string, unknown>;
    };
    expect(fromEnv.sources.datadog).toEqual({ type: 'datadog', apiKey: 'k1', appKey: 'a1', site: 'datadoghq.eu' });
    expect(monitoringGate.fromEnvironment({ DD_API_KEY: 'k1' })).toEqual({
      skip: expect.stringContaining('DD_API_KEY is set but DATADOG_APP_KEY (or DD_APP_KEY) is not'),
    });
  });

  test('zero-config without DD_ENV does not guess the environment: SKIP naming DD_ENV, nothing sent', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    const before = ddServer.requests.length;
    try {
      const run = await runCli(['run', '--check', 'monitoring', '--format', 'json'], {
        env: { DATADOG_API_KEY: dd.apiKey, DATADOG_APP_KEY: dd.appKey, DATADOG_API_URL: ddServer.url },
        cwd,
      });
      const result = JSON.parse(run.stdout).results[0];
      expect(result.status).toBe('SKIP');
      expect(result.summary).toContain('the Datadog keys are set but DD_ENV is not: set it to the env tag of production, e.g. DD_ENV=prod');
      expect(ddServer.requests.length).toBe(before);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('zero-config scopes to DD_ENV: staging monitors do not make production alerting', async () => {
    dd.monitors = dd.monitors.filter((m) => String(m.name).startsWith('Staging'));
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      const run = await runCli(['run', '--check', 'monitoring', '--format', 'json'], {
        env: { DATADOG_API_KEY: dd.apiKey, DATADOG_APP_KEY: dd.appKey, DD_ENV: 'prod', DATADOG_API_URL: ddServer.url },
        cwd,
      });
      const result = JSON.parse(run.stdout).results[0];
      expect(result.status).toBe('FAIL');
      expect(result.summary).toContain('no alert rule covers errors; no alert rule covers latency');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('the tenant tag is tenant_id for every provider, like the other gates; SAAS_READINESS_TENANT_TAG sets it in zero-config', async () => {
    const r = await runMonitoring(bothYaml('all'), env());
    expect(r.criterion('datadog.signals').summary).toContain('by span tag @tenant_id');
    expect(nrServer.requests.some((q) => q.body.includes('FACET tenant_id'))).toBe(true);
    const keys = { DATADOG_API_KEY: 'k', DATADOG_APP_KEY: 'a', DD_ENV: 'prod', NEW_RELIC_KEY: 'n', NEW_RELIC_ACCOUNT_ID: '1' };
    const fromEnv = (over: NodeJS.ProcessEnv) =>
      monitoringGate.fromEnvironment({ ...keys, ...over }) as unknown as { gate: { datadog: { tenantTag: string }; newrelic: { tenantAttribute: string } } };
    expect(fromEnv({}).gate.datadog.tenantTag).toBe('tenant_id');
    expect(fromEnv({}).gate.newrelic.tenantAttribute).toBe('tenant_id');
    expect(fromEnv({ SAAS_READINESS_TENANT_TAG: 'org_id' }).gate.datadog.tenantTag).toBe('org_id');
    expect(fromEnv({ SAAS_READINESS_TENANT_TAG: 'org_id' }).gate.newrelic.tenantAttribute).toBe('org_id');
    expect(monitoringGate.fromEnvironment({ ...keys, SAAS_READINESS_TENANT_TAG: 'tenant id!' })).toEqual({
      skip: expect.stringContaining('SAAS_READINESS_TENANT_TAG is not a tag name'),
    });
  });

  test('a readiness.yaml whose keys resolve empty (the demo) SKIPs with the hint', async () => {
    const before = ddServer.requests.length + nrServer.requests.length;
    const r = await runMonitoring(bothYaml('any'), { DD_URL: ddServer.url, NR_URL: nrServer.url }, ['--allow-skip']);
    expect(r.result.status).toBe('SKIP');
    expect(r.result.summary).toContain('set DATADOG_API_KEY + DATADOG_APP_KEY');
    expect(ddServer.requests.length + nrServer.requests.length).toBe(before);
  });

  test('require any: one live provider is enough, the other is reported truthfully', async () => {
    const r = await runMonitoring(bothYaml('any'), env({ NEW_RELIC_KEY: 'NRAK-REVOKED000000000' }));
    expect(r.result.status).toBe('PASS');
    expect(r.result.summary).toContain('monitoring live in Datadog');
    expect(r.result.summary).toContain('not live (require: any, so not needed): New Relic (account 1234567, 127.0.0.1');
    expect(r.criterion('newrelic.credentials').status).toBe('FAIL');
  });

  test('require all: every provider must be live', async () => {
    const r = await runMonitoring(bothYaml('all'), env({ NEW_RELIC_KEY: 'NRAK-REVOKED000000000' }));
    expect(r.result.status).toBe('FAIL');
    expect(r.result.summary).toMatch(/^New Relic .*: New Relic API key rejected/);
    expect(r.run.code).toBe(1);
  });

  test('require any with one FAIL and one unreachable is ERROR (the unreachable one might be live)', async () => {
    dd.failWith = 503;
    const r = await runMonitoring(bothYaml('any'), env({ NEW_RELIC_KEY: 'NRAK-REVOKED000000000' }));
    expect(r.result.status).toBe('ERROR');
  });

  test('combine: any/all semantics', () => {
    expect(combine(['PASS', 'FAIL'], 'any')).toBe('PASS');
    expect(combine(['FAIL', 'ERROR'], 'any')).toBe('ERROR');
    expect(combine(['FAIL', 'FAIL'], 'any')).toBe('FAIL');
    expect(combine(['PASS', 'ERROR'], 'all')).toBe('ERROR');
    expect(combine(['ERROR', 'FAIL'], 'all')).toBe('FAIL');
    expect(combine(['PASS', 'PASS'], 'all')).toBe('PASS');
    expect(combine([], 'any')).toBe('ERROR');
  });

  test('config errors name the field: apiKey without appKey, wrong source type, bad pattern', async () => {
    expect(await runExpectingUsage(datadogYaml(), env({ DATADOG_APP_KEY: '' }))).toMatch(
      /gates\.monitoring\.datadog\.source: source 'dd' has an apiKey but no appKey/,
    );
    expect(await runExpectingUsage(bothYaml('any').replace('newrelic: { source: nr }', 'newrelic: { source: dd }'), env())).toMatch(
      /gates\.monitoring\.newrelic\.source: source 'dd' is datadog/,
    );
    expect(await runExpectingUsage(datadogYaml('    alertPatterns: { errors: "(" }\n'), env())).toMatch(
      /gates\.monitoring\.alertPatterns\.errors: not a valid regular expression/,
    );
    expect(await runExpectingUsage(datadogYaml().replace('type: datadog', 'type: datadog\n    site: datadoghq.org'), env())).toMatch(
      /sources\.dd\.site: must be one of/,
    );
  });

  test('keys from Secrets Manager are resolved at run time; an unreadable secret is ERROR for that provider', async () => {
    const secrets: SecretResolver = {
      resolve: async (v) => {
        if (v === '${secret:arn:aws:secretsmanager:eu-west-1:1:secret:dd#apiKey}') return dd.apiKey;
        if (v === '${secret:arn:aws:secretsmanager:eu-west-1:1:secret:dd#appKey}') return dd.appKey;
        if (v.startsWith('${secret:')) throw new Error('cannot read secret arn:aws:secretsmanager:eu-west-1:1:secret:nr: AccessDeniedException (HTTP 400)');
        return v;
      },
      json: async () => ({}),
    };
    const yaml = bothYaml('all')
      .replace('${env:DATADOG_API_KEY:-}', "'${secret:arn:aws:secretsmanager:eu-west-1:1:secret:dd#apiKey}'")
      .replace('${env:DATADOG_APP_KEY:-}', "'${secret:arn:aws:secretsmanager:eu-west-1:1:secret:dd#appKey}'")
      .replace('${env:NEW_RELIC_KEY:-}', "'${secret:arn:aws:secretsmanager:eu-west-1:1:secret:nr}'");
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      writeFileSync(join(cwd, 'readiness.yaml'), yaml);
      const run = await runCli(['run', '--format', 'json', '--quiet'], { env: env(), cwd, secrets });
      const result = JSON.parse(run.stdout).results.find((x: { gate: string }) => x.gate === 'monitoring');
      expect(result.status).toBe('ERROR');
      const byId = Object.fromEntries(result.criteria.map((c: { id: string; status: string; summary: string }) => [c.id, c]));
      expect(byId['datadog.credentials'].summary).toBe('credentials accepted');
      expect(byId['newrelic.credentials'].summary).toContain('cannot read secret arn:aws:secretsmanager:eu-west-1:1:secret:nr');
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  test('keys never appear in any output: text, json, junit, markdown, --out files, stderr', async () => {
    // A hostile API that echoes the keys it received in its error bodies.
    const echo = await startLocalServer(({ headers }, res) =>
      sendJson(res, 500, { errors: [`internal error for key ${headers['dd-api-key'] ?? headers['api-key']} / ${headers['dd-application-key'] ?? ''}`] }),
    );
    const secretsSeen: string[] = [dd.apiKey, dd.appKey, nr.apiKey];
    const cwd = mkdtempSync(join(tmpdir(), 'monitoring-'));
    try {
      writeFileSync(join(cwd, 'readiness.yaml'), bothYaml('all'));
      const outputs: string[] = [];
      const scenarios: NodeJS.ProcessEnv[] = [
        env(),
        env({ DD_URL: echo.url, NR_URL: echo.url }),
        env({ DATADOG_API_KEY: `${dd.apiKey}-revoked`, NEW_RELIC_KEY: `${nr.apiKey}-revoked` }),
      ];
      for (const [i, e] of scenarios.entries()) {
        for (const format of ['text', 'json', 'junit', 'markdown']) {
          const out = join(cwd, `out-${i}-${format}`);
          const run = await runCli(['run', '--format', format, '--out', out], { env: e, cwd });
          outputs.push(run.stdout, run.stderr, ...readdirSync(out).map((f) => readFileSync(join(out, f), 'utf8')));
        }
      }
      const all = outputs.join('\n');
      expect(all).toContain('internal error for key ***'); // the echo reached the report, redacted
      expect(all).toContain('key rejected');
      for (const key of secretsSeen) expect(all).not.toContain(key);
    } finally {
      await echo.close();
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
