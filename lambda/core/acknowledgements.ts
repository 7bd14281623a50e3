/**
 * Break-glass acknowledgements: a named owner accepts, for a stated reason and until a set time,
 * that one gate is not passing, so that the deploy-time hook lets guarded stacks through. They
 * never change a verdict: reports still say NOT READY and list every acknowledgement beside it,
 * in use, unused (its gate passes anyway) or expired.
 */
import { ConfigError } from './errors';
import { GATE_ID_PATTERN, type GateId } from './gate';
import { historyKey, type HistoryRecord } from './history';

/** The longest an acknowledgement may run: a week, so that break-glass stays an exception. */
export const ACK_MAX_HOURS = 7 * 24;
/** How long after it expired an acknowledgement is still shown (flagged as expired) in reports and hook answers. */
export const EXPIRED_ACK_SHOWN_DAYS = 30;

/** Shaped like a gate id; which gates exist is the registry's business (the CLI checks `ack --gate` against it). */
const isGateId = (value: string): value is GateId => GATE_ID_PATTERN.test(value);

const OWNER_MAX = 128;
const REASON_MIN = 10;
const REASON_MAX = 500;
// C0 and C1 control characters (line breaks included): an owner and a reason are one line each.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface Acknowledgement {
  gate: GateId;
  /** Who answers for it: a person or team, e.g. `jane@acme.example`. */
  owner: string;
  reason: string;
  /** When it was given (ISO-8601). */
  createdAt: string;
  /** When it stops excusing the gate (ISO-8601). */
  validUntil: string;
}

/**
 * `in use`: active, and its gate is not passing, so it is what lets a deployment through.
 * `unused`: active, but its gate passes (or is not one the reader evaluates); it excuses nothing.
 * `expired`: past `validUntil`; it excuses nothing and is shown for {@link EXPIRED_ACK_SHOWN_DAYS} days.
 */
export type AcknowledgementState = 'in use' | 'unused' | 'expired';

export interface AcknowledgementStatus extends Acknowledgement {
  state: AcknowledgementState;
  /** How its gate stood where it was classified (why an active one is in use or unused). */
  standing: GateStanding;
}

/** The acknowledgements a report shows, and where they were read. */
export interface AcknowledgementSection {
  /** e.g. `DynamoDB table acme-rag-history`. */
  source: string;
  entries: AcknowledgementStatus[];
  /** Why they could not be read; `entries` is then empty. */
  error?: string;
}

/** How the reader sees a gate: passing, not passing, or not evaluated at all. */
export type GateStanding = 'passing' | 'not passing' | 'not evaluated';

/** Input of `saas-readiness ack`, as typed. */
export interface AcknowledgementInput {
  gate?: string;
  owner?: string;
  reason?: string;
  /** An ISO-8601 time with a zone (`2026-12-01T18:00:00Z`) or a duration from now (`4h`, `2d`). */
  expires?: string;
}

/** Validates what was typed and builds the acknowledgement; a ConfigError names the option at fault. */
export function newAcknowledgement(input: AcknowledgementInput, now: Date): Acknowledgement {
  const gate = input.gate?.trim() ?? '';
  if (!gate) throw new ConfigError('--gate is required (the gate this acknowledges)');
  if (!isGateId(gate)) throw new ConfigError(`--gate: unknown gate '${gate}'`);
  const owner = oneLine('--owner', input.owner, 1, OWNER_MAX);
  const reason = oneLine('--reason', input.reason, REASON_MIN, REASON_MAX);
  const validUntil = expiryOf(input.expires, now);
  return { gate, owner, reason, createdAt: now.toISOString(), validUntil: validUntil.toISOString() };
}

function oneLine(option: string, value: string | undefined, min: number, max: number): string {
  const text = value?.trim() ?? '';
  if (!text) throw new ConfigError(`${option} is required`);
  if (CONTROL.test(text)) throw new ConfigError(`${option} must be one line without control characters`);
  if (text.length < min) throw new ConfigError(`${option} must say why in at least ${min} characters (got ${text.length})`);
  if (text.length > max) throw new ConfigError(`${option} is longer than ${max} characters (got ${text.length})`);
  return text;
}

const DURATION = /^(\d{1,4})([hd])$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function expiryOf(raw: string | undefined, now: Date): Date {
  const text = raw?.trim() ?? '';
  if (!text) throw new ConfigError(`--expires is required: a duration (4h, 2d; at most ${ACK_MAX_HOURS / 24}d) or a time with a zone (2026-12-01T18:00:00Z)`);
  let until: Date;
  const duration = DURATION.exec(text);
  if (duration) {
    until = new Date(now.getTime() + Number(duration[1]) * (duration[2] === 'd' ? 24 : 1) * 3_600_000);
  } else if (ISO_WITH_ZONE.test(text) && !Number.isNaN(Date.parse(text))) {
    until = new Date(text);
  } else {
    throw new ConfigError(`--expires: '${text}' is neither a duration (4h, 2d) nor an ISO-8601 time with a zone (2026-12-01T18:00:00Z)`);
  }
  if (until.getTime() <= now.getTime()) throw new ConfigError(`--expires: ${until.toISOString()} is not in the future`);
  if (until.getTime() - now.getTime() > ACK_MAX_HOURS * 3_600_000) {
    throw new ConfigError(
      `--expires: at most ${ACK_MAX_HOURS / 24} days ahead (${new Date(now.getTime() + ACK_MAX_HOURS * 3_600_000).toISOString()}); got ${until.toISOString()}`,
    );
  }
  return until;
}

/** The history record of an acknowledgement: partition `<suite>#ack`, sort key `<createdAt>#<gate>`. */
export function acknowledgementRecord(suite: string, ack: Acknowledgement): HistoryRecord {
  return { pk: historyKey.ack(suite), sk: `${ack.createdAt}#${ack.gate}`, ...ack };
}

/** An acknowledgement read back from history, or undefined for a record of another shape (it then excuses nothing). */
export function acknowledgementOf(record: HistoryRecord): Acknowledgement | undefined {
  const { gate, owner, reason, createdAt, validUntil } = record;
  const strings = [gate, owner, reason, createdAt, validUntil];
  if (!strings.every((s) => typeof s === 'string' && s.length > 0)) return undefined;
  // The sort key names the gate it was written for (`<createdAt>#<gate>`): a record saying otherwise is not one.
  if (
    !isGateId(gate as string) ||
    !record.sk.endsWith(`#${gate as string}`) ||
    Number.isNaN(Date.parse(createdAt as string)) ||
    Number.isNaN(Date.parse(validUntil as string))
  )
    return undefined;
  return { gate: gate as GateId, owner: owner as string, reason: reason as string, createdAt: createdAt as string, validUntil: validUntil as string };
}

/** The oldest `createdAt` that can still matter at `now` (active, or expired within the shown window). */
export function acknowledgementsSince(now: Date): string {
  return new Date(now.getTime() - ACK_MAX_HOURS * 3_600_000 - EXPIRED_ACK_SHOWN_DAYS * 86_400_000).toISOString();
}

export function isActive(ack: Acknowledgement, now: Date): boolean {
  return Date.parse(ack.validUntil) > now.getTime();
}

/**
 * Each acknowledgement with its state at `now`, newest first; expired ones older than the shown
 * window are left out.
 */
export function classifyAcknowledgements(acks: readonly Acknowledgement[], standing: (gate: GateId) => GateStanding, now: Date): AcknowledgementStatus[] {
  const shownAfter = now.getTime() - EXPIRED_ACK_SHOWN_DAYS * 86_400_000;
  return acks
    .filter((a) => Date.parse(a.validUntil) > shownAfter)
    .map((a): AcknowledgementStatus => {
      const gate = standing(a.gate);
      return { ...a, state: !isActive(a, now) ? 'expired' : gate === 'not passing' ? 'in use' : 'unused', standing: gate };
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** One line for people: `cost — in use: jane@acme.example until 2026-12-01T18:00:00.000Z: <reason>`. */
export function describeAcknowledgement(a: AcknowledgementStatus): string {
  const why =
    a.state === 'unused'
      ? a.standing === 'passing'
        ? ' (unused: the gate passes without it)'
        : ' (unused: its gate is not evaluated here)'
      : a.state === 'expired'
        ? ' (expired: it excuses nothing)'
        : '';
  return `${a.gate} — ${a.state}${why}: ${a.owner}, ${a.state === 'expired' ? 'expired' : 'until'} ${a.validUntil}: ${a.reason}`;
}
