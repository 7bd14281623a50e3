/** The project's documentation as the doc tests read it: README.md and docs/**, their fenced blocks and prose. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

/** README.md and every Markdown page under docs/, as absolute paths. */
export function documentationFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs'))];
}

export interface FencedBlock {
  /** Relative to the repository root. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string after the fence (`yaml`, `text`, '' for none). */
  lang: string;
  /** The body, with the fence's own indentation removed. */
  text: string;
  /** The text of an HTML comment `<!-- … -->` on the nearest non-blank line above the fence. */
  comment: string | undefined;
}

/** Every fenced code block of README.md and docs/. */
export function documentationBlocks(): FencedBlock[] {
  return documentationFiles().flatMap((path) => fencedBlocks(relative(ROOT, path), readFileSync(path, 'utf8')));
}

/** Every fenced code block of a Markdown text (fences may be indented, as inside a list item); `file` names it. */
export function fencedBlocks(file: string, markdown: string): FencedBlock[] {
  const lines = markdown.split('\n');
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const indent = open[1].length;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    blocks.push({
      file,
      line: i + 1,
      lang: open[2],
      text: lines
        .slice(i + 1, end)
        .map((l) => l.slice(indent))
        .join('\n'),
      comment: /^\s*<!-- (.+) -->\s*$/.exec(lines[above] ?? '')?.[1],
    });
    i = end;
  }
  return blocks;
}

/** The lines of a Markdown text outside fenced code blocks, with their 1-based numbers. */
export function proseLines(text: string): Array<[number, string]> {
  let fenced = false;
  const out: Array<[number, string]> = [];
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    else if (!fenced) out.push([i + 1, line]);
  });
  return out;
}
