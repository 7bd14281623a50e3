import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareGates } from '../../lambda/core/config/load';
import { BUILT_IN } from '../../lambda/registry';
import type { SourceConfig } from '../../lambda/core/config/types';
import { runGates } from '../../lambda/core/runner';
import type { CheckResult } from '../../lambda/core/result';
import { setEnv } from '../standins/dynalite';
import { ExportWriter, touchTree, type ExportLine, type WrittenExport } from '../standins/bill-exports';
import { startAthena, type AthenaStandIn } from '../standins/athena';
import { startCostExplorer, type CostExplorerStandIn } from '../standins/costexplorer';

/**
 * Gate 2 end to end with the bill read four ways from the same line items: Cost Explorer, Data
 * Exports trees laid out as AWS delivers them (several files per period, two periods, a superseded
 * create-new snapshot, Parquet and gzip CSV, CUR 2.0, FOCUS and legacy CUR), and Athena over the
 * Parquet files. Every way gives the same per-tenant totals and PASSes the same ledger; a listed
 * file that is missing is an ERROR naming it.
 */
const NOW = new Date('2026-11-28T12:00:00Z');
const WINDOW = { from: '2026-10-20', to: '2026-11-10' };
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];

function lineItems(scale = 1): ExportLine[] {
  const out: ExportLine[] = [];
  for (const [month, days] of [
    ['2026-10', 31],
    ['2026-11', 30],
  ] as const) {
    for (let d = 1; d <= days; d++) {
      const day = `${month}-${String(d).padStart(2, '0')}`;
      TENANTS.forEach((tag, t) => {
        out.push({ day, tag, cost: (scale * ((d * 37 + t * 11) % 50) * 0.0731).toFixed(6) });
        out.push({ day, tag, cost: (scale * (t + 1) * 0.001234).toFixed(6) });
      });
      out.push(
        { day, tag: 'shared', cost: '0.420000' },
        { day, cost: '0.050000' },
        { day, tag: 'acme', cost: '0.25', type: 'Tax' },
        { day, tag: 'globex', cost: '-1', type: 'Credit' },
      );
    }
  }
  return out;
}

describe('gate 2: Cost Explorer, Data Exports and Athena give the same bill', () => {
  const lines = lineItems();
  let dir: string;
  let writer: ExportWriter;
  let ce: CostExplorerStandIn;
  let athena: AthenaStandIn;
  let restore: () => void;
  const trees: Record<string, WrittenExport> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'exports-acceptance-'));
    writer = await ExportWriter.open();
    // A create-new CUR 2.0 Parquet export whose earlier snapshot (other amounts) still lies beside the current one.
    await writer.write(join(dir, 'cur2'), lineItems(2), { schema: 'cur2', delivery: 'create-new', filesPerPeriod: 2 }, 'exec-earlier');
    touchTree(join(dir, 'cur2'), new Date('2026-11-10T00:00:00Z'));
    trees.cur2 = await writer.write(join(dir, 'cur2'), lines, { schema: 'cur2', delivery: 'create-new', filesPerPeriod: 3 }, 'exec-current');
    trees.focus = await writer.write(join(dir, 'focus'), lines, { schema: 'focus', file: 'csv', filesPerPeriod: 2 });
    trees.legacy = await writer.write(join(dir, 'legacy'), lines, { schema: 'legacy', filesPerPeriod: 2 });
    trees.table = await writer.write(join(dir, 'table'), lines, { schema: 'cur2', filesPerPeriod: 3 });
    // The ledger tracked exactly what was billed (tax and credits are excluded by default).
    const ledger = ['tenant_id,usage_date,provider,cost_usd', ...lines.filter((l) => l.tag && !l.type).map((l) => `${l.tag},${l.day},aws,${l.cost}`)];
    writeFileSync(join(dir, 'ledger.csv'), `${ledger.join('\n')}\n`);
    ce = await startCostExplorer({
      items: lines.map((l) => ({ day: l.day, tag: l.tag, amount: l.cost, recordType: l.type })),
      pageSize: 3,
      today: '2026-11-28',
    });
    athena = await startAthena({
      tables: [
        { database: 'cid_data_export', table: 'cur2', files: [join(trees.table.root, 'exports', 'acme-bill', 'data', 'BILLING_PERIOD=*', '*.parquet')] },
      ],
      workGroups: [{ name: 'primary', outputLocation: 's3://athena-results/' }],
    });
    restore = setEnv({
      AWS_ENDPOINT_URL_COST_EXPLORER: ce.endpoint,
      AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
      AWS_ACCESS_KEY_ID: 'AKIDBILLS',
      AWS_SECRET_ACCESS_KEY: 'bills-secret',
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(async () => {
    restore();
    writer.close();
    await Promise.all([ce.stop(), athena.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function gate(bill: SourceConfig): Promise<CheckResult> {
    const config = {
      version: 1 as const,
      suite: 'bills',
      sources: { ledger: { type: 'csv', path: join(dir, 'ledger.csv') }, bill },
      gates: { cost: { ledger: { source: 'ledger' }, aws: { source: 'bill', sharedValue: 'shared' }, window: WINDOW, maxLagHours: 8784, timeoutSeconds: 60 } },
    };
    const report = await runGates({
      registry: BUILT_IN,
      loaded: { config: prepareGates(BUILT_IN, config), skipped: {} },
      secrets: { resolve: async (v: string) => v, json: async () => ({}) } as never,
      now: () => NOW,
    });
    return report.results[0];
  }
  const perTenant = (r: CheckResult) => {
    const doc = JSON.parse(r.artifacts!.find((a) => a.name === 'tenant_costs.json')!.content) as { lines: { tenant_id: string; actual_cost: string }[] };
    return Object.fromEntries(doc.lines.map((l) => [l.tenant_id, l.actual_cost]));
  };

  it('every source PASSes with the same per-tenant, shared, untagged and total amounts as Cost Explorer', async () => {
    const viaCe = await gate({ type: 'costexplorer' });
    expect(viaCe.status).toBe('PASS');
    const expected = perTenant(viaCe);
    expect(Object.keys(expected)).toEqual(expect.arrayContaining([...TENANTS, 'shared', '(total)', '(untagged)']));
    const local = (w: WrittenExport, extra = {}) => ({ type: 'dataexport', path: w.root, prefix: w.prefix, exportName: w.exportName, ...extra });
    for (const [name, bill] of [
      ['CUR 2.0 Parquet, create-new with a superseded snapshot', local(trees.cur2)],
      ['FOCUS gzip CSV', local(trees.focus)],
      ['legacy CUR gzip CSV', local(trees.legacy, { layout: 'legacy' })],
      ['Athena over CUR 2.0 Parquet', { type: 'athena' }],
    ] as const) {
      const result = await gate(bill as SourceConfig);
      expect({ name, status: result.status, summary: result.status === 'PASS' ? '' : result.summary }).toEqual({ name, status: 'PASS', summary: '' });
      expect({ name, lines: perTenant(result) }).toEqual({ name, lines: expected });
      expect(result.criteria.map((c) => `${c.id}:${c.status}`)).toEqual(['fresh:PASS', 'aws-total:PASS', 'aws-allocation:PASS', 'aws-tenants:PASS']);
    }
  });

  it('a file the manifest lists but that is gone makes the gate ERROR naming it, not FAIL on a smaller bill', async () => {
    const gone = trees.focus.dataFiles.get('2026-11')![1];
    rmSync(join(trees.focus.root, ...gone.split('/')));
    const result = await gate({ type: 'dataexport', path: trees.focus.root, prefix: 'exports', exportName: 'acme-bill' });
    expect(result.status).toBe('ERROR');
    expect(result.summary).toContain(`${gone} (billing period 2026-11, 2026-11-01..2026-11-10)`);
  });
});
