/**
 * What changed since the previous run: gates and criteria that newly fail or recovered, and
 * tenants whose cost variance moved across the tolerance. Runs are compared through the compact
 * record each run leaves in the history (partition `<suite>#result#<gate>`), written the same way
 * by the CLI (`--history`) and the deployed functions.
 */
import { historyKey, type HistoryRecord, type HistoryStore } from './history';
import type { CheckResult, Status } from './result';

/** One tenant's reconciliation line, as gate 2's `tenant_costs.json` artifact states it. */
export interface TenantVariance {
  tenant: string;
  provider: string;
  trackedUsd: number;
  billedUsd: number;
  /** Signed (tracked − billed) / billed in percent; null when nothing was billed. */
  variancePct: number | null;
  /** Gate 2's judgement: ok, outside, below-floor, … */
  status: string;
}

/** What a run of one gate leaves in the history (and what the next run compares with). */
export interface GateRecord {
  gate: string;
  status: Status;
  summary: string;
  startedAt: string;
  criteria: { id: string; title?: string; status: Status; summary: string }[];
  /** Gate 2 only: per-tenant lines (judged tenants: ok or outside) and the tolerance they were judged against. */
  tenants?: TenantVariance[];
  tolerancePercent?: number;
  /** Set when there were too many tenants to keep: `tenants` then holds only those outside the tolerance. */
  tenantsOutsideOnly?: boolean;
}

/**
 * Bytes the tenant lines may take in one history record: a DynamoDB item holds at most 400 KB,
 * and the rest of the record needs room. About 2,000 tenants fit; beyond, only those outside.
 */
export const TENANT_LINES_BUDGET_BYTES = 200 * 1024;

function keptTenantLines(all: TenantVariance[]): { tenants: TenantVariance[]; tenantsOutsideOnly?: true } {
  const judged = all.filter((t) => t.status === 'ok' || t.status === 'outside');
  if (Buffer.byteLength(JSON.stringify(judged)) <= TENANT_LINES_BUDGET_BYTES) return { tenants: judged };
  const outside: TenantVariance[] = [];
  let bytes = 2;
  for (const t of judged.filter((x) => x.status === 'outside')) {
    bytes += Buffer.byteLength(JSON.stringify(t)) + 1;
    if (bytes > TENANT_LINES_BUDGET_BYTES) break;
    outside.push(t);
  }
  return { tenants: outside, tenantsOutsideOnly: true };
}

/** The tenant lines and tolerance of gate 2's `tenant_costs.json` artifact, when the result has one. */
export function tenantVariances(result: CheckResult): { tenants: TenantVariance[]; tolerancePercent?: number } | undefined {
  const artifact = result.artifacts?.find((a) => a.name === 'tenant_costs.json');
  if (!artifact) return undefined;
  const doc = JSON.parse(artifact.content) as {
    tolerancePercent?: string;
    // Gate 2 writes amounts and the variance as exact decimal strings.
    lines: { tenant_id: string; provider: string; tracked_cost: string; actual_cost: string; variance_pct: string | null; status: string }[];
  };
  const tenants = doc.lines
    .filter((l) => l.status !== 'total' && l.status !== 'unallocated')
    .map((l) => ({
      tenant: l.tenant_id,
      provider: l.provider,
      trackedUsd: Number(l.tracked_cost),
      billedUsd: Number(l.actual_cost),
      variancePct: l.variance_pct === null ? null : Number(l.variance_pct),
      status: l.status,
    }));
  return { tenants, ...(doc.tolerancePercent !== undefined ? { tolerancePercent: Number(doc.tolerancePercent) } : {}) };
}

/** The history attributes of one gate result (the caller adds pk, sk and how the run was started). */
export function gateRecordOf(result: CheckResult): GateRecord {
  const costs = tenantVariances(result);
  return {
    gate: result.gate,
    status: result.status,
    summary: result.summary,
    startedAt: result.startedAt,
    criteria: result.criteria.map((c) => ({ id: c.id, title: c.title, status: c.status, summary: c.summary })),
    ...(costs ? { ...keptTenantLines(costs.tenants), ...(costs.tolerancePercent !== undefined ? { tolerancePercent: costs.tolerancePercent } : {}) } : {}),
  };
}

export type Movement = 'newly failing' | 'recovered' | 'changed';

export interface CriterionChange {
  id: string;
  title?: string;
  from?: Status;
  to?: Status;
  movement: Movement;
  summary: string;
}

export interface TenantChange {
  tenant: string;
  provider: string;
  /** Variance in percent (null: nothing billed); undefined when the record kept only tenants outside the tolerance. */
  from?: number | null;
  to?: number | null;
  movement: 'left the tolerance' | 'back within the tolerance';
}

export interface GateChange {
  gate: string;
  /** When the run compared with started. */
  previousAt: string;
  from: Status;
  to: Status;
  /** Set when the gate's own status moved. */
  movement?: Movement;
  summary: string;
  criteria: CriterionChange[];
  tenants: TenantChange[];
  tolerancePercent?: number;
}

export interface RunChanges {
  /** Where the previous runs were read. */
  history: string;
  /** Gates that had a previous run to compare with. */
  compared: string[];
  /** Gates without a previous run in the history. */
  firstRuns: string[];
  changes: GateChange[];
}

const failing = (s: Status | undefined) => s === 'FAIL' || s === 'ERROR';

function movementOf(from: Status | undefined, to: Status | undefined): Movement | undefined {
  if (from === to) return undefined;
  if (!failing(from) && failing(to)) return 'newly failing';
  if (failing(from) && to === 'PASS') return 'recovered';
  return 'changed';
}

/** The changes from `previous` to `current` of one gate, or undefined when nothing moved. */
export function compareGate(previous: GateRecord, current: GateRecord): GateChange | undefined {
  const before = new Map(previous.criteria.map((c) => [c.id, c]));
  const after = new Map(current.criteria.map((c) => [c.id, c]));
  const criteria: CriterionChange[] = [];
  for (const id of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(id);
    const a = after.get(id);
    const movement = movementOf(b?.status, a?.status);
    // A criterion that appears passing or disappears while passing is a change of config, not of readiness.
    if (!movement || (!b && a?.status === 'PASS') || (!a && b?.status === 'PASS')) continue;
    criteria.push({
      id,
      title: a?.title ?? b?.title,
      from: b?.status,
      to: a?.status,
      movement,
      summary: a?.summary ?? `no longer evaluated (was ${b!.status}: ${b!.summary})`,
    });
  }
  const tenants: TenantChange[] = [];
  const key = (t: TenantVariance) => `${t.provider}\u0000${t.tenant}`;
  const prevTenants = new Map((previous.tenants ?? []).map((t) => [key(t), t]));
  const curTenants = new Map((current.tenants ?? []).map((t) => [key(t), t]));
  for (const t of current.tenants ?? []) {
    const p = prevTenants.get(key(t));
    if (p?.status === 'ok' && t.status === 'outside')
      tenants.push({ tenant: t.tenant, provider: t.provider, from: p.variancePct, to: t.variancePct, movement: 'left the tolerance' });
    if (p?.status === 'outside' && t.status === 'ok')
      tenants.push({ tenant: t.tenant, provider: t.provider, from: p.variancePct, to: t.variancePct, movement: 'back within the tolerance' });
    // A record of only the outside tenants: absent there means it was not outside.
    if (!p && previous.tenantsOutsideOnly && previous.tenants && t.status === 'outside')
      tenants.push({ tenant: t.tenant, provider: t.provider, to: t.variancePct, movement: 'left the tolerance' });
  }
  if (current.tenantsOutsideOnly && current.tenants) {
    for (const p of previous.tenants ?? []) {
      if (p.status === 'outside' && !curTenants.has(key(p)))
        tenants.push({ tenant: p.tenant, provider: p.provider, from: p.variancePct, movement: 'back within the tolerance' });
    }
  }
  const movement = movementOf(previous.status, current.status);
  if (!movement && criteria.length === 0 && tenants.length === 0) return undefined;
  return {
    gate: current.gate,
    previousAt: previous.startedAt,
    from: previous.status,
    to: current.status,
    ...(movement ? { movement } : {}),
    summary: current.summary,
    criteria,
    tenants,
    ...(current.tolerancePercent !== undefined ? { tolerancePercent: current.tolerancePercent } : {}),
  };
}

/** True when the change makes things worse: something newly fails or a tenant left the tolerance. */
export function isRegression(change: GateChange): boolean {
  return (
    change.movement === 'newly failing' ||
    change.criteria.some((c) => c.movement === 'newly failing') ||
    change.tenants.some((t) => t.movement === 'left the tolerance')
  );
}

/** Reads a history record back as a gate record (records written before `startedAt` existed use the sort key). */
export function gateRecordFrom(record: HistoryRecord, gate: string): GateRecord {
  const r = record as HistoryRecord & Partial<GateRecord>;
  return {
    gate,
    status: r.status as Status,
    summary: String(r.summary ?? ''),
    startedAt: r.startedAt ?? record.sk.split('#')[0],
    criteria: r.criteria ?? [],
    ...(r.tenants ? { tenants: r.tenants } : {}),
    ...(r.tenantsOutsideOnly ? { tenantsOutsideOnly: true } : {}),
    ...(r.tolerancePercent !== undefined ? { tolerancePercent: r.tolerancePercent } : {}),
  };
}

/** Windows searched for the previous run, nearest first: most runs find it in the first, cheap query. */
const LOOKBACK_DAYS = [2, 35, 400];

/**
 * The newest result of a gate in the history that started before `before`, if any; with `run`,
 * only results of that kind of run (a deployed gate compares scheduled runs with scheduled runs).
 */
export async function previousRun(store: HistoryStore, suite: string, gate: string, before: string, now: Date, run?: string): Promise<GateRecord | undefined> {
  for (const days of LOOKBACK_DAYS) {
    const since = new Date(now.getTime() - days * 86_400_000).toISOString();
    const records = (await store.query(historyKey.result(suite, gate), since)).filter(
      (r) => r.sk < before && typeof r.status === 'string' && (!run || r.run === run),
    );
    if (records.length) return gateRecordFrom(records[records.length - 1], gate);
  }
  return undefined;
}

/** Every result of a gate in the history since `since`, oldest first (for the status-over-time chart). */
export async function gateTimeline(store: HistoryStore, suite: string, gate: string, since: string): Promise<GateRecord[]> {
  const records = await store.query(historyKey.result(suite, gate), since);
  return records.filter((r) => typeof r.status === 'string').map((r) => gateRecordFrom(r, gate));
}

/** Compares each result with the previous run of its gate in the history. */
export async function changesSince(store: HistoryStore, suite: string, results: readonly CheckResult[], now: Date): Promise<RunChanges> {
  const out: RunChanges = { history: store.describe(), compared: [], firstRuns: [], changes: [] };
  for (const result of results) {
    const previous = await previousRun(store, suite, result.gate, result.startedAt, now);
    if (!previous) {
      out.firstRuns.push(result.gate);
      continue;
    }
    out.compared.push(result.gate);
    const change = compareGate(previous, gateRecordOf(result));
    if (change) out.changes.push(change);
  }
  return out;
}

/** Appends one record per result to the history, partition `<suite>#result#<gate>`. */
export async function recordRun(store: HistoryStore, suite: string, results: readonly CheckResult[], run: string, id: string): Promise<void> {
  for (const result of results) {
    await store.append({
      pk: historyKey.result(suite, result.gate),
      sk: `${result.startedAt}#${id}`,
      run,
      ...gateRecordOf(result),
      durationMs: result.durationMs,
    });
  }
}

/** One line per change, for text output, Markdown lists and notifications. */
export function describeChange(change: GateChange): string[] {
  const pct = (v: number | null | undefined, side: 'from' | 'to') =>
    v === undefined ? (side === 'from' ? 'not outside before' : 'no longer outside') : v === null ? 'nothing billed' : `${v > 0 ? '+' : ''}${v.toFixed(2)}%`;
  const head = change.movement
    ? `${change.gate}: ${change.movement} (${change.from} → ${change.to}) — ${change.summary}`
    : `${change.gate}: still ${change.to}, but:`;
  return [
    head,
    ...change.criteria.map((c) => `  ${c.id}: ${c.movement} (${c.from ?? 'not evaluated'} → ${c.to ?? 'not evaluated'}) — ${c.summary}`),
    ...change.tenants.map(
      (t) =>
        `  tenant ${t.tenant} (${t.provider}) ${t.movement}${change.tolerancePercent !== undefined ? ` ±${change.tolerancePercent}%` : ''}: ${pct(t.from, 'from')} → ${pct(t.to, 'to')}`,
    ),
  ];
}
