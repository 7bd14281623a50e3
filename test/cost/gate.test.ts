import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gate as costGate } from '../../lambda/checks/cost/gate';
import { runCli } from '../support/cli';
import { setEnv } from '../standins/dynalite';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { startCostExplorer, type CeLineItem } from '../standins/costexplorer';

/**
 * Gate 2 end to end through the CLI: the ledger in PGlite (pg driver, GROUP BY), the bill from the
 * real Cost Explorer client against a local JSON 1.1 endpoint, the window from --from/--to.
 */
describe('gate cost through `saas-readiness run`', () => {
  let pg: PostgresTarget;
  let ce: Awaited<ReturnType<typeof startCostExplorer>>;
  const dir = mkdtempSync(join(tmpdir(), 'cost-gate-'));
  const today = new Date().toISOString().slice(0, 10);
  /** Cost Explorer's current date: May 2024 is within its history (CE-7). */
  const CE_TODAY = '2024-06-20';

  const items: CeLineItem[] = [
    { day: '2024-05-01', tag: 'acme', amount: '60.00' },
    { day: '2024-05-31', tag: 'acme', amount: '40.00' },
    { day: '2024-05-15', tag: 'globex', amount: '50.00' },
    { day: '2024-05-15', amount: '1.50' }, // untagged
    { day: '2024-05-20', tag: 'acme', amount: '-30', recordType: 'Credit' },
    { day: '2024-06-01', tag: 'globex', amount: '40.00' }, // the day after --to: must not count
  ];

  beforeAll(async () => {
    pg = await startPglite();
    await pg.exec(`CREATE TABLE tenant_costs (tenant_id text, usage_date date, provider text, cost_usd numeric(18,6));
      INSERT INTO tenant_costs VALUES ('acme', '2024-05-10', 'aws', 100), ('globex', '2024-05-15', 'aws', 50.50),
        ('globex', '2024-06-01', 'aws', 40), ('acme', '${today}', 'aws', 3), ('acme', '2024-05-10', 'openai', 7);`);
    ce = await startCostExplorer({ items, pageSize: 1, today: CE_TODAY });
    writeFileSync(
      join(dir, 'readiness.yaml'),
      `version: 1
suite: cost-test
sources:
  appdb:
    type: postgres
    url: \${env:DATABASE_URL}
  ce: { type: costexplorer, maxAttempts: 2 }
gates:
  cost:
    ledger: { source: appdb }
    aws: { source: ce }
`,
    );
  });
  afterAll(async () => {
    await ce.stop();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // The AWS SDK reads its settings from process.env, as it does for a user.
  let restore: () => void;
  beforeEach(() => {
    restore = setEnv({
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_REGION: 'us-east-1',
    });
  });
  afterEach(() => restore());
  const env = () => ({ DATABASE_URL: pg.url });

  it('PASSes over --from/--to (the day after --to excluded), writes tenant_costs.csv and states the Cost Explorer cost', async () => {
    const before = ce.requests.length;
    const out = join(dir, 'out');
    const run = await runCli(['run', '--check', 'cost', '--from', '2024-05-01', '--to', '2024-05-31', '--format', 'json', '--out', out, '--quiet'], {
      cwd: dir,
      env: env(),
    });
    const report = JSON.parse(run.stdout);
    const cost = report.results[0];
    expect(cost.status).toBe('PASS');
    expect(run.code).toBe(0);
    // acme 100 vs 100; globex 50.50 vs 50 (+1%); total 150.50 vs 151.50 (with $1.50 untagged).
    expect(cost.summary).toBe('tracked costs reconcile within ±5%: AWS: tracked $150.50 vs billed $151.50 (-0.66%)');
    const requests = ce.requests.slice(before);
    expect(requests[0].body.TimePeriod).toEqual({ Start: '2024-05-01', End: '2024-06-01' });
    expect(requests).toHaveLength(3); // 3 groups, 1 per page
    expect(cost.criteria.find((c: { id: string }) => c.id === 'aws-total').evidence).toContain('3 Cost Explorer requests made, $0.03 at $0.01 each');
    expect(readFileSync(join(out, 'tenant_costs.csv'), 'utf8')).toBe(
      'tenant_id,provider,tracked_cost,actual_cost,variance_pct\n(total),aws,150.50,151.50,-0.66\n(untagged),aws,0.00,1.50,-100.00\nacme,aws,100.00,100.00,0.00\nglobex,aws,50.50,50.00,+1.00\n',
    );
    expect(cost.evidence).toContain('not reconciled (provider not configured): openai $7.00');
  });

  it('counts the day after --to when the window includes it (the off-by-one is real)', async () => {
    const run = await runCli(['run', '--check', 'cost', '--from', '2024-05-01', '--to', '2024-06-01', '--quiet'], { cwd: dir, env: env() });
    expect(run.stdout).toMatch(/AWS: tracked \$190.50 vs billed \$191.50/);
  });

  it('ERRORs (exit 1) naming throttling when Cost Explorer keeps throttling', async () => {
    const throttling = await startCostExplorer({ items, always: 'LimitExceededException', today: CE_TODAY });
    try {
      process.env.AWS_ENDPOINT_URL_COST_EXPLORER = throttling.endpoint;
      const run = await runCli(['run', '--check', 'cost', '--from', '2024-05-01', '--to', '2024-05-31', '--quiet'], { cwd: dir, env: env() });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        /✗ cost +ERROR +AWS bill: Cost Explorer throttled the requests \(LimitExceededException\) and the retries were exhausted \(2 attempts made:/,
      );
      expect(throttling.requests).toHaveLength(2);
    } finally {
      await throttling.stop();
    }
  });

  it('rejects half a window on the command line and bad window config with the field named', async () => {
    const half = await runCli(['run', '--check', 'cost', '--from', '2024-05-01', '--quiet'], { cwd: dir, env: env() });
    expect(half.code).toBe(2);
    expect(half.stderr).toBe('saas-readiness: give both --from and --to (YYYY-MM-DD, both inclusive)\n');
    writeFileSync(join(dir, 'bad.yaml'), `${readFileSync(join(dir, 'readiness.yaml'), 'utf8')}    window: { from: 2024-02-01, to: 2024-02-30 }\n`);
    const bad = await runCli(['validate', '--config', 'bad.yaml'], { cwd: dir, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+: gates\.cost\.window\.to: not a calendar date: '2024-02-30'/);
  });

  it('refuses an externalId STS would refuse (STS-6), naming the field, before any request', async () => {
    writeFileSync(
      join(dir, 'external-id.yaml'),
      readFileSync(join(dir, 'readiness.yaml'), 'utf8').replace(
        '{ type: costexplorer, maxAttempts: 2 }',
        '{ type: costexplorer, roleArn: "arn:aws:iam::123456789012:role/cost", externalId: "our secret phrase" }',
      ),
    );
    const bad = await runCli(['validate', '--config', 'external-id.yaml'], { cwd: dir, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/external-id\.yaml:\d+: sources\.ce\.externalId: /);
  });

  it('takes AmortizedCost from a bill export, and names the metric an export cannot give', async () => {
    const config = (metric: string) => `version: 1
suite: cost-test
sources:
  appdb: { type: postgres, url: '\${env:DATABASE_URL}' }
  export: { type: cur, path: bill.csv }
gates:
  cost:
    ledger: { source: appdb }
    aws: { source: export, metric: ${metric} }
`;
    writeFileSync(join(dir, 'amortized.yaml'), config('AmortizedCost'));
    expect((await runCli(['validate', '--config', 'amortized.yaml'], { cwd: dir, env: env() })).code).toBe(0);
    writeFileSync(join(dir, 'net-amortized.yaml'), config('NetAmortizedCost'));
    const refused = await runCli(['validate', '--config', 'net-amortized.yaml'], { cwd: dir, env: env() });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /net-amortized\.yaml:\d+: gates\.cost\.aws\.metric: NetAmortizedCost cannot be read from a bill export \(use UnblendedCost, NetUnblendedCost, BlendedCost, AmortizedCost, or a costexplorer source\)/,
    );
  });

  it('zero-config: SKIPs with the hint naming what to set, and configures itself from the environment', () => {
    expect(costGate.fromEnvironment({})).toEqual({ skip: expect.stringMatching(/set DATABASE_URL .* OPENAI_ADMIN_KEY and\/or SAAS_READINESS_COST_TAG/) });
    expect(costGate.fromEnvironment({ DATABASE_URL: 'postgres://x@h/db' })).toHaveProperty('skip');
    const configured = costGate.fromEnvironment({ DATABASE_URL: 'postgres://x@h/db', SAAS_READINESS_COST_TAG: 'tenant', OPENAI_ADMIN_KEY: 'sk-admin-x' });
    expect(configured).toEqual({
      gate: { ledger: { source: 'appdb' }, aws: { source: 'aws-bill', tagKey: 'tenant' }, openai: { source: 'openai-bill' } },
      sources: {
        appdb: { type: 'postgres', url: 'postgres://x@h/db' },
        'aws-bill': { type: 'costexplorer' },
        'openai-bill': { type: 'openai', adminKey: 'sk-admin-x' },
      },
    });
    const viaBaseUrl = costGate.fromEnvironment({
      DATABASE_URL: 'postgres://x@h/db',
      OPENAI_ADMIN_KEY: 'sk-admin-x',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(viaBaseUrl).toMatchObject({ sources: { 'openai-bill': { type: 'openai', adminKey: 'sk-admin-x', baseUrl: 'http://127.0.0.1:9/v1' } } });
  });
});
