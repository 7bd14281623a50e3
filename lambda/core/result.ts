/**
 * The result model shared by every gate, the CLI, the Lambda handlers and the reports.
 *
 * A gate is judged on criteria. Each criterion carries its own status and evidence; the gate's
 * status is derived from them by {@link statusOf}, so no gate can PASS unless every criterion it
 * evaluated was measured and met.
 */

export const STATUSES = ['PASS', 'FAIL', 'SKIP', 'ERROR'] as const;
export type Status = (typeof STATUSES)[number];

/** One measured quantity, with the threshold it is judged against where there is one. */
export interface Measurement {
  name: string;
  value: number | string | boolean | null;
  unit?: string;
  /** Human-readable threshold, e.g. ">= 10" or "<= 5%". */
  threshold?: string;
}

/** One criterion of a gate: measured and met (PASS), measured and not met (FAIL), or not evaluable. */
export interface Criterion {
  id: string;
  title: string;
  status: Status;
  /** One line saying what was found. */
  summary: string;
  measurements?: Measurement[];
  /** Supporting facts: counts, names, the first offenders. */
  evidence?: string[];
  /** What to do when this criterion is not met. */
  remediation?: string;
}

/** A file a gate produces for `--out` (e.g. `tenant_costs.csv`). */
export interface Artifact {
  name: string;
  contentType: string;
  content: string;
}

export interface CheckResult {
  gate: string;
  title: string;
  status: Status;
  summary: string;
  criteria: Criterion[];
  /** The gate's key measurements (also emitted as metrics by the deployed stack). */
  measurements: Measurement[];
  evidence: string[];
  remediation?: string;
  startedAt: string;
  durationMs: number;
  artifacts?: Artifact[];
}

/** What a gate returns; the runner adds identity and timing. */
export type GateOutcome = Omit<CheckResult, 'gate' | 'title' | 'startedAt' | 'durationMs'>;

/**
 * The gate status implied by its criteria. A measured negative (FAIL) outranks an unevaluated
 * criterion (ERROR), which outranks SKIP; PASS needs at least one criterion and all of them PASS.
 */
export function statusOf(criteria: readonly Criterion[]): Status {
  if (criteria.length === 0) return 'ERROR';
  if (criteria.some((c) => c.status === 'FAIL')) return 'FAIL';
  if (criteria.some((c) => c.status === 'ERROR')) return 'ERROR';
  if (criteria.some((c) => c.status === 'SKIP')) return 'SKIP';
  return 'PASS';
}

/** Builds a gate outcome from its criteria: status derived, summary from the deciding criteria. */
export function outcomeFromCriteria(
  criteria: Criterion[],
  extra: { measurements?: Measurement[]; evidence?: string[]; artifacts?: Artifact[]; passSummary?: string } = {},
): GateOutcome {
  const status = statusOf(criteria);
  const deciding = status === 'PASS' ? criteria : criteria.filter((c) => c.status === status);
  const summary =
    criteria.length === 0
      ? 'no criterion was evaluated'
      : status === 'PASS' && extra.passSummary
        ? extra.passSummary
        : deciding.map((c) => c.summary).join('; ');
  const remediation = deciding
    .map((c) => c.remediation)
    .filter((r): r is string => Boolean(r))
    .join(' ');
  return {
    status,
    summary,
    criteria,
    measurements: extra.measurements ?? criteria.flatMap((c) => c.measurements ?? []),
    evidence: extra.evidence ?? [],
    ...(status !== 'PASS' && remediation ? { remediation } : {}),
    ...(extra.artifacts ? { artifacts: extra.artifacts } : {}),
  };
}

/** A gate that is not configured: SKIP with the hint saying what to set. */
export function skippedOutcome(hint: string): GateOutcome {
  return { status: 'SKIP', summary: hint, criteria: [], measurements: [], evidence: [], remediation: hint };
}

/** A gate that is configured but could not be evaluated. */
export function errorOutcome(cause: string, remediation?: string): GateOutcome {
  return {
    status: 'ERROR',
    summary: cause,
    criteria: [],
    measurements: [],
    evidence: [],
    ...(remediation ? { remediation } : {}),
  };
}

/** Formats a list of offenders as "a, b, c … (+N more)" showing at most `limit`. */
export function listOffenders(items: readonly string[], total = items.length, limit = 10): string {
  const shown = items.slice(0, limit).join(', ');
  if (!shown) return total > 0 ? `${total} (not named by the source)` : '';
  return total > Math.min(items.length, limit) ? `${shown} … (${total} in total)` : shown;
}
