import type { RunReport } from '../runner';

/** The machine-readable report; `schemaVersion` changes only on incompatible changes. */
export function renderJson(report: RunReport): string {
  const { results, ...rest } = report;
  // Artifacts are written as files of their own; the JSON names them instead of inlining them.
  const slim = results.map(({ artifacts, ...r }) => (artifacts?.length ? { ...r, artifacts: artifacts.map((a) => a.name) } : r));
  // JSON already escapes C0 controls; C1 controls and bidi overrides get \u escapes too (same values).
  return `${JSON.stringify({ ...rest, results: slim }, null, 2).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
