import type { RunReport } from '../runner';

/** The machine-readable report; `schemaVersion` changes only on incompatible changes. */
export function renderJson(report: RunReport): string {
  const { results, ...rest } = report;
  // Artifacts are written as files of their own; the JSON names them instead of inlining them.
  const slim = results.map(({ artifacts, ...r }) => (artifacts?.length ? { ...r, artifacts: artifacts.map((a) => a.name) } : r));
  return JSON.stringify({ ...rest, results: slim }, null, 2) + '\n';
}
