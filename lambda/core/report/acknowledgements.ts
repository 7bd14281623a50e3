/**
 * The acknowledgements part of every report format: a heading naming where they were read, and
 * one line per acknowledgement with its state (in use, unused, expired). Reports never change a
 * verdict because of an acknowledgement; they show it beside the verdict.
 */
import { describeAcknowledgement, type AcknowledgementSection, type AcknowledgementState } from '../acknowledgements';
import type { RunReport } from '../runner';

export const ACK_MARK: Record<AcknowledgementState, string> = { 'in use': '⚠', unused: '·', expired: '✗' };

/** `Acknowledgements (DynamoDB table x): 1 in use, 1 expired` or the reason they could not be read. */
export function acknowledgementHeading(section: AcknowledgementSection): string {
  if (section.error) return `Acknowledgements could not be read from ${section.source}: ${section.error}`;
  const counts = (['in use', 'unused', 'expired'] as const)
    .map((s) => [s, section.entries.filter((e) => e.state === s).length] as const)
    .filter(([, n]) => n > 0);
  return `Acknowledgements (${section.source}): ${counts.length ? counts.map(([s, n]) => `${n} ${s}`).join(', ') : 'none'}`;
}

/** One line per acknowledgement, marked ⚠ in use, · unused, ✗ expired. */
export function acknowledgementLines(section: AcknowledgementSection): string[] {
  return section.entries.map((e) => `${ACK_MARK[e.state]} ${describeAcknowledgement(e)}`);
}

/** The lines of the acknowledgements of one gate, for that gate's own entry in a report. */
export function gateAcknowledgementLines(report: RunReport, gate: string): string[] {
  const entries = report.acknowledgements?.entries.filter((e) => e.gate === gate) ?? [];
  return entries.map((e) => `Acknowledgement ${describeAcknowledgement(e)}`);
}
