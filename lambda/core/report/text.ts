import { escapeControl } from '../redact';
import type { RunReport } from '../runner';
import type { Status } from '../result';
import { acknowledgementHeading, acknowledgementLines } from './acknowledgements';
import { describeChange } from '../changes';

const MARK: Record<Status, string> = { PASS: '✓', FAIL: '✗', SKIP: '⚠', ERROR: '✗' };
const COLOR: Record<Status, string> = { PASS: '32', FAIL: '31', SKIP: '33', ERROR: '35' };

export interface TextOptions {
  color?: boolean;
  /** Show each criterion and the evidence under the gate line. Default true. */
  details?: boolean;
}

/**
 * The report for people: one ✓ / ✗ / ⚠ line per gate with the reason, details indented, then the
 * verdict. Control characters in what the systems reported are escaped; only the colours are ours.
 */
export function renderText(report: RunReport, opts: TextOptions = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\x1b[${code}m${escapeControl(s)}\x1b[0m` : escapeControl(s));
  const width = Math.max(...report.results.map((r) => r.gate.length), 5);
  const lines: string[] = [
    escapeControl(
      `saas-readiness ${report.tool.version} · suite ${report.suite}${report.configFile ? ` · ${report.configFile}` : ' · zero-config (environment)'}`,
    ),
    '',
  ];
  for (const r of report.results) {
    const head = `${MARK[r.status]} ${r.gate.padEnd(width)}  ${r.status.padEnd(5)}  ${r.summary}`;
    lines.push(paint(COLOR[r.status], head));
    if (opts.details === false) continue;
    for (const c of r.criteria) {
      lines.push(escapeControl(`    ${MARK[c.status]} ${c.title}: ${c.summary}`));
      for (const e of c.evidence ?? []) lines.push(escapeControl(`        ${e}`));
    }
    for (const e of r.evidence) lines.push(escapeControl(`    · ${e}`));
    if (r.remediation && r.remediation !== r.summary) lines.push(escapeControl(`    → ${r.remediation}`));
  }
  if (report.acknowledgements)
    lines.push('', acknowledgementHeading(report.acknowledgements), ...acknowledgementLines(report.acknowledgements).map((l) => `  ${l}`));
  if (report.changes) lines.push('', ...changesText(report));
  lines.push('');
  const verdict = report.verdict === 'READY' ? paint('32;1', 'READY') : paint('31;1', 'NOT READY');
  lines.push(`${verdict} — ${escapeControl(report.verdictReason)} (${(report.durationMs / 1000).toFixed(1)} s)`);
  return `${lines.join('\n')}\n`;
}

function changesText(report: RunReport): string[] {
  const c = report.changes!;
  const head = `What changed since the previous run (${c.history}):`;
  if (c.changes.length === 0) {
    return [`${head} nothing${c.firstRuns.length ? `; first run of ${c.firstRuns.join(', ')}` : ''}`];
  }
  return [
    head,
    ...c.changes.flatMap((g) => describeChange(g).map((l) => `  ${l}`)),
    ...(c.firstRuns.length ? [`  first run of ${c.firstRuns.join(', ')}`] : []),
  ];
}
