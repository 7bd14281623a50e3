import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../core/runner';
import { renderJson } from '../core/report/json';
import { renderJunit } from '../core/report/junit';
import { renderMarkdown } from '../core/report/markdown';
import { renderText } from '../core/report/text';

export const FORMATS = ['text', 'json', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export function render(report: RunReport, format: Format, color = false): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    default:
      return renderText(report, { color });
  }
}

/**
 * Writes report.json, report.md, junit.xml and every gate's artifacts into `dir`. Each file is
 * written to a temporary name and renamed, so a reader never sees a half-written report.
 */
export function writeReports(report: RunReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', renderJson(report)],
    ['report.md', renderMarkdown(report)],
    ['junit.xml', renderJunit(report)],
    ...report.results.flatMap((r) => (r.artifacts ?? []).map((a): [string, string] => [a.name, a.content])),
  ];
  for (const [name, content] of files) {
    const path = join(dir, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }
  return files.map(([name]) => join(dir, name));
}
