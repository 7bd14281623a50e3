/**
 * Whether a workflow routes, and a muting rule mutes, the issues of one NRQL condition, evaluated
 * before any issue exists (docs/contracts/newrelic.md NR-16 … NR-20). Pure functions.
 */

/** NR-20: issue priorities; critical incidents open CRITICAL issues, warning incidents HIGH ones. */
export type IssuePriority = 'CRITICAL' | 'HIGH';

/** What is known about a condition's future issues from the condition itself. */
export interface ConditionFacts {
  id: string;
  name: string;
  policyId: string;
  policyName?: string;
  query: string;
  accountId: number;
  priorities: IssuePriority[];
}

export interface Predicate {
  attribute: string;
  operator: string;
  values: string[];
}

export interface RouteVerdict {
  routes: boolean;
  /** Predicates on attributes known only once an incident exists, which the route still depends on. */
  onlyIf: string[];
  /** The priorities of the condition's issues that pass the filter. */
  priorities: IssuePriority[];
  /** Whether a predicate names this condition (policy, condition name or ID, query) with a positive operator. */
  selectsCondition: boolean;
  /** Why it does not route, for the summary. */
  reason?: string;
}

/** NR-20: attributes whose values come from the condition; all are lists of one element. */
function knownLists(f: ConditionFacts): Record<string, string[] | undefined> {
  return {
    'labels.policyIds': [f.policyId],
    'accumulations.policyName': f.policyName === undefined ? undefined : [f.policyName],
    'accumulations.conditionName': [f.name],
    'accumulations.conditionFamilyId': [f.id],
    'accumulations.nrqlQuery': [f.query],
    'labels.accountIds': [String(f.accountId)],
    'labels.originalAccountIds': [String(f.accountId)],
  };
}
/** Attributes that identify the condition: a positive predicate on one ties the route to it. */
const IDENTITY = new Set([
  'labels.policyIds',
  'accumulations.policyName',
  'accumulations.conditionName',
  'accumulations.conditionFamilyId',
  'accumulations.nrqlQuery',
]);
const NEGATIVE = /^(DOES_NOT_|IS_NOT$)/;

export function issuePriorities(terms: { priority?: string | null }[] | null | undefined): IssuePriority[] {
  const set = new Set((terms ?? []).map((t) => String(t.priority ?? '').toUpperCase()));
  return [...(set.has('CRITICAL') ? ['CRITICAL' as const] : []), ...(set.has('WARNING') ? ['HIGH' as const] : [])];
}

export const describePredicate = (p: Predicate) => `${p.attribute} ${p.operator} ${p.values.join(', ')}`;

/** NR-19 on a list attribute: EXACTLY_MATCHES compares elements, CONTAINS looks inside them; case-insensitive. */
function listMatches(op: string, list: string[], values: string[]): boolean | undefined {
  const items = list.map((x) => x.toLowerCase());
  const wanted = values.map((v) => String(v).toLowerCase());
  const positive = op.replace(/^DOES_NOT_/, '').replace(/^EXACTLY_MATCH$/, 'EXACTLY_MATCHES');
  let found: boolean;
  if (positive === 'EXACTLY_MATCHES') found = items.some((x) => wanted.includes(x));
  else if (positive === 'CONTAINS' || positive === 'CONTAIN') found = items.some((x) => wanted.some((w) => x.includes(w)));
  else if (op === 'IS') return false;
  else if (op === 'IS_NOT') return true;
  else return undefined;
  return op.startsWith('DOES_NOT_') ? !found : found;
}

/** NR-19 on a string attribute (`priority`): EQUAL, CONTAINS, STARTS_WITH, ENDS_WITH and their negations. */
function stringMatches(op: string, value: string, values: string[]): boolean | undefined {
  const v = value.toLowerCase();
  const wanted = values.map((x) => String(x).toLowerCase());
  const test: Record<string, (w: string) => boolean> = {
    EQUAL: (w) => v === w,
    CONTAINS: (w) => v.includes(w),
    CONTAIN: (w) => v.includes(w),
    STARTS_WITH: (w) => v.startsWith(w),
    ENDS_WITH: (w) => v.endsWith(w),
  };
  if (op === 'IS') return false;
  if (op === 'IS_NOT') return true;
  const positive = op.replace(/^DOES_NOT_/, '');
  if (!test[positive]) return undefined;
  const found = wanted.some(test[positive]);
  return op.startsWith('DOES_NOT_') ? !found : found;
}

/** NR-19 on a number (`nrAccountId`). */
function numberMatches(op: string, value: number, values: string[]): boolean | undefined {
  const nums = values.map(Number);
  const cmp: Record<string, (n: number) => boolean> = {
    EQUAL: (n) => value === n,
    LESS_THAN: (n) => value < n,
    LESS_OR_EQUAL: (n) => value <= n,
    GREATER_THAN: (n) => value > n,
    GREATER_OR_EQUAL: (n) => value >= n,
  };
  if (op === 'DOES_NOT_EQUAL') return !nums.some(cmp.EQUAL);
  return cmp[op] ? nums.some(cmp[op]) : undefined;
}

/**
 * NR-19/NR-20: does a workflow filter route this condition's issues? Every predicate must hold.
 * Predicates on attributes known from the condition are evaluated; `priority` narrows the
 * condition's possible priorities. Predicates on attributes known only from future incidents
 * (tags, entities…) are accepted only when another predicate names this condition, and are
 * reported in `onlyIf`; a filter that selects by them alone does not count as a route.
 */
export function routeVerdict(filter: { type?: string | null; predicates?: Predicate[] | null } | null | undefined, f: ConditionFacts): RouteVerdict {
  const onlyIf: string[] = [];
  let priorities = [...f.priorities];
  let selectsCondition = false;
  const lists = knownLists(f);
  const no = (reason: string): RouteVerdict => ({ routes: false, onlyIf, priorities: [], selectsCondition, reason });
  if (filter?.type && filter.type.toUpperCase() === 'VIEW') {
    onlyIf.push('its saved view');
    return no('its issues filter is a saved view, which cannot be evaluated before an issue opens');
  }
  for (const p of filter?.predicates ?? []) {
    const op = String(p.operator).toUpperCase();
    const values = (p.values ?? []).map(String);
    const list = lists[p.attribute];
    if (list) {
      const ok = listMatches(op, list, values);
      if (ok === false) return no(`${describePredicate(p)} does not match ${p.attribute === 'labels.policyIds' ? `policy ${f.policyId}` : `"${list[0]}"`}`);
      if (ok === undefined) onlyIf.push(describePredicate(p));
      else if (IDENTITY.has(p.attribute) && !NEGATIVE.test(op)) selectsCondition = true;
      continue;
    }
    if (p.attribute === 'priority' || p.attribute === 'priorityText') {
      priorities = priorities.filter((pr) => stringMatches(op, pr, values) !== false);
      if (!priorities.length) return no(`${describePredicate(p)} matches none of its priorities (${f.priorities.join(', ') || 'no thresholds'})`);
      continue;
    }
    if (p.attribute === 'nrAccountId') {
      if (numberMatches(op, f.accountId, values) === false) return no(`${describePredicate(p)} does not match account ${f.accountId}`);
      continue;
    }
    onlyIf.push(describePredicate(p));
  }
  if (onlyIf.length && !selectsCondition) {
    return no(
      `it selects issues by ${onlyIf.join(' and ')} only, known once an incident exists; add labels.policyIds EXACTLY_MATCHES ${f.policyId} to make the route checkable`,
    );
  }
  return { routes: true, onlyIf, priorities, selectsCondition };
}

export interface MutingRule {
  enabled?: boolean | null;
  status?: string | null;
  condition?: { operator?: string | null; conditions?: Predicate[] | null } | null;
}

/** NR-16: the event types a NRQL query reads (`FROM a, b`). */
function eventTypes(query: string): string[] {
  const m = /\bFROM\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)/i.exec(query);
  return m ? m[1].split(',').map((s) => s.trim()) : [];
}

/** NR-16 sub-condition operators, case-sensitive values; undefined when the attribute is not known. */
function mutingMatch(p: Predicate, f: ConditionFacts): boolean | undefined {
  const op = String(p.operator).toUpperCase();
  if (op === 'ANY') return true;
  const known: Record<string, string[] | undefined> = {
    accountId: [String(f.accountId)],
    conditionId: [f.id],
    conditionName: [f.name],
    policyId: [f.policyId],
    policyName: f.policyName === undefined ? undefined : [f.policyName],
    nrqlQuery: [f.query],
    nrqlEventType: eventTypes(f.query),
  };
  const actual = known[p.attribute];
  if (!actual) return undefined;
  const values = (p.values ?? []).map(String);
  const each: Record<string, (a: string) => boolean> = {
    EQUALS: (a) => values.includes(a),
    IN: (a) => values.includes(a),
    CONTAINS: (a) => values.some((v) => a.includes(v)),
    STARTS_WITH: (a) => values.some((v) => a.startsWith(v)),
    ENDS_WITH: (a) => values.some((v) => a.endsWith(v)),
    IS_BLANK: (a) => a === '',
  };
  const positive = {
    NOT_EQUALS: 'EQUALS',
    NOT_IN: 'IN',
    NOT_CONTAINS: 'CONTAINS',
    NOT_STARTS_WITH: 'STARTS_WITH',
    NOT_ENDS_WITH: 'ENDS_WITH',
    IS_NOT_BLANK: 'IS_BLANK',
  }[op];
  const test = each[positive ?? op];
  if (!test || !actual.length) return undefined;
  const found = actual.some(test);
  return positive ? !found : found;
}

/**
 * NR-16: an enabled, ACTIVE rule whose expression holds for every incident of the condition. A
 * rule that depends on targets or tags mutes only some incidents and does not count.
 */
export function mutesWholeCondition(rule: MutingRule, f: ConditionFacts): boolean {
  if (!rule.enabled || String(rule.status ?? '').toUpperCase() !== 'ACTIVE') return false;
  const verdicts = (rule.condition?.conditions ?? []).map((p) => mutingMatch(p, f));
  if (!verdicts.length) return false;
  return String(rule.condition?.operator ?? 'AND').toUpperCase() === 'OR' ? verdicts.some((v) => v === true) : verdicts.every((v) => v === true);
}

/** A condition's NRQL restricted to other apps than `appName` (by `appName =`, `IN` or `LIKE`). */
export function scopedToOtherApps(query: string, appName: string): boolean {
  const clauses = [...query.matchAll(/\bappName\s*(=|\bIN\b|\bLIKE\b)\s*(\([^)]*\)|'[^']*')/gi)];
  if (!clauses.length) return false;
  return !clauses.some(([, op, operand]) => {
    const literals = [...operand.matchAll(/'([^']*)'/g)].map((m) => m[1]);
    if (op.toUpperCase() === 'LIKE') {
      return literals.some((l) =>
        new RegExp(
          `^${l
            .split('%')
            .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
        ).test(appName),
      );
    }
    return literals.includes(appName);
  });
}
