/**
 * GitHub Actions output: workflow commands that the runner turns into annotations, and the
 * Markdown report for the job summary. The grammar and its escaping are written down, with
 * links, in docs/contracts/github-actions.md.
 */
import type { Criterion, Status } from '../result';
import type { RunReport } from '../runner';

/** GitHub keeps at most this many annotations of one kind per step; the rest are dropped silently. */
export const ANNOTATIONS_PER_KIND = 10;
/** A step summary larger than this (1 MiB) is refused as a whole by the runner. */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export type AnnotationKind = 'error' | 'warning' | 'notice';

/** Where a gate is configured, for the annotation's `file` and `line` (paths relative to the workspace). */
export type GateLocator = (gate: string) => { file: string; line?: number } | undefined;

export interface WorkflowCommand {
  kind: AnnotationKind;
  properties: { file?: string; line?: number; title: string };
  message: string;
}

/** Escapes the message part of a workflow command: `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value: as data, plus `:` and `,` (which delimit properties). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatCommand(cmd: WorkflowCommand): string {
  const props = [
    ...(cmd.properties.file ? [`file=${escapeProperty(cmd.properties.file)}`] : []),
    ...(cmd.properties.file && cmd.properties.line ? [`line=${cmd.properties.line}`] : []),
    `title=${escapeProperty(cmd.properties.title)}`,
  ];
  return `::${cmd.kind} ${props.join(',')}::${escapeData(cmd.message)}`;
}

/** FAIL and ERROR are errors; SKIP a warning (a notice in learning mode, where it does not fail the run). */
function kindOf(status: Status, allowSkip: boolean): AnnotationKind | undefined {
  if (status === 'FAIL' || status === 'ERROR') return 'error';
  if (status === 'SKIP') return allowSkip ? 'notice' : 'warning';
  return undefined;
}

function criterionMessage(c: Criterion): string {
  return [`${c.status}: ${c.summary}`, ...(c.evidence ?? []).slice(0, 5), ...(c.remediation ? [`Fix: ${c.remediation}`] : [])].join('\n');
}

/**
 * One annotation per criterion that did not pass (a gate without criteria gets one for itself),
 * titled `saas-readiness <gate> › <criterion>`. Errors come first; beyond
 * {@link ANNOTATIONS_PER_KIND} of a kind, one notice says how many more are in the summary.
 */
export function workflowCommands(report: RunReport, locate: GateLocator = () => undefined): WorkflowCommand[] {
  const all: WorkflowCommand[] = [];
  for (const r of report.results) {
    const where = locate(r.gate);
    const base = where ? { file: where.file, ...(where.line ? { line: where.line } : {}) } : {};
    const failing = r.criteria.filter((c) => c.status !== 'PASS');
    if (failing.length === 0) {
      const kind = kindOf(r.status, report.allowSkip);
      if (!kind) continue;
      const message = [
        `${r.status}: ${r.summary}`,
        ...r.evidence.slice(0, 5),
        ...(r.remediation && r.remediation !== r.summary ? [`Fix: ${r.remediation}`] : []),
      ].join('\n');
      all.push({ kind, properties: { ...base, title: `saas-readiness ${r.gate}: ${r.title}` }, message });
      continue;
    }
    for (const c of failing) {
      const kind = kindOf(c.status, report.allowSkip)!;
      all.push({ kind, properties: { ...base, title: `saas-readiness ${r.gate} › ${c.title}` }, message: criterionMessage(c) });
    }
  }
  const order: AnnotationKind[] = ['error', 'warning', 'notice'];
  const out: WorkflowCommand[] = [];
  const dropped: string[] = [];
  for (const kind of order) {
    const ofKind = all.filter((c) => c.kind === kind);
    out.push(...ofKind.slice(0, ANNOTATIONS_PER_KIND));
    if (ofKind.length > ANNOTATIONS_PER_KIND) dropped.push(`${ofKind.length - ANNOTATIONS_PER_KIND} ${kind}(s)`);
  }
  if (dropped.length) {
    out.push({
      kind: 'notice',
      properties: { title: 'saas-readiness: more findings' },
      message: `${dropped.join(' and ')} not annotated (GitHub shows ${ANNOTATIONS_PER_KIND} per kind and step); the job summary lists every gate and criterion.`,
    });
  }
  return out;
}

/** Workflow commands, then the verdict as a plain log line. */
export function renderGithub(report: RunReport, locate?: GateLocator): string {
  const lines = workflowCommands(report, locate).map(formatCommand);
  lines.push(`saas-readiness: ${report.verdict} — ${report.verdictReason}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The Markdown for `GITHUB_STEP_SUMMARY`, cut to the step-summary limit at a line boundary with a
 * closing note, so an oversized report never makes the runner drop the summary altogether.
 */
export function fitStepSummary(markdown: string, limitBytes = STEP_SUMMARY_LIMIT_BYTES): string {
  if (Buffer.byteLength(markdown) <= limitBytes) return markdown;
  const note = '\n\n_Report cut here: a job summary may hold at most 1 MiB. The full report is in report.md (`--out`)._\n';
  const budget = limitBytes - Buffer.byteLength(note);
  const lines = markdown.split('\n');
  let size = 0;
  let kept = 0;
  for (; kept < lines.length; kept++) {
    const next = Buffer.byteLength(lines[kept]) + 1;
    if (size + next > budget) break;
    size += next;
  }
  return lines.slice(0, kept).join('\n') + note;
}
