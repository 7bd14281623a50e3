import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError } from '../core/errors';
import { describeFileError, fileKind } from '../core/files';
import { redact } from '../core/redact';
import type { RunReport } from '../core/runner';
import { renderGithub, type GateLocator } from '../core/report/github';
import { renderHtml, type HtmlInputs } from '../core/report/html';
import { renderJson } from '../core/report/json';
import { renderJunit } from '../core/report/junit';
import { renderMarkdown } from '../core/report/markdown';
import { renderText } from '../core/report/text';

import type { Format } from './options';

export { FORMATS, type Format } from './options';

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

/** Parent folders `--out` may create (a deeper missing path is more likely a typo). */
const MAX_CREATED_LEVELS = 8;

/**
 * Makes sure `--out DIR` can take the reports before any gate runs: creates the folder (one level
 * at a time: Node's recursive mkdir can loop forever under /proc) and writes and removes a probe
 * file in it. Any problem is a ConfigError naming the folder, so the CLI exits 2 with nothing run.
 */
export function prepareOutDir(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; ; at = dirname(at)) {
    let stat;
    try {
      stat = statSync(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' || at === dirname(at) || missing.length >= MAX_CREATED_LEVELS)
        throw new ConfigError(`cannot create the folder: ${describeFileError(err)}`, `--out ${dir}`);
      missing.unshift(at);
      continue;
    }
    if (!stat.isDirectory()) throw new ConfigError(`${at} is ${fileKind(stat)}, not a folder`, `--out ${dir}`);
    break;
  }
  for (const folder of missing) {
    try {
      mkdirSync(folder);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new ConfigError(`cannot create ${folder}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code}`, `--out ${dir}`);
    }
  }
  const probe = join(dir, `.saas-readiness-write-check-${process.pid}`);
  try {
    const fd = openSync(probe, 'wx');
    try {
      writeSync(fd, 'ok');
    } finally {
      closeSync(fd);
    }
    unlinkSync(probe);
  } catch (err) {
    rmSync(probe, { force: true });
    throw new ConfigError(`the folder is not writable: ${describeFileError(err).replace('cannot read', 'cannot write')}`, `--out ${dir}`);
  }
}

/**
 * Writes report.json, report.md, junit.xml, report.html and every gate's artifacts into `dir`, every byte
 * redacted. All files are first written under temporary names and only then renamed, so a reader
 * never sees a half-written report and a failed write leaves the previous reports as they were.
 */
export function writeReports(report: RunReport, dir: string, html: HtmlInputs = {}): string[] {
  const files: [string, string][] = [
    ['report.json', renderJson(report)],
    ['report.md', renderMarkdown(report)],
    ['junit.xml', renderJunit(report)],
    ['report.html', renderHtml(report, html)],
    ...report.results.flatMap((r) => (r.artifacts ?? []).map((a): [string, string] => [a.name, a.content])),
  ];
  const written: string[] = [];
  try {
    for (const [name, content] of files) {
      const tmp = join(dir, `${name}.tmp`);
      written.push(tmp);
      writeFileSync(tmp, redact(content));
    }
  } catch (err) {
    for (const tmp of written) rmSync(tmp, { force: true });
    throw new ConfigError(`cannot write the reports: ${describeFileError(err).replace('cannot read', 'cannot write')}`, `--out ${dir}`);
  }
  for (const [name] of files) renameSync(join(dir, `${name}.tmp`), join(dir, name));
  return files.map(([name]) => join(dir, name));
}
