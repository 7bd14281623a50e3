/**
 * Finds the line of a field path in a YAML text, for error messages. js-yaml keeps no positions
 * after parsing, so this follows the block structure by indentation; for flow-style mappings it
 * falls back to the line of the nearest enclosing key. Returns a 1-based line or undefined.
 */
export function locateLine(text: string, path: readonly (string | number)[]): number | undefined {
  const lines = text.split(/\r?\n/);
  let start = 0;
  let end = lines.length;
  let parentIndent = -1;
  let found: number | undefined;
  for (const segment of path) {
    const hit = typeof segment === 'number' ? findItem(lines, start, end, parentIndent, segment) : findKey(lines, start, end, parentIndent, segment);
    if (!hit) {
      // Flow style: `{ a: 1, b: 2 }` on the parent's line.
      if (found !== undefined && typeof segment === 'string' && lines[found].includes(`${segment}:`)) return found + 1;
      return found === undefined ? undefined : found + 1;
    }
    found = hit.line;
    parentIndent = hit.indent;
    start = hit.isItem ? hit.line : hit.line + 1;
    end = blockEnd(lines, hit.line + 1, hit.indent, hit.isItem);
  }
  return found === undefined ? undefined : found + 1;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isContent(line: string): boolean {
  const t = line.trim();
  return t !== '' && !t.startsWith('#');
}

function blockEnd(lines: string[], from: number, indent: number, isItem: boolean): number {
  for (let i = from; i < lines.length; i++) {
    if (!isContent(lines[i])) continue;
    const col = indentOf(lines[i]);
    if (col < indent) return i;
    if (col === indent && (isItem || !lines[i].trimStart().startsWith('- '))) return i;
  }
  return lines.length;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function findKey(lines: string[], start: number, end: number, parentIndent: number, key: string) {
  const re = new RegExp(`^\\s*(?:- +)?["']?${escapeRegExp(key)}["']?\\s*:(\\s|$)`);
  let best: { line: number; indent: number; isItem: boolean } | undefined;
  for (let i = start; i < end; i++) {
    if (!re.test(lines[i])) continue;
    const indent = lines[i].search(/[^\s-]/);
    if (indent <= parentIndent) continue;
    if (!best || indent < best.indent) best = { line: i, indent, isItem: false };
  }
  return best;
}

function findItem(lines: string[], start: number, end: number, parentIndent: number, index: number) {
  let count = -1;
  let itemIndent: number | undefined;
  for (let i = start; i < end; i++) {
    const m = /^(\s*)- /.exec(lines[i]);
    if (!m || m[1].length < parentIndent) continue;
    itemIndent ??= m[1].length;
    if (m[1].length !== itemIndent) continue;
    count++;
    if (count === index) return { line: i, indent: m[1].length, isItem: true };
  }
  return undefined;
}
