import type { GateDefinition } from '../../lambda/core/gate';
import { Registry } from '../../lambda/core/registry';
import { fakeGate } from '../support/fake-gate';
import { runGates, verdictOf } from '../../lambda/core/runner';
import { outcomeFromCriteria, statusOf, type CheckResult, type Criterion } from '../../lambda/core/result';
import type { LoadedConfig } from '../../lambda/core/config/types';
import { redact, registerSecret } from '../../lambda/core/redact';

const secrets = { resolve: async (v: string) => v, json: async () => ({}) };

function gate(id: 'tenants' | 'cost' | 'config' | 'monitoring', run: GateDefinition['run']): GateDefinition {
  return fakeGate(id, run, `set ${id.toUpperCase()}`);
}

function loaded(gates: LoadedConfig['config']['gates'], skipped: LoadedConfig['skipped'] = {}): LoadedConfig {
  return { config: { version: 1, suite: 's', sources: {}, gates }, skipped, file: 'r.yaml' };
}

const c = (status: Criterion['status']): Criterion => ({ id: status, title: status, status, summary: status.toLowerCase() });

describe('status of a gate', () => {
  it('is PASS only when every criterion passed', () => {
    expect(statusOf([c('PASS'), c('PASS')])).toBe('PASS');
    expect(statusOf([])).toBe('ERROR');
    expect(statusOf([c('PASS'), c('SKIP')])).toBe('SKIP');
    expect(statusOf([c('PASS'), c('ERROR')])).toBe('ERROR');
    expect(statusOf([c('ERROR'), c('FAIL')])).toBe('FAIL');
  });

  it('summarises with the deciding criteria', () => {
    const o = outcomeFromCriteria([c('PASS'), { ...c('FAIL'), remediation: 'fix it' }]);
    expect(o.status).toBe('FAIL');
    expect(o.summary).toBe('fail');
    expect(o.remediation).toBe('fix it');
  });
});

describe('verdict', () => {
  const r = (status: CheckResult['status']) => ({ status }) as CheckResult;
  it('is strict by default and neutral on SKIP in learning mode', () => {
    expect(verdictOf([r('PASS'), r('PASS')], false).verdict).toBe('READY');
    expect(verdictOf([r('PASS'), r('SKIP')], false).verdict).toBe('NOT READY');
    expect(verdictOf([r('PASS'), r('SKIP')], true).verdict).toBe('READY');
    expect(verdictOf([r('PASS'), r('ERROR')], true).verdict).toBe('NOT READY');
    expect(verdictOf([r('FAIL')], true).verdict).toBe('NOT READY');
  });
  it('never says READY when nothing was measured', () => {
    expect(verdictOf([], true)).toEqual({ verdict: 'NOT READY', reason: 'no gate was run' });
    expect(verdictOf([r('SKIP'), r('SKIP')], true).verdict).toBe('NOT READY');
  });
});

describe('runner', () => {
  it('runs gates concurrently, each under its own deadline', async () => {
    const started: number[] = [];
    const slow = gate('tenants', async () => {
      started.push(Date.now());
      await new Promise((r) => setTimeout(r, 300));
      return outcomeFromCriteria([c('PASS')]);
    });
    const hang = gate('cost', (_cfg, ctx) => {
      started.push(Date.now());
      return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted late'))));
    });
    const t0 = Date.now();
    const report = await runGates({
      registry: new Registry([slow, hang], []),
      loaded: loaded({ tenants: {}, cost: { timeoutSeconds: 0.2 } }),
      secrets,
    });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(Math.abs(started[0] - started[1])).toBeLessThan(100);
    expect(report.results.map((x) => [x.gate, x.status])).toEqual([
      ['tenants', 'PASS'],
      ['cost', 'ERROR'],
    ]);
    expect(report.results[1].summary).toBe('timed out after 0.2 s (raise gates.cost.timeoutSeconds if the system is just slow)');
    expect(report.verdict).toBe('NOT READY');
  });

  it('turns an exception into ERROR naming the cause, with secrets redacted', async () => {
    registerSecret('hunter2-secret');
    const boom = gate('tenants', async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', address: '10.0.0.5', port: 5432 });
    });
    const leak = gate('cost', async () => {
      throw new Error('login failed for postgres://app:hunter2-secret@db/x and key hunter2-secret');
    });
    const report = await runGates({ registry: new Registry([boom, leak], []), loaded: loaded({ tenants: {}, cost: {} }), secrets });
    expect(report.results[0]).toMatchObject({ status: 'ERROR', summary: 'connection refused to 10.0.0.5:5432 (ECONNREFUSED)' });
    expect(report.results[1].status).toBe('ERROR');
    expect(JSON.stringify(report)).not.toContain('hunter2-secret');
  });

  it('skips unconfigured gates with their hint, leaves disabled and unselected ones out', async () => {
    const ran: string[] = [];
    const mk = (id: 'tenants' | 'cost' | 'config') => gate(id, async () => (ran.push(id), outcomeFromCriteria([c('PASS')])));
    const report = await runGates({
      registry: new Registry([mk('tenants'), mk('cost'), mk('config')], []),
      loaded: loaded({ cost: { enabled: false } }, { tenants: 'set DATABASE_URL' }),
      secrets,
    });
    expect(ran).toEqual([]);
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ gate: 'tenants', status: 'SKIP', summary: 'set DATABASE_URL' });

    const only = await runGates({
      registry: new Registry([mk('tenants'), mk('config')], []),
      loaded: loaded({ tenants: {}, config: {} }),
      only: ['config'],
      secrets,
    });
    expect(only.results.map((x) => x.gate)).toEqual(['config']);
  });
});

describe('redaction', () => {
  it('hides URL credentials wherever a URL starts, and registered secrets', () => {
    registerSecret('tok-123456');
    expect(redact('see postgres://app:pw@db:5432/x, https://u:tok-123456@h/p and token tok-123456')).toBe(
      'see postgres://app:***@db:5432/x, https://u:***@h/p and token ***',
    );
  });
  it('leaves text without URLs alone, however long its runs of letters', () => {
    const text = `${'a'.repeat(50_000)} ${'b.'.repeat(20_000)}`;
    expect(redact(text)).toBe(text);
  });
});
