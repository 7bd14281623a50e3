/**
 * The deploy-time decision, pure: the newest verdict of each required gate, the acknowledgements
 * and the time in; SUCCESS or FAILED with the message CloudFormation shows out. A guarded stack is
 * let through only when every required gate's newest verdict is PASS and recent enough, or the
 * gate is covered by an active acknowledgement. When the history cannot be read the answer is
 * FAILED; what CloudFormation then does is the hook's FailureMode (FAIL blocks, WARN continues
 * with the message as a warning) — never a silent SUCCESS.
 */
import { classifyAcknowledgements, describeAcknowledgement, isActive, type Acknowledgement, type AcknowledgementStatus } from '../core/acknowledgements';
import type { GateId } from '../core/gate';
import { redact } from '../core/redact';
import type { LatestVerdict, ReadinessHistory } from './history';

export type FailureMode = 'FAIL' | 'WARN';
export type HookOperation = 'CREATE' | 'UPDATE' | 'DELETE';

/** CloudFormation truncates a hook's message to this many characters for CloudFormation operations. */
export const HOOK_MESSAGE_LIMIT = 4096;
/** Each gate's reason in the message is cut to this length, so that four gates, acknowledgements and the dashboard fit. */
const REASON_LIMIT = 500;

export interface RequiredGate {
  id: GateId;
  /** A newest verdict older than this is stale: the gate is not passing. */
  maxAgeHours: number;
}

export interface DecisionInput {
  operation: HookOperation;
  /** What is being deployed, for the message: `stack acme-rag-billing`, `change set arn:…`. */
  target: string;
  suite: string;
  gates: readonly RequiredGate[];
  /** What was read, or why it could not be. Not needed (nor consulted) for DELETE; for CREATE and UPDATE its absence is an unread history. */
  history?: ReadinessHistory | { error: string };
  failureMode: FailureMode;
  dashboardUrl?: string;
  now: Date;
}

/** How one required gate stands: its newest verdict PASS and fresh, not PASS, too old, or absent. */
export type GateState = 'passing' | 'not passing' | 'stale' | 'missing';

export interface GateFinding {
  gate: GateId;
  state: GateState;
  /** One line: status, age and reason. */
  detail: string;
  /** The active acknowledgement that excuses a gate not passing. */
  acknowledgedBy?: Acknowledgement;
}

export interface HookDecision {
  hookStatus: 'SUCCESS' | 'FAILED';
  /** `NonCompliant`: evaluated and not ready. `InternalFailure`: could not be evaluated. */
  errorCode?: 'NonCompliant' | 'InternalFailure';
  message: string;
  findings: GateFinding[];
  acknowledgements: AcknowledgementStatus[];
}

export function decide(input: DecisionInput): HookDecision {
  const { suite, target, now } = input;
  if (input.operation === 'DELETE') {
    return { hookStatus: 'SUCCESS', message: `saas-readiness: ${target} is being deleted; deletes are never held.`, findings: [], acknowledgements: [] };
  }
  const history = input.history ?? { error: 'the history was not read' };
  if ('error' in history) {
    return {
      hookStatus: 'FAILED',
      errorCode: 'InternalFailure',
      message: clamp([
        `saas-readiness: readiness of suite ${suite} is unknown for ${target}: the history could not be read (${history.error}).`,
        consequence(input.failureMode, 'unverified'),
        dashboardLine(input.dashboardUrl),
      ]),
      findings: [],
      acknowledgements: [],
    };
  }
  const { verdicts, acknowledgements } = history;
  const findings = input.gates.map((g) => findingOf(g, verdicts[g.id], acknowledgements, now));
  const classified = classifyAcknowledgements(
    acknowledgements,
    (gate) => {
      const f = findings.find((x) => x.gate === gate);
      return !f ? 'not evaluated' : f.state === 'passing' ? 'passing' : 'not passing';
    },
    now,
  );
  const blocking = findings.filter((f) => f.state !== 'passing' && !f.acknowledgedBy);
  const excused = findings.filter((f) => f.state !== 'passing' && f.acknowledgedBy);
  const ackLines = classified.filter((a) => a.state !== 'in use').map((a) => `• acknowledgement ${describeAcknowledgement(a)}`);

  if (blocking.length === 0) {
    const head = excused.length
      ? `saas-readiness: suite ${suite} is NOT READY, but every gate not passing is acknowledged; ${target} proceeds under break-glass.`
      : `saas-readiness: suite ${suite} is READY for ${target}: ${findings.map((f) => f.gate).join(', ')} passing with recent verdicts.`;
    return {
      hookStatus: 'SUCCESS',
      message: clamp([head, ...findings.map(gateLine), ...ackLines, dashboardLine(input.dashboardUrl)]),
      findings,
      acknowledgements: classified,
    };
  }
  const names = blocking.map((f) => f.gate).join(', ');
  return {
    hookStatus: 'FAILED',
    errorCode: 'NonCompliant',
    message: clamp([
      `saas-readiness: suite ${suite} is NOT READY: ${names} not passing; ${target} is held.`,
      ...findings.map(gateLine),
      ...ackLines,
      consequence(input.failureMode, 'not ready'),
      `Fix the gates, or break glass: saas-readiness ack --gate ${blocking[0].gate} --owner <you> --reason "<why>" --expires 4h`,
      dashboardLine(input.dashboardUrl),
    ]),
    findings,
    acknowledgements: classified,
  };
}

function findingOf(gate: RequiredGate, verdict: LatestVerdict | undefined, acks: readonly Acknowledgement[], now: Date): GateFinding {
  const acknowledgedBy = acks.filter((a) => a.gate === gate.id && isActive(a, now)).sort((a, b) => b.validUntil.localeCompare(a.validUntil))[0];
  const withAck = (f: GateFinding): GateFinding => (f.state !== 'passing' && acknowledgedBy ? { ...f, acknowledgedBy } : f);
  if (!verdict) {
    return withAck({ gate: gate.id, state: 'missing', detail: 'no verdict in the history (the gate has not run, or its records expired)' });
  }
  const ageHours = (now.getTime() - Date.parse(verdict.at)) / 3_600_000;
  const when = `${verdict.at} (${age(ageHours)} ago)`;
  const reason = cut(redact(verdict.summary));
  if (verdict.status !== 'PASS') return withAck({ gate: gate.id, state: 'not passing', detail: `${verdict.status} at ${when}: ${reason}` });
  if (ageHours > gate.maxAgeHours) {
    return withAck({
      gate: gate.id,
      state: 'stale',
      detail: `newest verdict PASS at ${when} is older than the allowed ${gate.maxAgeHours} h: the gate has stopped reporting`,
    });
  }
  return { gate: gate.id, state: 'passing', detail: `PASS at ${when}` };
}

function gateLine(f: GateFinding): string {
  const mark = f.state === 'passing' ? '✓' : f.acknowledgedBy ? '⚠' : '✗';
  const ack = f.acknowledgedBy
    ? ` — acknowledged by ${f.acknowledgedBy.owner} until ${f.acknowledgedBy.validUntil}: ${cut(redact(f.acknowledgedBy.reason))}`
    : '';
  return `${mark} ${f.gate}: ${f.detail}${ack}`;
}

function consequence(mode: FailureMode, what: 'not ready' | 'unverified'): string {
  return mode === 'FAIL'
    ? 'FailureMode FAIL: CloudFormation stops this operation.'
    : `FailureMode WARN: CloudFormation continues with this warning; the deployment is ${what === 'not ready' ? 'going ahead while the suite is NOT READY' : 'NOT verified'}.`;
}

function dashboardLine(url: string | undefined): string {
  return url ? `Dashboard: ${url}` : '';
}

function age(hours: number): string {
  if (hours < 1) return `${Math.max(0, Math.round(hours * 60))} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

function cut(text: string, limit = REASON_LIMIT): string {
  const one = text.replace(/\s*\n\s*/g, ' ');
  return one.length > limit ? `${one.slice(0, limit - 1)}…` : one;
}

/**
 * Joins the lines and keeps the whole within {@link HOOK_MESSAGE_LIMIT}: the first line (the
 * verdict) and the last (the dashboard) are kept whole; the lines between are shortened first.
 */
function clamp(lines: string[]): string {
  const present = lines.filter(Boolean);
  const text = redact(present.join('\n'));
  if (text.length <= HOOK_MESSAGE_LIMIT) return text;
  const head = present.slice(0, 1);
  const tail = present.length > 1 ? [present[present.length - 1]] : [];
  const middle = present.slice(head.length, present.length - tail.length);
  const room = HOOK_MESSAGE_LIMIT - [...head, ...tail].join('\n').length - (middle.length + tail.length) - 1;
  const each = Math.max(20, Math.floor(room / Math.max(1, middle.length)));
  const shortened = redact([...head, ...middle.map((l) => cut(l, each)), ...tail].join('\n'));
  return shortened.length <= HOOK_MESSAGE_LIMIT ? shortened : `${shortened.slice(0, HOOK_MESSAGE_LIMIT - 1)}…`;
}
