/**
 * What users feel, measured side by side (start-up, gates at scale, synth, bundles): each row runs two whole processes — what a user runs,
 * and its baseline — alternating in one loop (A B A B …), each under `/usr/bin/time -v` (wall time
 * and peak RSS as the kernel reports them for the whole process). Medians and ranges of the runs.
 * A row whose baseline is missing here (no psql, no PostgreSQL server) is skipped with a note.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile } from '../lambda/core/config/load';
import { BUILT_IN } from '../lambda/registry';
import { planDeployment } from '../lib/deployment-plan';
import { buildGateBundle } from '../lib/gate-bundle';
import { ROOT, serverDatabase } from './measure';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const CLI = join(ROOT, 'dist', 'bin', 'cli.js');

interface Run {
  wallMs: number;
  rssMb: number;
}

/** One whole process under /usr/bin/time -v: elapsed wall clock and maximum resident set size. */
function timed(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; okCodes?: number[] } = {}, retry = true): Run {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const err = r.stderr ?? '';
  // A process killed by a signal from outside (another job on a shared machine) is run again once.
  if (r.status === null && retry) return timed(cmd, args, opts, false);
  if (!(opts.okCodes ?? [0]).includes(r.status ?? -1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? `on ${r.signal}`}: ${err.slice(-800)}`);
  const elapsed = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(err);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
  if (!elapsed || !rss) throw new Error(`no /usr/bin/time -v figures for ${cmd}`);
  const wallMs = ((Number(elapsed[1] ?? 0) * 60 + Number(elapsed[2])) * 60 + Number(elapsed[3])) * 1000;
  return { wallMs: elapsed[1] ? wallMs : (Number(elapsed[2]) * 60 + Number(elapsed[3])) * 1000, rssMb: Number(rss[1]) / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

export interface SideBySideRow {
  measure: string;
  command: string;
  baseline: string;
  'command median ms (range)': string;
  'baseline median ms (range)': string;
  ratio: string;
  'peak RSS MB (command)': string;
  target: string;
  met: string;
}

function sideBySide(
  measure: string,
  target: number,
  a: { label: string; run: () => Run },
  b: { label: string; run: () => Run },
  rssTargetMb?: number,
): SideBySideRow {
  a.run();
  b.run(); // warm the file cache for both before measuring
  const as: Run[] = [];
  const bs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    as.push(a.run());
    bs.push(b.run());
  }
  const am = median(as.map((r) => r.wallMs));
  const bm = median(bs.map((r) => r.wallMs));
  const rss = Math.max(...as.map((r) => r.rssMb));
  const ratio = am / bm;
  const met = ratio <= target && (rssTargetMb === undefined || rss <= rssTargetMb);
  return {
    measure,
    command: a.label,
    baseline: b.label,
    'command median ms (range)': `${am.toFixed(0)} (${range(as.map((r) => r.wallMs))})`,
    'baseline median ms (range)': `${bm.toFixed(0)} (${range(bs.map((r) => r.wallMs))})`,
    ratio: `${ratio.toFixed(2)}×`,
    'peak RSS MB (command)': rss.toFixed(0),
    target: `≤ ${target}×${rssTargetMb ? `, ≤ ${rssTargetMb} MB` : ''}`,
    met: met ? 'yes' : 'no',
  };
}

const hasPsql = () => spawnSync('psql', ['--version']).status === 0;

export async function benchSideBySide(): Promise<{ rows: SideBySideRow[]; notes: string[]; load: string }> {
  const notes: string[] = [];
  const rows: SideBySideRow[] = [];
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const bare = { label: 'node -e 0', run: () => timed(process.execPath, ['-e', '0']) };

  rows.push(sideBySide('start-up: --version', 1.5, { label: 'saas-readiness --version', run: () => timed(process.execPath, [CLI, '--version']) }, bare));
  rows.push(
    sideBySide(
      'start-up: validate',
      2,
      { label: 'saas-readiness validate (example readiness.yaml)', run: () => timed(process.execPath, [CLI, 'validate']) },
      bare,
    ),
  );

  const plan = planDeployment(loadConfigFile(BUILT_IN, join(ROOT, 'readiness.yaml'), { resolveEnv: false, env: {} }), { historyTable: 'History' });
  const bundles = mkdtempSync(join(tmpdir(), 'sr-bench-15-'));
  try {
    for (const gate of plan.gates) {
      buildGateBundle(gate.bundle, join(bundles, gate.id));
      const entry = join(bundles, gate.id, 'index.js');
      rows.push(
        sideBySide(
          `gate bundle load: ${gate.id}`,
          1.5,
          { label: `node -e "require('<${gate.id} bundle>')"`, run: () => timed(process.execPath, ['-e', `require(${JSON.stringify(entry)})`]) },
          bare,
        ),
      );
    }
  } finally {
    rmSync(bundles, { recursive: true, force: true });
  }

  const db = hasPsql() ? await serverDatabase() : undefined;
  if (!db) {
    notes.push('gates 1 and 3 against psql: skipped (no psql client or no PostgreSQL server at 127.0.0.1:5432 on this machine)');
    return { rows, notes, load };
  }
  const work = mkdtempSync(join(tmpdir(), 'sr-bench-15-run-'));
  try {
    const n = 100_000;
    await db.exec(`
CREATE TABLE tenants (tenant_id text PRIMARY KEY, name text, tier text, status text, monthly_token_quota bigint, rate_limit_rpm int);
INSERT INTO tenants SELECT 'tenant-' || lpad(g::text, 7, '0'), 'Tenant ' || g, (ARRAY['free','pro','enterprise'])[1 + g % 3],
  CASE WHEN g % 20 = 0 THEN 'suspended' ELSE 'active' END, 100000 * (1 + g % 3), 20 * (1 + g % 3) FROM generate_series(1, ${n}) g;
CREATE TABLE tenant_configs (tenant_id text PRIMARY KEY, config jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO tenant_configs (tenant_id, config) SELECT tenant_id, jsonb_build_object('tier', tier, 'topK', 8, 'model', 'gpt-4o-mini', 'quotas', jsonb_build_object('rpm', rate_limit_rpm)) FROM tenants;
ANALYZE tenants; ANALYZE tenant_configs;`);
    writeFileSync(
      join(work, 'readiness.yaml'),
      [
        'version: 1',
        'suite: bench',
        'sources:',
        '  appdb: { type: postgres, url: "${env:DATABASE_URL}" }',
        'gates:',
        '  tenants: { source: appdb, timeoutSeconds: 900 }',
        '  config: { source: appdb, timeoutSeconds: 900 }',
        '',
      ].join('\n'),
    );
    mkdirSync(join(work, '.saas-readiness'), { recursive: true });
    const env = { DATABASE_URL: db.url };
    const cli = (gate: string) => () =>
      timed(process.execPath, [CLI, 'run', '--check', gate, '--quiet', '--format', 'json'], { cwd: work, env, okCodes: [0, 1] });
    const psql = (sql: string) => () => timed('psql', [db.url, '-qAt', '-o', '/dev/null', '-c', sql]);
    rows.push(
      sideBySide(
        'gate 1: 100,000 tenants',
        2,
        { label: 'saas-readiness run --check tenants', run: cli('tenants') },
        {
          label: 'psql -c <one hand-written statement>',
          run: psql(`SELECT count(*), count(*) FILTER (WHERE t.status = 'active'), count(*) FILTER (WHERE t.status = 'active' AND c.tenant_id IS NULL),
  count(*) FILTER (WHERE t.status = 'active' AND NOT (COALESCE(t.monthly_token_quota > 0, false) AND COALESCE(t.rate_limit_rpm > 0, false))),
  (SELECT count(*) FROM (SELECT lower(btrim(tenant_id)) FROM tenants WHERE status = 'active' GROUP BY 1 HAVING count(*) > 1) d)
  FROM tenants t LEFT JOIN tenant_configs c USING (tenant_id)`),
        },
      ),
    );
    rows.push(
      sideBySide(
        'gate 3: 100,000 configs (no --out: no artifact)',
        2,
        { label: 'saas-readiness run --check config', run: cli('config') },
        { label: 'psql -c "SELECT tenant_id, config, updated_at FROM tenant_configs"', run: psql('SELECT tenant_id, config, updated_at FROM tenant_configs') },
        256,
      ),
    );
    notes.push(
      'gate 3 ends FAIL on a fresh database (no 30 days of schema history); its time is the whole evaluation. Gate 2 (1,000,000 ledger rows) is measured in its own section below, with the Cost Explorer stand-in it needs.',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
    await db.drop();
  }
  return { rows, notes, load };
}

if (require.main === module) {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  benchSideBySide().then((r) => console.log(JSON.stringify(r, null, 2)));
}
