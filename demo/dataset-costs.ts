/**
 * Gate 2's demo data: the app's cost ledger (`tenant_costs` in the demo database) and the AWS bill
 * as a Cost and Usage Report export (gzip CSV in a temp dir), generated from the same usage so that
 * they reconcile the way a healthy system does: per-tenant bills within ~2% of what the app tracked,
 * a pooled `shared` line, ~1.5% untagged spend, credits and tax that the gate leaves out.
 *
 * DEMO_COST_DRIFT=initech:+12 bills one tenant 12% more than the app tracked, so the gate FAILs
 * and names it.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEMO_TENANTS, type DemoTenant } from './dataset';
import { demoTempDir } from './temp';

export interface CostDrift {
  tenant: string;
  /** Percent added to that tenant's bill, e.g. 12 or -8. */
  percent: number;
}

/** Parses DEMO_COST_DRIFT ("tenant:+12"); undefined when unset. */
export function parseCostDrift(text: string | undefined): CostDrift | undefined {
  if (!text) return undefined;
  const m = /^([^:]+):([+-]?\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new Error(`DEMO_COST_DRIFT must look like tenant:+12 (got '${text}')`);
  if (!DEMO_TENANTS.some((t) => t.id === m[1]))
    throw new Error(`DEMO_COST_DRIFT: unknown tenant '${m[1]}' (tenants: ${DEMO_TENANTS.map((t) => t.id).join(', ')})`);
  return { tenant: m[1], percent: Number(m[2]) };
}

/** Daily AWS spend by tier, in micro-dollars; OpenAI roughly half of it. */
const DAILY_AWS: Record<DemoTenant['tier'], number> = { enterprise: 41_250_000, pro: 12_400_000, free: 830_000 };
const DAYS = 45;
const SERVICES: [string, number][] = [
  ['AmazonEC2', 55],
  ['AmazonRDS', 25],
  ['AmazonS3', 12],
  ['AWSLambda', 8],
];

/** Deterministic noise in [-1, 1] so every demo run shows the same numbers. */
function noise(seed: string): number {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return ((h >>> 0) % 20001) / 10000 - 1;
}

const usd = (micros: bigint) => {
  const neg = micros < 0n;
  const a = neg ? -micros : micros;
  return `${neg ? '-' : ''}${a / 1_000_000n}.${(a % 1_000_000n).toString().padStart(6, '0')}`;
};
const dayOf = (now: Date, back: number) => new Date(now.getTime() - back * 86_400_000).toISOString().slice(0, 10);

/** The calendar month a day is billed in, as CUR writes it: start and exclusive end, both at midnight UTC. */
function billingPeriod(day: string): string {
  const start = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const stamp = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  return `${stamp(start)},${stamp(end)}`;
}

/** Ledger rows and CUR line items for the last 45 days (the ledger up to today, the bill up to yesterday). */
export function demoCosts(now: Date, drift?: CostDrift): { ledgerSql: string; curCsv: string } {
  const ledger: string[] = [];
  const cur: string[] = [
    'identity/LineItemId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost,resourceTags/user:tenant_id',
  ];
  let id = 0;
  const line = (type: string, day: string, product: string, micros: bigint, tag: string) =>
    cur.push(`li-${++id},${billingPeriod(day)},123456789012,${type},${day}T00:00:00Z,${product},USD,${usd(micros)},${tag}`);
  const active = DEMO_TENANTS.filter((t) => t.status !== 'deleted');
  for (let back = DAYS - 1; back >= 0; back--) {
    const day = dayOf(now, back);
    let pooled = 0n;
    for (const t of active) {
      if (t.status === 'suspended' && back < 20) continue;
      const canary = t.id === 'test-canary';
      const tracked = BigInt(Math.round((canary ? 20_000 : DAILY_AWS[t.tier]) * (1 + 0.15 * noise(`${t.id}${day}`))));
      const openai = (tracked * 45n) / 100n;
      ledger.push(`('${t.id}', '${day}', 'aws', ${usd(tracked)})`, `('${t.id}', '${day}', 'openai', ${usd(openai)})`);
      pooled += tracked / 20n;
      if (back === 0) continue; // today's usage is not on the bill yet
      // The bill differs from the app's own estimate by up to ±2% per day, as real metering does.
      let billed = BigInt(Math.round(Number(tracked) * (1 + 0.02 * noise(`bill${t.id}${day}`))));
      if (drift?.tenant === t.id) billed = (billed * BigInt(Math.round((100 + drift.percent) * 100))) / 10_000n;
      let rest = billed;
      for (const [product, share] of SERVICES.slice(0, -1)) {
        const part = (billed * BigInt(share)) / 100n;
        line('Usage', day, product, part, t.id);
        rest -= part;
      }
      line('Usage', day, SERVICES[SERVICES.length - 1][0], rest, t.id);
    }
    ledger.push(`('shared', '${day}', 'aws', ${usd(pooled)})`);
    if (back === 0) continue;
    line('Usage', day, 'AmazonVPC', pooled, 'shared');
    line('Usage', day, 'AmazonVPC', (pooled * 3n) / 10n, ''); // NAT gateway: untagged
    line('Tax', day, 'AmazonEC2', (pooled * 8n) / 10n, '');
  }
  line('Credit', dayOf(now, 10), 'AmazonEC2', -250_000_000n, '');
  const ledgerSql = `
DROP TABLE IF EXISTS tenant_costs;
CREATE TABLE tenant_costs (
  tenant_id  text NOT NULL,
  usage_date date NOT NULL,
  provider   text NOT NULL,
  cost_usd   numeric(18, 6) NOT NULL
);
INSERT INTO tenant_costs (tenant_id, usage_date, provider, cost_usd) VALUES
  ${ledger.join(',\n  ')};
CREATE INDEX tenant_costs_usage_date ON tenant_costs (usage_date);
`;
  return { ledgerSql, curCsv: `${cur.join('\n')}\n` };
}

/** Seeds the ledger and writes the bill export; `env` points readiness.yaml at the export. */
export async function startCostDemo(exec: (sql: string) => Promise<unknown>, now = new Date()) {
  const drift = parseCostDrift(process.env.DEMO_COST_DRIFT);
  const { ledgerSql, curCsv } = demoCosts(now, drift);
  await exec(ledgerSql);
  const dir = demoTempDir('saas-readiness-bill-');
  const path = join(dir, 'bill-cur-export.csv.gz');
  writeFileSync(path, gzipSync(curCsv));
  return {
    drift,
    env: { DEMO_BILL_EXPORT: path },
    async stop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
