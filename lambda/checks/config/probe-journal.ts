import { createHash } from 'node:crypto';
import type { CanaryDocument, ProbeJournal, ProbeJournalEntry } from './ports';
import type { HistoryStore } from '../../core/history';

/**
 * What the journal keeps of a probe: only what a repair needs, and no value of the canary's config.
 * The original config is kept as a *template* — its exact text with every string value blanked
 * (`"\u0000"`) and the path of each — because a repair happens only while the canary still holds
 * what the probe wrote (the original plus the nonce), which has every one of those values: the
 * repair fills them back in from there. Keys, numbers and the change stamp are kept as they were,
 * with the SHA-256 of the original text: only when the filled-in template reproduces it byte for
 * byte (a value escaped differently, `\u00e9` for `é`, does not) is the canary restored exactly;
 * otherwise the repair removes just the probe key.
 */
interface SealedEntry {
  id: string;
  tenant: string;
  key: string;
  nonce: string;
  startedAt: string;
  original: { template: string; paths: (string | number)[][]; stamp?: string | null };
  originalSha256: string;
}

type JournalRecord = { event: 'begin'; entry: SealedEntry | ProbeJournalEntry } | { event: 'end'; id: string };

const BLANK = '"\\u0000"';

/**
 * The probe journal as records in the append-only history (a local file or the DynamoDB history
 * table): a `begin` record, written before the canary is touched, and an `end` record once it is
 * restored. A begin without an end is a probe a hard kill interrupted.
 */
export class HistoryProbeJournal implements ProbeJournal {
  constructor(
    private readonly history: HistoryStore,
    /** Partition, e.g. `historyKey.probe(suite, source)`. */
    private readonly pk: string,
  ) {}

  describe(): string {
    return this.history.describe();
  }

  async begin(entry: ProbeJournalEntry): Promise<void> {
    await this.history.append({ pk: this.pk, sk: `${new Date().toISOString()}#begin#${entry.id}`, event: 'begin', entry: seal(entry) });
  }

  async end(id: string, outcome: string): Promise<void> {
    await this.history.append({ pk: this.pk, sk: `${new Date().toISOString()}#end#${id}`, event: 'end', id, outcome });
  }

  /**
   * Probes begun and never ended. With `read` (the canary's current config), each entry is filled
   * back in for an exact restore; without it, or when the canary no longer holds the values, the
   * entry can only lead to a surgical restore (the probe key removed), which needs none of them.
   */
  async pending(read?: (tenant: string) => Promise<CanaryDocument | undefined>): Promise<ProbeJournalEntry[]> {
    const records = (await this.history.query(this.pk)) as unknown as JournalRecord[];
    const ended = new Set(records.filter((r) => r.event === 'end').map((r) => String((r as { id: unknown }).id)));
    const open = records.flatMap((r) => (r.event === 'begin' && !ended.has(r.entry.id) ? [r.entry] : []));
    const out: ProbeJournalEntry[] = [];
    for (const entry of open) out.push(isSealed(entry) ? unseal(entry, read ? await read(entry.tenant) : undefined) : entry);
    return out;
  }
}

function isSealed(entry: SealedEntry | ProbeJournalEntry): entry is SealedEntry {
  return 'template' in (entry.original as object);
}

function seal(entry: ProbeJournalEntry): SealedEntry {
  const { template, paths } = blankStrings(entry.original.config);
  return {
    id: entry.id,
    tenant: entry.tenant,
    key: entry.key,
    nonce: entry.nonce,
    startedAt: entry.startedAt,
    original: { template, paths, ...(entry.original.stamp !== undefined ? { stamp: entry.original.stamp } : {}) },
    originalSha256: sha256(entry.original.config),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function unseal(entry: SealedEntry, current: CanaryDocument | undefined): ProbeJournalEntry {
  const { id, tenant, key, nonce, startedAt } = entry;
  const stamp = entry.original.stamp !== undefined ? { stamp: entry.original.stamp } : {};
  const config = current ? fillStrings(entry.original.template, entry.original.paths, current.config) : undefined;
  const written = config === undefined ? undefined : JSON.stringify({ ...(JSON.parse(config) as object), [key]: nonce });
  if (config === undefined || written === undefined || sha256(config) !== entry.originalSha256) {
    // Not reconstructible exactly: an impossible `written` makes the exact restore's compare-and-set miss.
    return { id, tenant, key, nonce, startedAt, original: { config: entry.original.template, ...stamp }, written: '' };
  }
  return { id, tenant, key, nonce, startedAt, original: { config, ...stamp }, written };
}

/** Every string *value* token of a JSON text (not keys), with its path, in text order. */
function stringValues(text: string): { start: number; end: number; path: (string | number)[] }[] {
  const out: { start: number; end: number; path: (string | number)[] }[] = [];
  const stack: { array: boolean; key?: string; index: number; expectKey: boolean }[] = [];
  let i = 0;
  const readString = () => {
    const start = i;
    for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
    return { start, end: i };
  };
  while (i < text.length) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '{' || c === '[') {
      stack.push({ array: c === '[', index: 0, expectKey: c === '{' });
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === ',') {
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === ':') {
      if (top) top.expectKey = false;
      i++;
    } else if (c === '"') {
      const span = readString();
      if (top && !top.array && top.expectKey) top.key = JSON.parse(text.slice(span.start, span.end)) as string;
      else out.push({ ...span, path: stack.map((f) => (f.array ? f.index : (f.key ?? ''))) });
    } else i++;
  }
  return out;
}

function blankStrings(text: string): { template: string; paths: (string | number)[][] } {
  const spans = stringValues(text);
  let template = '';
  let last = 0;
  for (const s of spans) {
    template += text.slice(last, s.start) + BLANK;
    last = s.end;
  }
  return { template: template + text.slice(last), paths: spans.map((s) => s.path) };
}

/** The template with each blank filled from the same path of `source` (JSON text), or undefined. */
function fillStrings(template: string, paths: (string | number)[][], source: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch {
    return undefined;
  }
  const spans = stringValues(template);
  if (spans.length !== paths.length) return undefined;
  let out = '';
  let last = 0;
  for (const [n, s] of spans.entries()) {
    let node = doc;
    for (const p of paths[n]) node = node !== null && typeof node === 'object' ? (node as { [k: string]: unknown })[p] : undefined;
    if (typeof node !== 'string') return undefined;
    out += template.slice(last, s.start) + JSON.stringify(node);
    last = s.end;
  }
  return out + template.slice(last);
}
