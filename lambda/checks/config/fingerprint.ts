import { createHash } from 'node:crypto';

import { DEFAULT_FINGERPRINT_DEPTH } from './defaults';

export { DEFAULT_FINGERPRINT_DEPTH };

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * The key paths and value types inside one config document, e.g. `json retrieval.topK number`.
 * Array elements share the path `name[]`; `skipKey` (the probe's reserved key) is left out.
 */
export function jsonShape(doc: Record<string, unknown>, skipKey: string, out: Set<string>, maxDepth = DEFAULT_FINGERPRINT_DEPTH): void {
  const walk = (node: unknown, path: string, depth: number) => {
    out.add(`json ${path} ${typeOf(node)}`);
    if (depth >= maxDepth) return;
    if (Array.isArray(node)) for (const item of node) walk(item, `${path}[]`, depth + 1);
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, `${path}.${k}`, depth + 1);
  };
  for (const [k, v] of Object.entries(doc)) if (k !== skipKey) walk(v, k, 1);
}

export interface Fingerprint {
  hash: string;
  /** Sorted, one element per line. */
  entries: string[];
}

export function fingerprintOf(structure: readonly string[], shapes: ReadonlySet<string>): Fingerprint {
  const entries = [...new Set([...structure, ...shapes])].sort();
  const hash = createHash('sha256').update(entries.join('\n')).digest('hex');
  return { hash: `sha256:${hash}`, entries };
}

/** A readable account of what changed between two fingerprints, e.g. "JSON key renamed: a.b → a.c". */
export function describeChange(before: readonly string[], after: readonly string[]): string[] {
  const old = new Set(before);
  const now = new Set(after);
  const removed = before.filter((e) => !now.has(e));
  const added = after.filter((e) => !old.has(e));
  const out: string[] = [];
  const parse = (e: string) => {
    const [kind, path, ...rest] = e.split(' ');
    return { kind, path, type: rest.join(' ') };
  };
  const usedAdded = new Set<string>();
  for (const r of removed) {
    const a = parse(r);
    // Same element, different type: a type change (column type or nullability, JSON value type).
    const retyped = added.find((x) => !usedAdded.has(x) && parse(x).kind === a.kind && parse(x).path === a.path);
    if (retyped) {
      usedAdded.add(retyped);
      out.push(`${a.kind} ${a.path} changed: ${a.type} → ${parse(retyped).type}`);
      continue;
    }
    // Same parent and type under another name: a rename.
    const parent = (p: string) => p.replace(/[.][^.]*$|^[^.]*$/, '');
    const renamed = added.find((x) => {
      const b = parse(x);
      return !usedAdded.has(x) && b.kind === a.kind && b.type === a.type && parent(b.path) === parent(a.path) && !removed.some((y) => parse(y).path === b.path);
    });
    if (renamed && !added.some((x) => parse(x).path === a.path)) {
      usedAdded.add(renamed);
      out.push(`${a.kind === 'json' ? 'JSON key' : a.kind} renamed: ${a.path} → ${parse(renamed).path}`);
      continue;
    }
    out.push(`${a.kind === 'json' ? 'JSON key' : a.kind} removed: ${a.path} ${a.type}`);
  }
  for (const x of added) {
    if (usedAdded.has(x)) continue;
    const b = parse(x);
    out.push(`${b.kind === 'json' ? 'JSON key' : b.kind} added: ${b.path} ${b.type}`);
  }
  // Children of a renamed key follow their parent; report the parent only.
  return out.filter((line, i) => {
    const m = /renamed: (\S+) → (\S+)$/.exec(line);
    if (m) return true;
    return !out.some((other, j) => {
      const r = j !== i && /renamed: (\S+) → (\S+)$/.exec(other);
      return r && (line.includes(` ${r[1]}.`) || line.includes(` ${r[2]}.`) || line.includes(` ${r[1]}[`) || line.includes(` ${r[2]}[`));
    });
  });
}
