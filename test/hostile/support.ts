import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { runCli, type CliRun } from '../support/cli';

/**
 * Helpers of the hostile-input suite. Every case asserts what the issue asks of each hole: an exit
 * code of 0, 1 or 2 only (or the interrupt's 130/143), one clear line naming file, line and field,
 * no secret anywhere in the output, and a bounded wall time (generous: the machine is shared).
 */

/** Wall-time bound of an in-process case: what used to take a minute must now take well under one. */
export const IN_PROCESS_BOUND_MS = 5_000;

export interface TimedRun extends CliRun {
  ms: number;
}

/** The CLI in-process, timed. */
export async function timedCli(args: string[], opts: Parameters<typeof runCli>[1] = {}): Promise<TimedRun> {
  const t0 = Date.now();
  const out = await runCli(args, opts);
  return { ...out, ms: Date.now() - t0 };
}

/** Exit 2 with exactly one line on stderr, nothing on stdout, that line matching `line`. */
export function expectUsageError(run: TimedRun, line: RegExp): void {
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(line) });
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr.length).toBeLessThan(2_000);
  expect(run.ms).toBeLessThan(IN_PROCESS_BOUND_MS);
}

let bundle: Promise<string> | undefined;

/** bin/cli.ts bundled once with esbuild (packages stay in node_modules): starts in a fraction of `--import tsx`. */
export function cliBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sr-hostile-'));
    const outfile = join(dir, 'cli.cjs');
    await build({
      entryPoints: [join(__dirname, '../../bin/cli.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      outfile,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundle;
}

export interface SpawnedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs the bundled CLI in its own process with a heap capped at `heapMb` (a blow-up dies instead
 * of exhausting the machine) and kills it after `killAfterMs`. `onStderr` sees stderr as it comes,
 * with the child, to signal it at a chosen point.
 */
export async function spawnCli(
  args: string[],
  opts: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    heapMb?: number;
    killAfterMs?: number;
    onStderr?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<SpawnedRun> {
  const cli = await cliBundle();
  const t0 = Date.now();
  const child = spawn(process.execPath, [`--max-old-space-size=${opts.heapMb ?? 192}`, cli, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH, NODE_PATH: join(__dirname, '../../node_modules'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    opts.onStderr?.(stderr, child);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  return { code, signal, stdout, stderr, ms: Date.now() - t0 };
}
