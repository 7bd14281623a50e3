/**
 * `saas-readiness diff`: what changed between the two newest recorded runs of each gate, read
 * from the history (no gate is run, nothing but the history is contacted).
 */
import { compareGate, describeChange, gateTimeline, isRegression, type RunChanges } from '../core/changes';
import type { HistoryStore } from '../core/history';

/** How far back `diff` reads; the deployed history keeps 400 days. */
const DIFF_LOOKBACK_DAYS = 400;

export async function diffRuns(store: HistoryStore, suite: string, gates: readonly string[], now: Date): Promise<RunChanges> {
  const since = new Date(now.getTime() - DIFF_LOOKBACK_DAYS * 86_400_000).toISOString();
  const out: RunChanges = { history: store.describe(), compared: [], firstRuns: [], changes: [] };
  for (const gate of gates) {
    const runs = await gateTimeline(store, suite, gate, since);
    if (runs.length < 2) {
      if (runs.length === 1) out.firstRuns.push(gate);
      continue;
    }
    out.compared.push(gate);
    const change = compareGate(runs[runs.length - 2], runs[runs.length - 1]);
    if (change) out.changes.push(change);
  }
  return out;
}

export function renderDiffText(diff: RunChanges, suite: string): string {
  const lines = [`saas-readiness diff · suite ${suite} · ${diff.history}`, ''];
  if (diff.compared.length === 0) {
    lines.push(
      diff.firstRuns.length
        ? `Only one recorded run of ${diff.firstRuns.join(', ')}: nothing to compare with yet.`
        : 'No recorded runs. Record them with `saas-readiness run --history …` (or point --history at the deployed history table).',
    );
    return `${lines.join('\n')}\n`;
  }
  if (diff.changes.length === 0) lines.push(`No change in ${diff.compared.join(', ')} since the previous run.`);
  for (const change of diff.changes) lines.push(...describeChange(change));
  if (diff.firstRuns.length) lines.push('', `Only one recorded run of ${diff.firstRuns.join(', ')}.`);
  lines.push('', diff.changes.some(isRegression) ? 'REGRESSED — something newly fails or left the tolerance' : 'NO REGRESSION');
  return `${lines.join('\n')}\n`;
}
