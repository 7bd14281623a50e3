/** Fenced ```text blocks of the docs and the marker that says where their text comes from. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** Scenarios produced by running the demo itself (slow: see demo-output.test.ts). */
export const DEMO_SCENARIOS = ['demo-cost-drift', 'demo-config-pass'];

export interface QuotedBlock {
  file: string;
  line: number;
  marker: string | undefined;
  text: string;
}

/** Every ```text block of README.md and docs/, with the marker comment above it. */
export function quotedBlocks(): QuotedBlock[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  const blocks: QuotedBlock[] = [];
  for (const file of [join(root, 'README.md'), ...walk(join(root, 'docs'))]) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)```(\S*)/.exec(lines[i]);
      if (!open) continue;
      const indent = open[1].length;
      let end = i + 1;
      while (end < lines.length && !lines[end].trimStart().startsWith('```')) end++;
      if (open[2] === 'text') {
        let above = i - 1;
        while (above >= 0 && lines[above].trim() === '') above--;
        blocks.push({
          file: relative(root, file),
          line: i + 1,
          marker: /^\s*<!-- (output: [\w-]+|illustrative: .+) -->$/.exec(lines[above] ?? '')?.[1],
          text: lines
            .slice(i + 1, end)
            .map((l) => l.slice(indent))
            .join('\n'),
        });
      }
      i = end;
    }
  }
  return blocks;
}
