import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANNOTATIONS_PER_KIND, escapeProperty, fitStepSummary, renderGithub, workflowCommands } from '../../lambda/core/report/github';
import { runCli } from '../support/cli';
import { report, result } from './fixtures';

/**
 * The workflow-command grammar of docs/contracts/github-actions.md:
 * `::<command> <key>=<value>,<key>=<value>::<message>` on a line of its own; properties are
 * escaped %→%25, CR→%0D, LF→%0A, :→%3A, ,→%2C and the message %, CR and LF.
 */
const COMMAND = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/;
const decodeProperty = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

function parse(line: string): { kind: string; props: Record<string, string>; message: string } {
  const m = COMMAND.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const props: Record<string, string> = {};
  for (const pair of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`bad property '${pair}' in ${line}`);
    const key = pair.slice(0, eq);
    expect(['file', 'line', 'endLine', 'col', 'endColumn', 'title']).toContain(key);
    props[key] = decodeProperty(pair.slice(eq + 1));
  }
  // The message may contain ':' and ',' but never a raw CR or LF (they would end the command).
  expect(m[3]).not.toMatch(/[\r\n]/);
  return { kind: m[1], props, message: m[3].replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%') };
}

describe('--format github: workflow commands', () => {
  it('annotates each failing criterion with a title per gate and criterion, pointing at the gate in readiness.yaml', () => {
    const r = result('cost', 'FAIL', {
      criteria: [
        { id: 'fresh', title: 'ledger fresh', status: 'PASS', summary: 'fine' },
        {
          id: 'aws-tenants',
          title: 'AWS: tenants, within ±5%',
          status: 'FAIL',
          summary: 'initech: 12% off: 100% sure,\r\nreally',
          evidence: ['tracked $370.48, billed $416.81'],
          remediation: 'Fix the metering.',
        },
      ],
    });
    const out = renderGithub(report([r, result('monitoring', 'SKIP', { summary: 'set DATADOG_API_KEY' })]), (gate) => ({
      file: 'ops/readiness,prod.yaml',
      line: gate === 'cost' ? 12 : undefined,
    }));
    const lines = out.trimEnd().split('\n');
    const [cost, monitoring] = lines.slice(0, 2).map(parse);
    expect(cost).toEqual({
      kind: 'error',
      props: { file: 'ops/readiness,prod.yaml', line: '12', title: 'saas-readiness cost › AWS: tenants, within ±5%' },
      message: 'FAIL: initech: 12% off: 100% sure,\r\nreally\ntracked $370.48, billed $416.81\nFix: Fix the metering.',
    });
    expect(monitoring.kind).toBe('warning');
    expect(monitoring.props).toEqual({ file: 'ops/readiness,prod.yaml', title: 'saas-readiness monitoring: Gate monitoring' });
    expect(lines[2]).toBe('saas-readiness: NOT READY — something is not ready');
  });

  it('escapes every reserved character of a property', () => {
    expect(escapeProperty('a%b:c,d\re\nf')).toBe('a%25b%3Ac%2Cd%0De%0Af');
  });

  it('passes nothing for a passing gate, and notices a SKIP in learning mode', () => {
    expect(workflowCommands(report([result('tenants', 'PASS')]))).toEqual([]);
    expect(workflowCommands(report([result('tenants', 'SKIP')], { allowSkip: true }))[0].kind).toBe('notice');
  });

  it('keeps to the per-step limit of each kind and says how many more there are', () => {
    const many = result('tenants', 'FAIL', {
      criteria: Array.from({ length: 13 }, (_, i) => ({ id: `c${i}`, title: `criterion ${i}`, status: 'FAIL' as const, summary: 'no' })),
    });
    const cmds = workflowCommands(report([many]));
    expect(cmds.filter((c) => c.kind === 'error')).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(cmds[cmds.length - 1]).toMatchObject({ kind: 'notice', message: expect.stringContaining('3 error(s) not annotated') });
  });

  it('cuts a step summary over 1 MiB at a line boundary with a note', () => {
    const big = Array.from({ length: 30_000 }, (_, i) => `- line ${i} ${'x'.repeat(40)}`).join('\n');
    const cut = fitStepSummary(big);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(1024 * 1024);
    expect(cut).toMatch(/- line \d+ x+\n\n_Report cut here/);
    expect(fitStepSummary('# small\n')).toBe('# small\n');
  });
});

describe('saas-readiness run --format github', () => {
  it('writes annotations to stdout, appends the Markdown report to GITHUB_STEP_SUMMARY, and keeps the exit code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-gh-'));
    writeFileSync(
      join(dir, 'readiness.yaml'),
      'version: 1\nsuite: gh\nsources:\n  appdb:\n    type: postgres\n    url: ${env:DATABASE_URL}\n    connectTimeoutSeconds: 2\ngates:\n  tenants:\n    source: appdb\n',
    );
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '## earlier step\n');
    const res = await runCli(['run', '--format', 'github', '--quiet'], {
      cwd: dir,
      env: { DATABASE_URL: 'postgres://app:hunter2secret@127.0.0.1:9/db', GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
    });
    expect(res.code).toBe(1);
    const lines = res.stdout.trimEnd().split('\n');
    const first = parse(lines[0]);
    expect(first.kind).toBe('error');
    expect(first.props).toMatchObject({ file: 'readiness.yaml', line: '9', title: expect.stringMatching(/^saas-readiness tenants/) });
    expect(lines[lines.length - 1]).toMatch(/^saas-readiness: NOT READY — /);
    expect(res.stdout).not.toContain('hunter2secret');
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('## earlier step\n## saas-readiness: ❌ NOT READY')).toBe(true);
    expect(md).not.toContain('hunter2secret');
  });
});
