import { escapeControl } from '../redact';
import type { RunReport } from '../runner';
import type { Status } from '../result';
import { acknowledgementHeading, acknowledgementLines } from './acknowledgements';
import { describeChange } from '../changes';

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
  if (report.changes) out.push('', ...changesMarkdown(report));
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
  if (report.acknowledgements) {
    out.push(
      '',
      '### Acknowledgements',
      '',
      cell(acknowledgementHeading(report.acknowledgements)),
      '',
      ...acknowledgementLines(report.acknowledgements).map((l) => `- ${cell(l)}`),
    );
  }
  return `${out.join('\n')}\n`;
}

function changesMarkdown(report: RunReport): string[] {
  const c = report.changes!;
  const out = ['### What changed since the previous run', ''];
  if (c.changes.length === 0) out.push(`Nothing changed${c.compared.length ? ` in ${c.compared.join(', ')}` : ''}.`);
  for (const g of c.changes) {
    const [head, ...rest] = describeChange(g);
    out.push(`- ${cell(head)}`, ...rest.map((l) => `  - ${cell(l.trim())}`));
  }
  if (c.firstRuns.length) out.push('', `First recorded run of ${c.firstRuns.map((g) => `\`${g}\``).join(', ')}: nothing to compare with.`);
  out.push('', `_Compared with ${cell(c.history)}._`);
  return out;
}
