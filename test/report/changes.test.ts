import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changesSince, compareGate, gateRecordOf, isRegression, recordRun } from '../../lambda/core/changes';
import { FileHistoryStore } from '../../lambda/sources/file/history';
import { renderMarkdown } from '../../lambda/core/report/markdown';
import { renderText } from '../../lambda/core/report/text';
import { checkCost } from '../../lambda/checks/cost/check';
import { parseMoney } from '../../lambda/checks/cost/money';
import { renderHtml } from '../../lambda/core/report/html';
import { runCli } from '../support/cli';
import { setEnv, startDynalite } from '../standins/dynalite';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { costResult, report, result } from './fixtures';

const at = (h: number) => new Date(Date.UTC(2026, 10, 28, h)).toISOString();

describe('what changed since the previous run', () => {
  it('names gates and criteria that newly fail or recovered', () => {
    const before = gateRecordOf(
      result('tenants', 'PASS', {
        criteria: [
          { id: 'active', title: 'active tenants', status: 'PASS', summary: '12' },
          { id: 'quota', title: 'quotas', status: 'FAIL', summary: 'acme has none' },
        ],
      }),
    );
    const after = gateRecordOf(
      result('tenants', 'FAIL', {
        criteria: [
          { id: 'active', title: 'active tenants', status: 'FAIL', summary: 'only 8' },
          { id: 'quota', title: 'quotas', status: 'PASS', summary: 'all set' },
        ],
      }),
    );
    const change = compareGate(before, after)!;
    expect(change).toMatchObject({ gate: 'tenants', from: 'PASS', to: 'FAIL', movement: 'newly failing' });
    expect(change.criteria).toEqual([
      expect.objectContaining({ id: 'active', from: 'PASS', to: 'FAIL', movement: 'newly failing' }),
      expect.objectContaining({ id: 'quota', from: 'FAIL', to: 'PASS', movement: 'recovered' }),
    ]);
    expect(isRegression(change)).toBe(true);
    expect(compareGate(after, after)).toBeUndefined();
  });

  it('names tenants whose variance moved across the tolerance, in either direction', () => {
    const before = gateRecordOf(
      costResult([
        { tenant: 'initech', tracked: 100, billed: 101, status: 'ok' },
        { tenant: 'acme', tracked: 80, billed: 100, status: 'outside' },
        { tenant: 'globex', tracked: 50, billed: 50, status: 'ok' },
      ]),
    );
    const after = gateRecordOf(
      costResult(
        [
          { tenant: 'initech', tracked: 100, billed: 112, status: 'outside' },
          { tenant: 'acme', tracked: 99, billed: 100, status: 'ok' },
          { tenant: 'globex', tracked: 51, billed: 50, status: 'ok' },
        ],
        'FAIL',
      ),
    );
    const change = compareGate(before, after)!;
    expect(change.tenants).toEqual([
      { tenant: 'initech', provider: 'aws', from: -0.99, to: -10.71, movement: 'left the tolerance' },
      { tenant: 'acme', provider: 'aws', from: -20, to: -1, movement: 'back within the tolerance' },
    ]);
    expect(change.tolerancePercent).toBe(5);
  });

  it('keeps a record within a DynamoDB item for thousands of tenants: then only those outside, still naming crossings', () => {
    const many = (outside: string[]) =>
      costResult(
        Array.from({ length: 5000 }, (_, i) => `tenant-${String(i).padStart(5, '0')}`).map((tenant) => ({
          tenant,
          tracked: outside.includes(tenant) ? 80 : 100,
          billed: 100,
          status: outside.includes(tenant) ? 'outside' : 'ok',
        })),
        outside.length ? 'FAIL' : 'PASS',
      );
    const before = gateRecordOf(many(['tenant-00007']));
    const after = gateRecordOf(many(['tenant-00042']));
    expect(before).toMatchObject({ tenantsOutsideOnly: true, tenants: [expect.objectContaining({ tenant: 'tenant-00007' })] });
    expect(Buffer.byteLength(JSON.stringify(after))).toBeLessThan(300 * 1024);
    const change = compareGate(before, after)!;
    expect(change.tenants).toEqual([
      { tenant: 'tenant-00042', provider: 'aws', to: -20, movement: 'left the tolerance' },
      { tenant: 'tenant-00007', provider: 'aws', from: -20, movement: 'back within the tolerance' },
    ]);
    const text = renderText(report([result('cost', 'FAIL')], { changes: { history: 'h', compared: ['cost'], firstRuns: [], changes: [change] } }));
    expect(text).toContain('tenant tenant-00042 (aws) left the tolerance ±5%: not outside before → -20.00%');
    expect(text).toContain('tenant tenant-00007 (aws) back within the tolerance ±5%: -20.00% → no longer outside');
  });

  it('reads the tenant lines of the artifact the real gate 2 check writes', async () => {
    const $ = (v: string) => parseMoney(v);
    const outcome = await checkCost({
      ledger: {
        summarize: async () => ({
          source: 'ledger',
          totals: [
            { tenant: 'acme', provider: 'aws', amount: $('100') },
            { tenant: 'initech', provider: 'aws', amount: $('370.48') },
          ],
          newest: { at: new Date('2024-06-01T00:00:00Z'), dateOnly: true },
        }),
        close: async () => undefined,
      },
      window: { from: '2024-05-01', to: '2024-05-31', label: 'May' },
      providers: {
        aws: {
          bill: {
            provider: 'aws',
            fetch: async () => ({
              source: 'bill',
              groups: new Map([
                ['acme', $('101')],
                ['initech', $('416.81')],
              ]),
              estimated: [],
              notes: [],
            }),
          },
          ledgerValues: ['aws'],
        },
      },
      tolerancePercent: $('5'),
      materiality: $('1'),
      maxLagHours: 24,
      now: new Date('2024-06-02T12:00:00Z'),
      signal: new AbortController().signal,
    });
    const r = { gate: 'cost', title: 'Cost tracking accurate', startedAt: at(8), durationMs: 1, ...outcome };
    expect(gateRecordOf(r).tenants).toEqual([
      { tenant: 'acme', provider: 'aws', trackedUsd: 100, billedUsd: 101, variancePct: -0.99, status: 'ok' },
      { tenant: 'initech', provider: 'aws', trackedUsd: 370.48, billedUsd: 416.81, variancePct: -11.12, status: 'outside' },
    ]);
    expect(gateRecordOf(r).tolerancePercent).toBe(5);
    expect(renderHtml(report([r]))).toContain('outside the band: initech');
  });

  it('adds a section to the text and Markdown reports', async () => {
    const store = new FileHistoryStore(join(mkdtempSync(join(tmpdir(), 'sr-hist-')), 'h.jsonl'));
    await recordRun(
      store,
      'acme',
      [result('tenants', 'PASS', { startedAt: at(7) }), costResult([{ tenant: 'initech', tracked: 100, billed: 101, status: 'ok' }], 'PASS', at(7))],
      'cli',
      'a',
    );
    const current = report([
      result('tenants', 'FAIL', { startedAt: at(8), summary: 'only 8 active tenants' }),
      costResult([{ tenant: 'initech', tracked: 100, billed: 112, status: 'outside' }], 'FAIL', at(8)),
      result('config', 'PASS', { startedAt: at(8) }),
    ]);
    current.changes = await changesSince(store, 'acme', current.results, new Date(at(9)));
    expect(current.changes).toMatchObject({ compared: ['tenants', 'cost'], firstRuns: ['config'] });
    const text = renderText(current);
    expect(text).toContain('What changed since the previous run (file ');
    expect(text).toContain('  tenants: newly failing (PASS → FAIL) — only 8 active tenants');
    expect(text).toContain('    tenant initech (aws) left the tolerance ±5%: -0.99% → -10.71%');
    const md = renderMarkdown(current);
    expect(md).toContain('### What changed since the previous run');
    expect(md).toContain('- cost: newly failing (PASS → FAIL)');
    expect(md).toContain('First recorded run of `config`');
  });
});

describe('saas-readiness run --history / diff', () => {
  it('records each run, compares with the previous one, and diff reports the two newest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-diff-'));
    const history = join(dir, 'h.jsonl');
    // Zero-config without DATABASE_URL: every gate SKIPs, in learning mode the run is still NOT READY (nothing passed).
    const first = await runCli(['run', '--history', history, '--allow-skip', '--quiet'], { cwd: dir, env: {} });
    expect(first.stdout).toMatch(/What changed since the previous run \(file .*h\.jsonl\): nothing; first run of tenants, cost, config, monitoring/);
    const second = await runCli(['run', '--history', history, '--allow-skip', '--quiet', '--format', 'json'], { cwd: dir, env: {} });
    expect(JSON.parse(second.stdout).changes).toMatchObject({ compared: ['tenants', 'cost', 'config', 'monitoring'], changes: [] });
    expect(readFileSync(history, 'utf8').trim().split('\n')).toHaveLength(8);

    const same = await runCli(['diff', '--history', history], { cwd: dir, env: {} });
    expect(same).toMatchObject({ code: 0, stdout: expect.stringContaining('No change in tenants, cost, config, monitoring since the previous run.') });

    // A third run in which tenants recovered (recorded as the deployed handler or another CLI would).
    await recordRun(
      new FileHistoryStore(history),
      'default',
      [result('tenants', 'PASS', { startedAt: new Date(Date.now() + 1000).toISOString() })],
      'scheduled',
      'x',
    );
    const recovered = await runCli(['diff', '--history', history, '--check', 'tenants'], { cwd: dir, env: {} });
    expect(recovered.code).toBe(0);
    expect(recovered.stdout).toContain('tenants: changed (SKIP → PASS)');
    await recordRun(
      new FileHistoryStore(history),
      'default',
      [result('tenants', 'FAIL', { startedAt: new Date(Date.now() + 2000).toISOString(), summary: 'only 3 active tenants' })],
      'scheduled',
      'y',
    );
    const regressed = await runCli(['diff', '--history', history, '--check', 'tenants'], { cwd: dir, env: {} });
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toContain('tenants: newly failing (PASS → FAIL) — only 3 active tenants');
    expect(regressed.stdout).toContain('REGRESSED');
  });

  it('keeps the history in the deployed DynamoDB table with --history dynamodb:TABLE', async () => {
    const dynamo = await startDynalite();
    const restore = setEnv(dynamo.env);
    try {
      await dynamo.client.send(
        new CreateTableCommand({
          TableName: 'acme-history',
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
      const dir = mkdtempSync(join(tmpdir(), 'sr-ddb-'));
      const args = ['run', '--history', 'dynamodb:acme-history', '--allow-skip', '--quiet', '--check', 'tenants'];
      const first = await runCli(args, { cwd: dir, env: {} });
      expect(first.stdout).toContain('What changed since the previous run (DynamoDB table acme-history): nothing; first run of tenants');
      const second = await runCli(args, { cwd: dir, env: {} });
      expect(second.stdout).toContain('What changed since the previous run (DynamoDB table acme-history): nothing');
      expect(second.stdout).not.toContain('first run');
      const diff = await runCli(['diff', '--history', 'dynamodb:acme-history', '--check', 'tenants'], { cwd: dir, env: {} });
      expect(diff).toMatchObject({ code: 0, stdout: expect.stringContaining('No change in tenants since the previous run.') });
    } finally {
      restore();
      await dynamo.stop();
    }
  });

  it('says so when there is nothing to compare', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-diff-'));
    const res = await runCli(['diff'], { cwd: dir, env: {} });
    expect(res).toMatchObject({ code: 0, stdout: expect.stringContaining('No recorded runs.') });
  });
});
