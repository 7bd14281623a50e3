import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, dayOf } from '../../lambda/checks/cost/window';
import { runCli } from '../support/cli';
import { setEnv } from '../standins/dynalite';
import { startPglite, type PostgresTarget } from '../support/postgres';
import { startCostExplorer, type CeLineItem, type CostExplorerStandIn } from '../standins/costexplorer';
import { startOpenAiCosts, type OpenAiCost, type OpenAiStandIn } from '../standins/openai';

/**
 * Gate 2 through the CLI with its defaults, against the contract stand-ins of Cost Explorer and
 * OpenAI (today's date, the default window: the last 30 days ending 2 days ago): set up the way
 * AWS and OpenAI document it (an activated `tenant_id` tag, an admin key, the SDKs' endpoint
 * variables), a correct ledger PASSes, and a wrong one FAILs or ERRORs for the right reason.
 */
const TENANTS = ['acme', 'globex', 'initech'];
const today = dayOf(new Date());
const to = addDays(today, -2);
const days = Array.from({ length: 30 }, (_, i) => addDays(to, -i));
const ADMIN_KEY = 'sk-admin-acceptance-0123456789abcdef';

describe('gate 2 defaults against the contract stand-ins', () => {
  let pg: PostgresTarget;
  let ce: CostExplorerStandIn;
  let openai: OpenAiStandIn;
  let restore: () => void;
  const dir = mkdtempSync(join(tmpdir(), 'cost-acceptance-'));

  beforeAll(async () => {
    pg = await startPglite();
    const ledger: string[] = [];
    const items: CeLineItem[] = [];
    const costs: OpenAiCost[] = [];
    days.forEach((day, i) => {
      TENANTS.forEach((tenant, t) => {
        const aws = ((i + 1) * (t + 2) * 0.37).toFixed(4);
        const llm = ((i + 2) * (t + 1) * 0.11).toFixed(4);
        ledger.push(`('${tenant}', '${day}', 'aws', ${aws})`, `('${tenant}', '${day}', 'openai', ${llm})`);
        items.push({ day, tag: tenant, amount: aws });
        costs.push({ day, project: `proj_${tenant}`, value: Number(llm) });
      });
      items.push({ day, amount: '0.05' }, { day, tag: 'acme', amount: '-1', recordType: 'Credit' }, { day, tag: 'acme', amount: '0.2', recordType: 'Tax' });
    });
    ledger.push(`('acme', '${today}', 'aws', 0)`);
    await pg.exec(
      `CREATE TABLE tenant_costs (tenant_id text, usage_date date, provider text, cost_usd numeric(18,6)); INSERT INTO tenant_costs VALUES ${ledger.join(', ')};`,
    );
    ce = await startCostExplorer({ items, pageSize: 4 });
    openai = await startOpenAiCosts({ adminKeys: [ADMIN_KEY], costs, amountAs: 'string' });
    restore = setEnv({
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDACCEPTANCE',
      AWS_SECRET_ACCESS_KEY: 'acceptance-secret',
      AWS_REGION: 'eu-west-1',
      OPENAI_BASE_URL: openai.baseUrl,
    });
  });
  afterAll(async () => {
    restore();
    await Promise.all([ce.stop(), openai.stop(), pg.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const zeroConfig = () => ({ DATABASE_URL: pg.url, SAAS_READINESS_COST_TAG: 'tenant_id', OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: openai.baseUrl });

  it('zero-config (DATABASE_URL, SAAS_READINESS_COST_TAG, OPENAI_ADMIN_KEY, OPENAI_BASE_URL) PASSes a correct ledger', async () => {
    const run = await runCli(['run', '--check', 'cost', '--format', 'json', '--quiet'], { cwd: dir, env: zeroConfig() });
    const cost = JSON.parse(run.stdout).results[0];
    expect(cost.status).toBe('PASS');
    expect(run.code).toBe(0);
    const ids = cost.criteria.map((c: { id: string; status: string }) => `${c.id}:${c.status}`);
    expect(ids).toEqual(['fresh:PASS', 'aws-total:PASS', 'aws-allocation:PASS', 'aws-tenants:PASS', 'openai-total:PASS']);
    const first = ce.requests.find((r) => r.status === 200)!.body;
    expect(first.TimePeriod).toEqual({ Start: days[29], End: addDays(to, 1) });
    expect(openai.requests.at(-1)!.searchParams.get('bucket_width')).toBe('1d');
  });

  it('the README setup (readiness.yaml, project map, credentials from the environment) PASSes per tenant for both bills', async () => {
    writeFileSync(
      join(dir, 'readiness.yaml'),
      `version: 1
suite: acceptance
sources:
  appdb: { type: postgres, url: "\${env:DATABASE_URL}" }
  aws-bill: { type: costexplorer }
  openai-bill:
    type: openai
    adminKey: \${env:OPENAI_ADMIN_KEY}
gates:
  cost:
    ledger: { source: appdb }
    aws: { source: aws-bill, tagKey: tenant_id }
    openai: { source: openai-bill, projects: { proj_acme: acme, proj_globex: globex, proj_initech: initech } }
`,
    );
    const run = await runCli(['run', '--check', 'cost', '--format', 'json', '--quiet'], {
      cwd: dir,
      env: { DATABASE_URL: pg.url, OPENAI_ADMIN_KEY: ADMIN_KEY },
    });
    const cost = JSON.parse(run.stdout).results[0];
    expect(cost.criteria.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toEqual([
      'fresh:PASS',
      'aws-total:PASS',
      'aws-allocation:PASS',
      'aws-tenants:PASS',
      'openai-total:PASS',
      'openai-tenants:PASS',
    ]);
    rmSync(join(dir, 'readiness.yaml'));
  });

  it('FAILs naming the tenant whose tracked cost drifted, for that reason', async () => {
    await pg.exec(`UPDATE tenant_costs SET cost_usd = cost_usd * 1.2 WHERE tenant_id = 'globex' AND provider = 'aws'`);
    try {
      const run = await runCli(['run', '--check', 'cost', '--quiet'], { cwd: dir, env: zeroConfig() });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/✗ cost +FAIL +.*AWS: 1 of 3 tenants outside ±5%: globex \(tracked/);
    } finally {
      await pg.exec(`UPDATE tenant_costs SET cost_usd = cost_usd / 1.2 WHERE tenant_id = 'globex' AND provider = 'aws'`);
    }
  });

  it("ERRORs naming Cost Explorer's refusal for a window beyond its history, not a verdict on the ledger", async () => {
    const run = await runCli(['run', '--check', 'cost', '--from', '2020-01-01', '--to', '2020-01-31', '--quiet'], { cwd: dir, env: zeroConfig() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✗ cost +ERROR +AWS bill: Cost Explorer refused the query for 2020-01-01\.\.2020-01-31 \(ValidationException: /);
  });
});
