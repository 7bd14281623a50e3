/**
 * What `run` does with a report besides printing it: compare it with the history and record it
 * (`--history`), and point GitHub annotations at the config file.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { changesSince, gateTimeline, recordRun, type GateRecord } from '../core/changes';
import { describeError } from '../core/errors';
import type { LoadedConfig } from '../core/config/types';
import { locateLine } from '../core/config/locate';
import type { HistoryStore } from '../core/history';
import { redact } from '../core/redact';
import type { GateLocator } from '../core/report/github';
import type { RunReport } from '../core/runner';

/** Days of history drawn in the HTML report's status-over-time chart. */
export const TIMELINE_DAYS = 30;

/**
 * Sets `report.changes` from the previous run of each gate and returns the recorded runs for the
 * timeline chart. A history that cannot be read is reported on stderr and leaves the report
 * without the comparison; it never changes the verdict.
 */
export async function compareWithHistory(
  report: RunReport,
  store: HistoryStore,
  now: Date,
  warn: (line: string) => void,
): Promise<Record<string, GateRecord[]> | undefined> {
  try {
    report.changes = await changesSince(store, report.suite, report.results, now);
    const since = new Date(now.getTime() - TIMELINE_DAYS * 86_400_000).toISOString();
    const timelines: Record<string, GateRecord[]> = {};
    for (const r of report.results) timelines[r.gate] = await gateTimeline(store, report.suite, r.gate, since);
    return timelines;
  } catch (err) {
    warn(`saas-readiness: could not read the history (${store.describe()}): ${redact(describeError(err))}; the report has no "what changed" section`);
    return undefined;
  }
}

/** Appends this run to the history, one record per gate; a failure is reported, not fatal. */
export async function recordInHistory(report: RunReport, store: HistoryStore, warn: (line: string) => void): Promise<void> {
  try {
    await recordRun(store, report.suite, report.results, 'cli', randomBytes(6).toString('hex'));
  } catch (err) {
    warn(`saas-readiness: could not record this run in the history (${store.describe()}): ${redact(describeError(err))}`);
  }
}

/**
 * Annotations point at the gate's block in readiness.yaml, as a path relative to the workspace
 * (`GITHUB_WORKSPACE`, else the working directory); zero-config runs have no file to point at.
 */
export function gateLocator(loaded: LoadedConfig, cwd: string, env: NodeJS.ProcessEnv): GateLocator {
  if (!loaded.file) return () => undefined;
  const file = loaded.file;
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  const root = env.GITHUB_WORKSPACE ?? cwd;
  const rel = relative(root, file);
  const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split('\\').join('/') : file;
  return (gate) => {
    const line = text ? locateLine(text, ['gates', gate]) : undefined;
    return { file: shown, ...(line ? { line } : {}) };
  };
}
