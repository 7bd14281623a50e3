/**
 * The NRQL subset the New Relic stand-in evaluates, written from docs/contracts/newrelic.md
 * (NR-08 … NR-12): aggregates over event batches in a `SINCE … UNTIL` window, `WHERE`, `FACET` with
 * `LIMIT`, and the documented result row keys. Anything outside the subset is refused with a
 * message that says it is the stand-in's limit, not New Relic's.
 */

export type NrValue = string | number | boolean | null;

/** `count` events of one type that share their attributes and time: keeps 24 h of traffic small. */
export interface EventBatch {
  type: string;
  /** Epoch milliseconds. */
  timestamp: number;
  count: number;
  attributes: Record<string, NrValue>;
}

export interface NrqlAnswer {
  results: Record<string, unknown>[];
  otherResult: Record<string, unknown> | null;
  totalResult: Record<string, unknown>;
  eventTypes: string[];
  facets: string[];
}

/** How facet rows name their value (NR-11): `facet` plus the attribute, or the attribute only. */
export type FacetRowShape = 'facet-and-attribute' | 'attribute-only';

/** NRQL NerdGraph refuses; the message is what NerdGraph puts in `errors[].message`. */
export class NrqlError extends Error {}

/** NR-11: `LIMIT` at most 5,000; `LIMIT MAX` is that maximum; 10 facets without `LIMIT`. */
export const NRQL_MAX_LIMIT = 5000;
const DEFAULT_FACET_LIMIT = 10;
/** NR-12: `uniques()` returns up to 1,000 values unless told otherwise, at most 10,000. */
const UNIQUES_DEFAULT = 1000;
const UNIQUES_MAX = 10_000;

type Token = { kind: 'word' | 'name' | 'string' | 'number' | 'punct'; text: string; pos: number };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = '';
      i++;
      while (i < query.length && query[i] !== "'") text += query[i++];
      if (i >= query.length) throw syntax(start, 'unterminated string');
      i++;
      tokens.push({ kind: 'string', text, pos: start });
    } else if (c === '`') {
      const end = query.indexOf('`', i + 1);
      if (end < 0) throw syntax(start, 'unterminated backtick name');
      tokens.push({ kind: 'name', text: query.slice(i + 1, end), pos: start });
      i = end + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(query.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], pos: start });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(query.slice(i))!;
      tokens.push({ kind: 'word', text: m[0], pos: start });
      i += m[0].length;
    } else {
      const two = query.slice(i, i + 2);
      const text = ['!=', '<>', '<=', '>='].includes(two) ? two : c;
      if (!'(),*=<>!'.includes(text[0])) throw syntax(start, `unexpected '${c}'`);
      tokens.push({ kind: 'punct', text, pos: start });
      i += text.length;
    }
  }
  return tokens;
}

function syntax(pos: number, what: string): NrqlError {
  return new NrqlError(`NRQL Syntax Error: Error at line 1 position ${pos + 1}, ${what}`);
}

type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'cmp'; attr: string; cmp: string; value: NrValue }
  | { op: 'is'; attr: string; value: boolean | null; negate: boolean }
  | { op: 'in'; attr: string; values: NrValue[]; negate: boolean }
  | { op: 'like'; attr: string; pattern: string; negate: boolean };

interface Aggregate {
  fn: string;
  /** `*` for count(*). */
  attr: string;
  extra: number[];
  where?: Condition;
  inner?: Aggregate;
  label?: string;
}

interface ParsedQuery {
  select: Aggregate[];
  from: string[];
  where?: Condition;
  facet: string[];
  limit?: number;
  since?: number;
  until?: number;
}

const AGGREGATES = new Set(['count', 'uniquecount', 'uniques', 'average', 'sum', 'min', 'max', 'latest', 'percentile', 'percentage', 'filter']);
const CLAUSES = new Set(['select', 'from', 'where', 'facet', 'limit', 'since', 'until', 'extrapolate']);
const TIME_UNITS: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly now: number,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new NrqlError('NRQL Syntax Error: unexpected end of query');
    return t;
  }
  private isWord(text: string, t = this.peek()): boolean {
    return t?.kind === 'word' && t.text.toLowerCase() === text;
  }
  private expectPunct(text: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.text !== text) throw syntax(t.pos, `unexpected '${t.text}', expected '${text}'`);
  }
  private attribute(): string {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'name') throw syntax(t.pos, `unexpected '${t.text}', expected an attribute`);
    return t.text;
  }

  parse(): ParsedQuery {
    const q: ParsedQuery = { select: [], from: [], facet: [] };
    while (this.peek()) {
      const t = this.next();
      const word = t.kind === 'word' ? t.text.toLowerCase() : '';
      if (!CLAUSES.has(word)) {
        if (t.kind === 'word' && /^(timeseries|compare|with|order|offset|show|join)$/i.test(t.text)) {
          throw new NrqlError(`NRQL stand-in: ${t.text.toUpperCase()} is outside the modelled NRQL subset`);
        }
        throw syntax(t.pos, `unexpected '${t.text}'`);
      }
      if (word === 'select') q.select = this.list(() => this.aggregate());
      else if (word === 'from') q.from = this.list(() => this.attribute());
      else if (word === 'where') q.where = this.condition();
      else if (word === 'facet') q.facet = this.list(() => this.attribute());
      else if (word === 'limit') q.limit = this.limit();
      else if (word === 'since') q.since = this.time();
      else if (word === 'until') q.until = this.time();
    }
    if (!q.select.length) throw new NrqlError('NRQL Syntax Error: a query needs a SELECT clause');
    if (!q.from.length) throw new NrqlError('NRQL Syntax Error: a query needs a FROM clause');
    if (q.facet.length > 5) throw new NrqlError('NRQL Syntax Error: FACET supports up to five attributes');
    return q;
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.peek()?.kind === 'punct' && this.peek()!.text === ',') {
      this.i++;
      items.push(item());
    }
    return items;
  }

  private aggregate(): Aggregate {
    const t = this.next();
    const fn = t.text.toLowerCase();
    if (t.kind !== 'word' || !AGGREGATES.has(fn)) {
      throw new NrqlError(`NRQL stand-in: only aggregate functions are modelled (${[...AGGREGATES].join(', ')}), not '${t.text}'`);
    }
    this.expectPunct('(');
    let agg: Aggregate;
    if (fn === 'percentage' || fn === 'filter') {
      const inner = this.aggregate();
      this.expectPunct(',');
      if (!this.isWord('where')) throw syntax(this.peek()?.pos ?? 0, `${fn}() needs a WHERE condition`);
      this.i++;
      agg = { fn, attr: inner.attr, extra: [], inner, where: this.condition() };
    } else if (fn === 'count' && this.peek()?.text === '*') {
      this.i++;
      agg = { fn, attr: '*', extra: [] };
    } else {
      const attr = this.attribute();
      const extra: number[] = [];
      while (this.peek()?.text === ',') {
        this.i++;
        const n = this.next();
        if (n.kind !== 'number') throw syntax(n.pos, `unexpected '${n.text}', expected a number`);
        extra.push(Number(n.text));
      }
      agg = { fn, attr, extra };
    }
    this.expectPunct(')');
    if (this.isWord('as')) {
      this.i++;
      const label = this.next();
      if (label.kind !== 'string' && label.kind !== 'name') throw syntax(label.pos, 'AS needs a quoted label');
      agg.label = label.text;
    }
    return agg;
  }

  private limit(): number {
    const t = this.next();
    if (t.kind === 'word' && t.text.toLowerCase() === 'max') return NRQL_MAX_LIMIT;
    if (t.kind !== 'number' || !Number.isInteger(Number(t.text)) || Number(t.text) < 1) throw syntax(t.pos, `invalid LIMIT '${t.text}'`);
    if (Number(t.text) > NRQL_MAX_LIMIT) throw new NrqlError(`NRQL Syntax Error: LIMIT ${t.text} is above the maximum of ${NRQL_MAX_LIMIT}`);
    return Number(t.text);
  }

  /** NR-08: epoch milliseconds, `n <units> ago`, or NOW. */
  private time(): number {
    const t = this.next();
    if (t.kind === 'word' && t.text.toLowerCase() === 'now') return this.now;
    if (t.kind !== 'number') throw syntax(t.pos, `unexpected '${t.text}' in a time`);
    const n = Number(t.text);
    if (this.peek()?.kind === 'word' && TIME_UNITS[this.peek()!.text.toLowerCase().replace(/s$/, '')]) {
      const unit = TIME_UNITS[this.next().text.toLowerCase().replace(/s$/, '')];
      if (!this.isWord('ago')) throw syntax(this.peek()?.pos ?? 0, "expected 'ago'");
      this.i++;
      return this.now - n * unit;
    }
    return n;
  }

  private condition(): Condition {
    let left = this.conjunction();
    while (this.isWord('or')) {
      this.i++;
      left = { op: 'or', left, right: this.conjunction() };
    }
    return left;
  }
  private conjunction(): Condition {
    let left = this.term();
    while (this.isWord('and')) {
      this.i++;
      left = { op: 'and', left, right: this.term() };
    }
    return left;
  }
  private term(): Condition {
    if (this.isWord('not')) {
      this.i++;
      return { op: 'not', inner: this.term() };
    }
    if (this.peek()?.text === '(') {
      this.i++;
      const inner = this.condition();
      this.expectPunct(')');
      return inner;
    }
    const attr = this.attribute();
    if (this.isWord('is')) {
      this.i++;
      const negate = this.isWord('not');
      if (negate) this.i++;
      const v = this.next();
      const word = v.text.toLowerCase();
      if (v.kind !== 'word' || !['true', 'false', 'null'].includes(word)) throw syntax(v.pos, `unexpected '${v.text}' after IS`);
      return { op: 'is', attr, value: word === 'null' ? null : word === 'true', negate };
    }
    const negate = this.isWord('not');
    if (negate) this.i++;
    if (this.isWord('in')) {
      this.i++;
      this.expectPunct('(');
      const values = this.list(() => this.literal());
      this.expectPunct(')');
      return { op: 'in', attr, values, negate };
    }
    if (this.isWord('like')) {
      this.i++;
      const p = this.next();
      if (p.kind !== 'string') throw syntax(p.pos, 'LIKE needs a quoted pattern');
      return { op: 'like', attr, pattern: p.text, negate };
    }
    if (negate) throw syntax(this.peek()?.pos ?? 0, 'NOT must be followed by IN or LIKE here');
    const cmp = this.next();
    if (cmp.kind !== 'punct' || !['=', '!=', '<>', '<', '>', '<=', '>='].includes(cmp.text))
      throw syntax(cmp.pos, `unexpected '${cmp.text}', expected a comparison`);
    return { op: 'cmp', attr, cmp: cmp.text === '<>' ? '!=' : cmp.text, value: this.literal() };
  }
  private literal(): NrValue {
    const t = this.next();
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') return Number(t.text);
    if (t.kind === 'word' && /^(true|false)$/i.test(t.text)) return t.text.toLowerCase() === 'true';
    throw syntax(t.pos, `unexpected '${t.text}', expected a value`);
  }
}

function holds(c: Condition, a: Record<string, NrValue>): boolean {
  switch (c.op) {
    case 'and':
      return holds(c.left, a) && holds(c.right, a);
    case 'or':
      return holds(c.left, a) || holds(c.right, a);
    case 'not':
      return !holds(c.inner, a);
    case 'is': {
      const v = a[c.attr] ?? null;
      return (c.value === null ? v === null : v === c.value) !== c.negate;
    }
    case 'in':
      return c.values.some((x) => x === (a[c.attr] ?? null)) !== c.negate;
    case 'like': {
      const v = a[c.attr];
      if (typeof v !== 'string') return c.negate;
      const re = new RegExp(
        `^${c.pattern
          .split('%')
          .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      return re.test(v) !== c.negate;
    }
    case 'cmp': {
      const v = a[c.attr];
      if (v === undefined || v === null) return false;
      switch (c.cmp) {
        case '=':
          return v === c.value;
        case '!=':
          return v !== c.value;
        case '<':
          return (v as number) < (c.value as number);
        case '>':
          return (v as number) > (c.value as number);
        case '<=':
          return (v as number) <= (c.value as number);
        default:
          return (v as number) >= (c.value as number);
      }
    }
  }
}

/** NR-09: `count` for count(*), `<function>.<attribute>` otherwise, the label when one is given. */
function keyOf(agg: Aggregate): string {
  if (agg.label) return agg.label;
  if (agg.fn === 'count' && agg.attr === '*') return 'count';
  if (agg.fn === 'percentage') return 'percentage';
  if (agg.fn === 'filter') return `filter.${keyOf({ ...agg.inner!, label: undefined })}`;
  const names: Record<string, string> = { uniquecount: 'uniqueCount' };
  return `${names[agg.fn] ?? agg.fn}.${agg.attr}`;
}

function compute(agg: Aggregate, batches: EventBatch[]): unknown {
  const has = (b: EventBatch) => b.attributes[agg.attr] !== undefined && b.attributes[agg.attr] !== null;
  const numeric = batches.filter((b) => typeof b.attributes[agg.attr] === 'number');
  switch (agg.fn) {
    case 'count':
      // NR-10: count(attribute) counts the events that have a value for it.
      return batches.filter((b) => agg.attr === '*' || has(b)).reduce((n, b) => n + b.count, 0);
    case 'uniquecount':
      return new Set(batches.filter(has).map((b) => b.attributes[agg.attr])).size;
    case 'uniques': {
      const limit = Math.min(agg.extra[0] ?? UNIQUES_DEFAULT, UNIQUES_MAX);
      return [...new Set(batches.filter(has).map((b) => b.attributes[agg.attr]))].slice(0, limit);
    }
    case 'sum':
      return numeric.reduce((s, b) => s + (b.attributes[agg.attr] as number) * b.count, 0);
    case 'average': {
      const n = numeric.reduce((s, b) => s + b.count, 0);
      return n ? numeric.reduce((s, b) => s + (b.attributes[agg.attr] as number) * b.count, 0) / n : null;
    }
    case 'min':
    case 'max': {
      if (!numeric.length) return null;
      const values = numeric.map((b) => b.attributes[agg.attr] as number);
      return agg.fn === 'min' ? Math.min(...values) : Math.max(...values);
    }
    case 'latest': {
      const newest = batches.filter(has).sort((x, y) => y.timestamp - x.timestamp)[0];
      return newest ? newest.attributes[agg.attr] : null;
    }
    case 'percentile': {
      const sorted = numeric.map((b) => ({ v: b.attributes[agg.attr] as number, n: b.count })).sort((x, y) => x.v - y.v);
      const total = sorted.reduce((s, x) => s + x.n, 0);
      const out: Record<string, number | null> = {};
      for (const p of agg.extra.length ? agg.extra : [95]) {
        let seen = 0;
        const rank = (p / 100) * total;
        out[String(p)] = total ? (sorted.find((x) => (seen += x.n) >= rank) ?? sorted[sorted.length - 1]).v : null;
      }
      return out;
    }
    case 'percentage': {
      const all = compute(agg.inner!, batches) as number;
      const part = compute(
        agg.inner!,
        batches.filter((b) => holds(agg.where!, b.attributes)),
      ) as number;
      return all ? (100 * part) / all : null;
    }
    default:
      return compute(
        agg.inner!,
        batches.filter((b) => holds(agg.where!, b.attributes)),
      );
  }
}

function row(select: Aggregate[], batches: EventBatch[]): Record<string, unknown> {
  return Object.fromEntries(select.map((agg) => [keyOf(agg), compute(agg, batches)]));
}

/** Runs one NRQL query over `events` as NerdGraph's `nrql(query:)` would (NR-08 … NR-12). */
export function runNrql(query: string, events: EventBatch[], now: number, facetRows: FacetRowShape = 'facet-and-attribute'): NrqlAnswer {
  const q = new Parser(tokenize(query), now).parse();
  const since = q.since ?? now - 3_600_000;
  const until = q.until ?? now;
  const types = new Set(q.from.map((t) => t.toLowerCase()));
  const matching = events.filter(
    (b) => types.has(b.type.toLowerCase()) && b.timestamp >= since && b.timestamp < until && (!q.where || holds(q.where, b.attributes)),
  );
  const base = { eventTypes: q.from, facets: q.facet };
  if (!q.facet.length) return { ...base, results: [row(q.select, matching)], otherResult: null, totalResult: row(q.select, matching) };

  const groups = new Map<string, { values: NrValue[]; batches: EventBatch[] }>();
  const outside: EventBatch[] = [];
  for (const b of matching) {
    const values = q.facet.map((f) => b.attributes[f] ?? null);
    if (values.some((v) => v === null)) {
      outside.push(b);
      continue;
    }
    const key = JSON.stringify(values);
    const group = groups.get(key) ?? { values, batches: [] };
    group.batches.push(b);
    groups.set(key, group);
  }
  const first = q.select[0];
  const rank = (g: { batches: EventBatch[] }) => {
    const v = compute(first, g.batches);
    return typeof v === 'number' ? v : g.batches.reduce((n, b) => n + b.count, 0);
  };
  const ordered = [...groups.values()].sort((x, y) => rank(y) - rank(x));
  const limit = q.limit ?? DEFAULT_FACET_LIMIT;
  const shown = ordered.slice(0, limit);
  const rest = ordered
    .slice(limit)
    .flatMap((g) => g.batches)
    .concat(outside);
  const results = shown.map((g) => ({
    ...(facetRows === 'facet-and-attribute' ? { facet: g.values.length === 1 ? g.values[0] : g.values } : {}),
    ...Object.fromEntries(q.facet.map((f, i) => [f, g.values[i]])),
    ...row(q.select, g.batches),
  }));
  return { ...base, results, otherResult: row(q.select, rest), totalResult: row(q.select, matching) };
}
