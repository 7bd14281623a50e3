import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { registerSecret } from '../../lambda/core/redact';
import type { CheckResult, Criterion } from '../../lambda/core/result';
import { batchesOf, gateFindings, MAX_FINDINGS_PER_BATCH, publishToSecurityHub } from '../../lambda/sinks/security-hub';
import { runCli } from '../support/cli';
import { startCallerIdentity, startSecurityHub, type SecurityHubStandIn } from '../standins/securityhub';
import { result } from '../report/fixtures';

const TARGET = { accountId: '123456789012', region: 'eu-west-1' };
const criterion = (id: string, status: Criterion['status']): Criterion => ({
  id,
  title: `criterion ${id}`,
  status,
  summary: `${id} is ${status}`,
  ...(status === 'PASS' ? {} : { remediation: `fix ${id}` }),
});
const cost = (status: CheckResult['status'], criteria: Criterion[]) => result('cost', status, { title: 'Cost tracking accurate', criteria });

describe('Security Hub publisher against the stand-in', () => {
  let hub: SecurityHubStandIn;
  let client: SecurityHubClient;
  const held = () =>
    [...hub.findings.values()]
      .map((f) => ({ Id: f.Id, Compliance: f.Compliance, RecordState: f.RecordState }))
      .sort((a, b) => String(a.Id).localeCompare(String(b.Id)));

  beforeAll(async () => {
    hub = await startSecurityHub();
    client = new SecurityHubClient({
      endpoint: hub.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await hub.close();
  });
  beforeEach(() => hub.findings.clear());

  it('sends one finding per gate and per failing criterion, updates them in place, and archives them when the gate passes again', async () => {
    const t1 = new Date('2026-11-28T08:00:00Z');
    await publishToSecurityHub(client, 'acme', [cost('FAIL', [criterion('fresh', 'PASS'), criterion('aws-tenants', 'FAIL')])], TARGET, t1);
    expect(held()).toEqual([
      { Id: 'saas-readiness/acme/cost', Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' },
      { Id: 'saas-readiness/acme/cost/aws-tenants', Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' },
    ]);

    const t2 = new Date('2026-11-28T09:00:00Z');
    await publishToSecurityHub(client, 'acme', [cost('FAIL', [criterion('fresh', 'FAIL'), criterion('aws-tenants', 'PASS')])], TARGET, t2);
    expect(held()).toEqual([
      { Id: 'saas-readiness/acme/cost', Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' },
      { Id: 'saas-readiness/acme/cost/aws-tenants', Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' },
      { Id: 'saas-readiness/acme/cost/fresh', Compliance: { Status: 'FAILED' }, RecordState: 'ACTIVE' },
    ]);
    const gate = [...hub.findings.values()].find((f) => f.Id === 'saas-readiness/acme/cost')!;
    expect(gate).toMatchObject({ CreatedAt: t1.toISOString(), UpdatedAt: t2.toISOString() });

    await publishToSecurityHub(
      client,
      'acme',
      [cost('PASS', [criterion('fresh', 'PASS'), criterion('aws-tenants', 'PASS')])],
      TARGET,
      new Date('2026-11-28T10:00:00Z'),
    );
    expect(held()).toEqual([
      { Id: 'saas-readiness/acme/cost', Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' },
      { Id: 'saas-readiness/acme/cost/aws-tenants', Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' },
      { Id: 'saas-readiness/acme/cost/fresh', Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' },
    ]);
  });

  it('maps PASS / FAIL / SKIP / ERROR to PASSED / FAILED / WARNING / NOT_AVAILABLE', () => {
    const statuses = (['PASS', 'FAIL', 'SKIP', 'ERROR'] as const).map(
      (s) => gateFindings(result('tenants', s), 'acme', TARGET, new Map(), new Date())[0].Compliance?.Status,
    );
    expect(statuses).toEqual(['PASSED', 'FAILED', 'WARNING', 'NOT_AVAILABLE']);
  });

  it('keeps to 100 findings per request', async () => {
    const many = cost(
      'FAIL',
      Array.from({ length: 250 }, (_, i) => criterion(`c${i}`, 'FAIL')),
    );
    const before = hub.importRequests;
    const sent = await publishToSecurityHub(client, 'acme', [many], TARGET);
    expect(sent).toEqual({ imported: 251, archived: 0, requests: 3 });
    expect(hub.importRequests - before).toBe(3);
    expect(hub.findings.size).toBe(251);
  });

  it('refuses to send a finding over 240 KB rather than have it dropped', () => {
    const [f] = gateFindings(result('tenants', 'FAIL'), 'acme', TARGET, new Map(), new Date());
    expect(batchesOf(Array.from({ length: MAX_FINDINGS_PER_BATCH + 1 }, () => f)).map((b) => b.length)).toEqual([100, 1]);
    expect(() => batchesOf([{ ...f, ProductFields: { blob: 'x'.repeat(241 * 1024) } }])).toThrow(/240 KB per finding/);
  });

  it('cuts Title and Description to their documented lengths and redacts secrets', async () => {
    registerSecret('sk-live-very-secret-value');
    const long = result('tenants', 'FAIL', { title: 'T'.repeat(300), summary: `token sk-live-very-secret-value ${'d'.repeat(2000)}` });
    await publishToSecurityHub(client, 'acme', [long], TARGET);
    const f = [...hub.findings.values()][0];
    expect([...(f.Title as string)].length).toBe(256);
    expect([...(f.Description as string)].length).toBe(1024);
    expect(f.Description).toMatch(/^token \*\*\* d+…$/);
    expect(JSON.stringify(f)).not.toContain('sk-live-very-secret-value');
  });

  it('fails loudly, naming the finding and the reason, when Security Hub refuses findings', async () => {
    await expect(publishToSecurityHub(client, 'acme', [result('tenants', 'FAIL')], { accountId: '210987654321', region: 'eu-west-1' })).rejects.toThrow(
      /Security Hub rejected 1 of 1 finding\(s\): saas-readiness\/acme\/tenants: InvalidInput AwsAccountId 210987654321 is not the calling account/,
    );
  });
});

describe('saas-readiness run --security-hub', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("publishes the run for the caller's account and region, and exits 3 when Security Hub refuses it", async () => {
    const hub = await startSecurityHub();
    const sts = await startCallerIdentity('123456789012');
    const other = await startCallerIdentity('210987654321');
    try {
      Object.assign(process.env, {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDTEST',
        AWS_SECRET_ACCESS_KEY: 'test-secret',
        AWS_ENDPOINT_URL_SECURITYHUB: hub.endpoint,
        AWS_ENDPOINT_URL_STS: sts.url,
        AWS_MAX_ATTEMPTS: '1',
      });
      const cwd = mkdtempSync(join(tmpdir(), 'sr-hub-'));
      const res = await runCli(['run', '--security-hub'], { env: {}, cwd });
      expect(res.code).toBe(1); // zero-config without DATABASE_URL: every gate SKIPs, NOT READY
      expect(res.stderr).toContain('saas-readiness: Security Hub 123456789012/eu-west-1: 4 finding(s) imported (0 archived) in 1 request(s)');
      expect([...hub.findings.values()].map((f) => [f.Id, (f.Compliance as { Status: string }).Status])).toEqual([
        ['saas-readiness/default/tenants', 'WARNING'],
        ['saas-readiness/default/cost', 'WARNING'],
        ['saas-readiness/default/config', 'WARNING'],
        ['saas-readiness/default/monitoring', 'WARNING'],
      ]);

      process.env.AWS_ENDPOINT_URL_STS = other.url;
      const refused = await runCli(['run', '--security-hub', '--quiet'], { env: {}, cwd });
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/publishing to Security Hub failed: .*not the calling account/);
    } finally {
      await Promise.all([hub.close(), sts.close(), other.close()]);
    }
  });
});
