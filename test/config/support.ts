import { prepareGates } from '../../lambda/core/config/load';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { BUILT_IN } from '../../lambda/registry';
import type { SourceConfig } from '../../lambda/core/config/types';
import type { CheckResult } from '../../lambda/core/result';
import { runGates } from '../../lambda/core/runner';
import { plainSecrets } from '../support/gate';

export const DAY = 86_400_000;

const tempDirs: string[] = [];
// Removed after each test file; the child-process fixture imports this module outside jest.
if (typeof afterAll === 'function') afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

export function tempHistoryFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sr-config-test-'));
  tempDirs.push(dir);
  return join(dir, 'history.jsonl');
}

/** Runs gate 3 through the real runner, at a chosen clock. */
export async function runConfigGate(
  sources: Record<string, SourceConfig>,
  gate: Record<string, unknown>,
  opts: { now?: Date; probes?: boolean } = {},
): Promise<CheckResult> {
  const at = opts.now;
  const started = Date.now();
  const report = await runGates({
    registry: BUILT_IN,
    loaded: {
      config: prepareGates(BUILT_IN, structuredClone({ version: 1, suite: 'test', sources, gates: { config: { source: 'appdb', ...gate } } })),
      skipped: {},
    },
    only: ['config'],
    secrets: plainSecrets,
    probes: opts.probes ?? true,
    ...(at ? { now: () => new Date(at.getTime() + (Date.now() - started)) } : {}),
  });
  return report.results[0];
}

/** The whole config table, every column, as text: the before/after comparison. */
export async function configTable(url: string, table = 'tenant_configs'): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(`SELECT to_jsonb(t)::text AS row FROM ${table} t ORDER BY 1`);
    return r.rows.map((x: { row: string }) => x.row).join('\n');
  } finally {
    await c.end();
  }
}

/** Reads the canary's config straight from the database (what a real app would serve). */
export async function canaryFromDb(url: string, tenant = 'test-canary'): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query('SELECT config::text AS config FROM tenant_configs WHERE tenant_id = $1', [tenant]);
    return r.rows[0]?.config ?? '{}';
  } finally {
    await c.end();
  }
}
