import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { serverReachable, startServerDatabase } from '../test/standins/postgresql';

export const ROOT = join(__dirname, '..');

/** Builds dist/ once so measured processes run the compiled package, as users run it. */
export function ensureBuilt(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

export interface ProcessMeasurement {
  wallMs: number;
  peakRssMb: number;
  output: string;
}

/**
 * Runs `node -e <script>` in a fresh process and reports its wall time and peak RSS (the
 * process's own high-water mark, so databases and emulators in other processes are not counted).
 */
export function measureNode(script: string, env: NodeJS.ProcessEnv = {}): Promise<ProcessMeasurement> {
  // VmHWM is the peak since exec; getrusage's maxRSS can carry the parent's size over from fork.
  const wrapped = `${script}
;process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  process.stderr.write('\\n@@rss ' + kb + '\\n');
});`;
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', wrapped], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /@@rss (\d+)/.exec(err);
      if (!rss) return reject(new Error(`measured process failed (exit ${code}): ${err.slice(-2000)}`));
      resolve({ wallMs, peakRssMb: Number(rss[1]) / 1024, output: out });
    });
  });
}

/** Median of a few runs of an async step, in ms. */
export async function medianMs(runs: number, step: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    await step();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export const fmt = {
  ms: (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`),
  mb: (v: number) => `${v.toFixed(0)} MB`,
  ratio: (a: number, b: number) => `${(a / b).toFixed(2)}×`,
};

/** PGlite over the wire protocol in a process of its own (bench/pglite-process.ts). */
export function startPgliteProcess(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'pglite-process.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve({ url: String(d).trim(), child }));
    child.once('exit', (code) => reject(new Error(`PGlite process exited ${code}`)));
  });
}

export interface BenchDatabase {
  store: string;
  url: string;
  /** Runs SQL as the owner. */
  exec(sql: string): Promise<unknown>;
  drop(): Promise<void>;
}

/** A fresh database on the local PostgreSQL server, dropped by drop(); undefined when none is reachable. */
export async function serverDatabase(): Promise<BenchDatabase | undefined> {
  if (!(await serverReachable())) return undefined;
  const db = await startServerDatabase();
  return { store: 'PostgreSQL server', url: db.url, exec: db.exec, drop: db.stop };
}
