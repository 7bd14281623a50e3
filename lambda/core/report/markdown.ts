import { escapeControl } from '../redact';
import type { RunReport } from '../runner';
import type { Status } from '../result';

const ICON: Record<Status, string> = { PASS: '✅', FAIL: '❌', SKIP: '⚠️', ERROR: '⛔' };

/** One table cell or list item: pipes escaped, one line, control characters shown as escapes. */
function cell(s: string): string {
  return escapeControl(s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' '));
}

/** Markdown for pull-request comments and job summaries. */
export function renderMarkdown(report: RunReport): string {
  const out: string[] = [
    `## saas-readiness: ${report.verdict === 'READY' ? '✅ READY' : '❌ NOT READY'}`,
    '',
    `Suite \`${cell(report.suite)}\` — ${cell(report.verdictReason)}.`,
    '',
    '| | Gate | Status | Summary |',
    '|---|---|---|---|',
    ...report.results.map((r) => `| ${ICON[r.status]} | ${cell(r.title)} (\`${r.gate}\`) | ${r.status} | ${cell(r.summary)} |`),
  ];
  for (const r of report.results) {
    if (r.criteria.length === 0 && r.evidence.length === 0 && !r.remediation) continue;
    out.push('', `### ${ICON[r.status]} ${cell(r.title)}`, '');
    for (const c of r.criteria) {
      out.push(`- ${ICON[c.status]} **${cell(c.title)}** — ${cell(c.summary)}`);
      for (const e of c.evidence ?? []) out.push(`  - ${cell(e)}`);
    }
    for (const e of r.evidence) out.push(`- ${cell(e)}`);
    if (r.remediation) out.push('', `**Fix:** ${cell(r.remediation)}`);
  }
  return out.join('\n') + '\n';
}
