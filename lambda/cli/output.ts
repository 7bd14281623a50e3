import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunReport } from '../core/runner';
import { renderGithub, type GateLocator } from '../core/report/github';
import { renderHtml, type HtmlInputs } from '../core/report/html';
import { renderJson } from '../core/report/json';
import { renderJunit } from '../core/report/junit';
import { renderMarkdown } from '../core/report/markdown';
import { renderText } from '../core/report/text';

export const FORMATS = ['text', 'json', 'junit', 'markdown', 'github', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  color?: boolean;
  /** `github`: where each gate is configured, for the annotations' file and line. */
  locate?: GateLocator;
  /** `html`: the recorded runs for the status-over-time chart. */
  html?: HtmlInputs;
}

export function render(report: RunReport, format: Format, opts: RenderOptions = {}): string {
  switch (format) {
    case 'github':
      return renderGithub(report, opts.locate);
    case 'html':
      return renderHtml(report, opts.html);
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
    default:
      return renderText(report, { color: opts.color });
  }
}

/**
 * Writes report.json, report.md, junit.xml, report.html and every gate's artifacts into `dir`. Each file is
 * written to a temporary name and renamed, so a reader never sees a half-written report.
 */
export function writeReports(report: RunReport, dir: string, html: HtmlInputs = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['report.json', renderJson(report)],
    ['report.md', renderMarkdown(report)],
    ['junit.xml', renderJunit(report)],
    ['report.html', renderHtml(report, html)],
    ...report.results.flatMap((r) => (r.artifacts ?? []).map((a): [string, string] => [a.name, a.content])),
  ];
  for (const [name, content] of files) {
    const path = join(dir, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
  }
  return files.map(([name]) => join(dir, name));
}
