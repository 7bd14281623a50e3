import { constructFromEvents, CORE_SCHEMA, EVENT_ID, getScalarValue, parseEvents, YAMLException, type Event } from 'js-yaml';
import { ConfigError } from '../errors';
import { excerpt } from '../redact';

/**
 * Limits on a readiness.yaml document, enforced on the parser's events before any value is built,
 * so a small hostile file (nested aliases, "billion laughs") is refused in milliseconds instead of
 * being expanded. A real config is a few hundred nodes; these leave room for thousands.
 */
export const YAML_BUDGET = {
  /** Bytes of text. */
  maxBytes: 1 * 2 ** 20,
  /** Nodes of the document with every alias expanded (what every later walk visits). */
  maxNodes: 100_000,
  /** Nesting, aliases expanded. */
  maxDepth: 64,
  /** Characters of one scalar value. */
  maxScalarChars: 64 * 1024,
  /** Characters of one mapping key (no key of the schema is longer than a few dozen). */
  maxKeyChars: 256,
} as const;

interface Frame {
  kind: 'mapping' | 'sequence';
  /** Expanded nodes counted when this collection started, to size it when it ends. */
  startTotal: number;
  /** Tallest child, aliases expanded. */
  childHeight: number;
  anchor?: string;
  /** Mapping: whether the next node is a key; sequence: the next item's index. */
  expectKey: boolean;
  index: number;
  key?: string;
}

/**
 * Parses one YAML document (core schema) within {@link YAML_BUDGET}. Syntax errors and every
 * limit are a ConfigError naming file, line and (where known) field path; a key or value is never
 * echoed beyond a short redacted excerpt.
 */
export function parseYamlDocument(text: string, file: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > YAML_BUDGET.maxBytes) {
    throw new ConfigError(`is larger than the ${YAML_BUDGET.maxBytes / 2 ** 20} MiB a config may be`, file);
  }
  let events: Event[];
  try {
    events = parseEvents(text, { filename: file, maxDepth: YAML_BUDGET.maxDepth });
    checkBudget(text, events, file);
    const documents = constructFromEvents(events, { source: text, filename: file, schema: CORE_SCHEMA });
    if (documents.length > 1) {
      const line = secondDocumentLine(text, events);
      throw new ConfigError(
        `holds more than one YAML document: a second one starts here (a \`---\` separator); only one document is allowed in a config`,
        line ? `${file}:${line}` : file,
      );
    }
    return documents[0];
  } catch (err) {
    if (err instanceof YAMLException) {
      const mark = err.mark;
      const where = mark ? `${file}:${mark.line + 1}:${mark.column + 1}` : file;
      const open = mark ? openQuoteAt(text, mark.position) : undefined;
      const unterminated = open
        ? `; a quoted string opened with ${open.quote} on line ${open.line} is not closed (an unterminated string runs on until the next ${open.quote}): close it on the line where it starts`
        : '';
      throw new ConfigError(`invalid YAML: ${excerpt(err.reason, 200)}${unterminated}`, where);
    }
    throw err;
  }
}

/**
 * Where the second document of a multi-document file starts: the `---` line before its first
 * node, or the separator itself when that document is empty.
 */
function secondDocumentLine(text: string, events: Event[]): number | undefined {
  const separators: number[] = [];
  const lines = text.split('\n');
  lines.forEach((l, i) => {
    if (/^---(\s|$)/.test(l)) separators.push(i + 1);
  });
  let documents = 0;
  let firstExplicit = false;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      documents++;
      if (documents === 1) firstExplicit = event.explicitStart;
      if (documents === 2 && event.explicitStart) return separators[firstExplicit ? 1 : 0];
    }
  }
  return separators[firstExplicit ? 1 : 0];
}

/**
 * Whether `offset` lies inside a quoted scalar that opened earlier (a forgotten closing quote,
 * which js-yaml reports only where the run-on string breaks the indentation): the quote and its
 * line, else undefined. A light scan: comments, plain scalars with apostrophes, escapes.
 */
export function openQuoteAt(text: string, offset: number): { quote: string; line: number } | undefined {
  let quote: string | undefined;
  let openedAt = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const c = text[i];
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'" && text[i + 1] === "'") i++;
      else if (c === "'") quote = undefined;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      i = end;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:,[{-]/.test(text[i - 1]))) {
      quote = c;
      openedAt = i;
    }
  }
  if (!quote) return undefined;
  // A string closed on its own line is no unterminated one even if the error lies past it.
  const line = text.slice(0, openedAt).split('\n').length;
  const rest = text.slice(openedAt + 1).split('\n')[0];
  if (rest.includes(quote)) return undefined;
  return { quote, line };
}

function checkBudget(text: string, events: Event[], file: string): void {
  const anchors = new Map<string, { size: number; height: number }>();
  const frames: Frame[] = [];
  let total = 0;
  const lineAt = (offset: number) => {
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  const fail = (offset: number, message: string): never => {
    // Inside a mapping's value the path has its key; at a key position it does not yet.
    const path = frames.flatMap((f) => (f.kind === 'sequence' ? [String(f.index)] : f.expectKey || f.key === undefined ? [] : [excerpt(f.key, 40)]));
    throw new ConfigError(message, `${file}:${lineAt(offset)}${path.length ? `: ${path.join('.')}` : ''}`);
  };
  const anchorName = (e: { anchorStart: number; anchorEnd: number }) => (e.anchorStart === -1 ? undefined : text.slice(e.anchorStart, e.anchorEnd));
  /** Accounts for one node (its expanded size and height) in the collection that holds it. */
  const place = (offset: number, size: number, height: number, key?: string) => {
    total += size;
    if (total > YAML_BUDGET.maxNodes) {
      fail(offset, `the document expands to more than ${YAML_BUDGET.maxNodes.toLocaleString('en-US')} nodes (nested aliases?); a config is far smaller`);
    }
    if (frames.length + height > YAML_BUDGET.maxDepth) fail(offset, `nested deeper than ${YAML_BUDGET.maxDepth} levels (aliases expanded)`);
    const parent = frames[frames.length - 1];
    if (!parent) return;
    parent.childHeight = Math.max(parent.childHeight, height);
    if (parent.kind === 'sequence') parent.index++;
    else if (parent.expectKey) {
      parent.key = key;
      parent.expectKey = false;
    } else parent.expectKey = true;
  };
  const atKey = () => {
    const parent = frames[frames.length - 1];
    return parent?.kind === 'mapping' && parent.expectKey;
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        anchors.clear();
        total = 0;
        break;
      case EVENT_ID.SCALAR: {
        const raw = event.valueEnd - event.valueStart;
        const key = atKey();
        if (key && raw > YAML_BUDGET.maxKeyChars) {
          fail(
            event.valueStart,
            `a key of ${raw.toLocaleString('en-US')} characters (${excerpt(text.slice(event.valueStart, event.valueStart + 40), 40)}); keys are at most ${YAML_BUDGET.maxKeyChars}`,
          );
        }
        if (raw > YAML_BUDGET.maxScalarChars)
          fail(event.valueStart, `a value of ${raw.toLocaleString('en-US')} characters; values are at most ${YAML_BUDGET.maxScalarChars / 1024} KiB`);
        const name = anchorName(event);
        if (name) anchors.set(name, { size: 1, height: 0 });
        place(event.valueStart, 1, 0, key ? getScalarValue(text, event) : undefined);
        break;
      }
      case EVENT_ID.ALIAS: {
        if (atKey()) fail(event.anchorStart, 'an alias as a mapping key; keys must be plain text');
        const anchor = anchors.get(text.slice(event.anchorStart, event.anchorEnd));
        // An unknown alias is reported by the constructor with its position.
        place(event.anchorStart, anchor?.size ?? 1, anchor?.height ?? 0);
        break;
      }
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        if (atKey()) fail(event.start, 'a collection as a mapping key; keys must be plain text');
        // The collection itself counts now; its children as they come.
        const offset = event.start;
        total += 1;
        if (total > YAML_BUDGET.maxNodes)
          fail(offset, `the document expands to more than ${YAML_BUDGET.maxNodes.toLocaleString('en-US')} nodes; a config is far smaller`);
        frames.push({
          kind: event.type === EVENT_ID.MAPPING ? 'mapping' : 'sequence',
          startTotal: total - 1,
          childHeight: -1,
          anchor: anchorName(event),
          expectKey: true,
          index: 0,
        });
        break;
      }
      case EVENT_ID.POP: {
        const frame = frames.pop();
        if (!frame) break;
        const size = total - frame.startTotal;
        const height = frame.childHeight + 1;
        if (frame.anchor) anchors.set(frame.anchor, { size, height });
        // Its nodes were counted in `total` as they came; placing it again only settles the parent.
        total -= size;
        place(0, size, height);
        break;
      }
      default:
        break;
    }
  }
}
