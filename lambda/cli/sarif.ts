/**
 * `saas-readiness sarif`: runs the user's CDK app the way the CDK CLI does (the `app` command of
 * cdk.json, or `--app`), with the context key that makes the readiness pack write its findings as
 * SARIF, and prints or writes that log. Needs no CDK library itself: the pack, registered in the
 * app with `Validations.of(app).addPlugins(new SaaSReadinessChecks(app))`, writes the file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../core/errors';
import { redact } from '../core/redact';

/** The context key the pack reads (lib/nag/sarif.ts SARIF_CONTEXT_KEY; the CLI does not load aws-cdk-lib). */
const SARIF_CONTEXT_KEY = 'saas-readiness:sarif';
const APP_TIMEOUT_MS = 10 * 60_000;

export interface SarifRun {
  app?: string;
  out?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function cdkJson(cwd: string): { app?: string; context?: Record<string, unknown> } {
  const file = join(cwd, 'cdk.json');
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { app?: string; context?: Record<string, unknown> };
  } catch (err) {
    throw new ConfigError(`cdk.json is not valid JSON: ${(err as Error).message}`, file);
  }
}

/** Exit 0 when every finding is acknowledged (or there is none), 1 when findings are open, 2 when no log was written. */
export async function sarifCommand(run: SarifRun): Promise<number> {
  const project = cdkJson(run.cwd);
  const app = run.app ?? project.app;
  if (!app) throw new ConfigError('sarif: give the CDK app command with --app (e.g. --app "npx tsx bin/app.ts"), or run it where cdk.json names the app');
  const work = mkdtempSync(join(tmpdir(), 'sr-sarif-'));
  const file = join(work, 'readiness.sarif');
  try {
    let context: Record<string, unknown> = { ...(project.context ?? {}) };
    if (run.env.CDK_CONTEXT_JSON) context = { ...context, ...(JSON.parse(run.env.CDK_CONTEXT_JSON) as Record<string, unknown>) };
    const env = { ...run.env, CDK_OUTDIR: join(work, 'cdk.out'), CDK_CONTEXT_JSON: JSON.stringify({ ...context, [SARIF_CONTEXT_KEY]: file }) };
    const { code, output } = await runApp(app, run.cwd, env);
    if (!existsSync(file)) {
      run.stderr(
        `saas-readiness: the app wrote no SARIF (exit ${code}). Register the pack in it: Validations.of(app).addPlugins(new SaaSReadinessChecks(app)).\n` +
          (output.trim() ? `--- last lines of the app's output ---\n${redact(output.trim().split('\n').slice(-15).join('\n'))}\n` : ''),
      );
      return 2;
    }
    const text = readFileSync(file, 'utf8');
    const log = JSON.parse(text) as { runs: { results: { suppressions?: unknown[] }[] }[] };
    const results = log.runs.flatMap((r) => r.results);
    const open = results.filter((r) => !r.suppressions?.length).length;
    if (run.out) {
      writeFileSync(resolve(run.cwd, run.out), text);
      run.stderr(`saas-readiness: wrote ${resolve(run.cwd, run.out)}\n`);
    } else {
      run.stdout(text);
    }
    run.stderr(`saas-readiness: ${open} open readiness finding(s), ${results.length - open} acknowledged\n`);
    return open > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function runApp(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-20_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGTERM'), APP_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ConfigError(`sarif: could not start the app '${command}': ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}
