import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * A PGlite data folder after initdb, dumped once and loaded by every suite that starts PGlite:
 * a cold PGlite.create() runs initdb (7–10 s on a 2-core machine, 30 s under load); loading the
 * dump takes ~3 s. The dump is kept under node_modules/.cache keyed by the PGlite version, so it is
 * made once per install (a fresh `npm ci` makes it again), and written atomically so that two jest
 * projects' global setups, or two runs, never read half a file.
 */
const ROOT = join(__dirname, '..', '..');

function pgliteVersion(): string {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')).version;
}

export function pgliteDataPath(): string {
  return join(ROOT, 'node_modules', '.cache', 'saas-readiness', `pglite-${pgliteVersion()}-datadir.tar`);
}

/** Makes the dump when missing; returns its path. */
export async function ensurePgliteData(): Promise<string> {
  const path = pgliteDataPath();
  if (existsSync(path)) return path;
  mkdirSync(join(path, '..'), { recursive: true });
  const db = await PGlite.create();
  const dump = await db.dumpDataDir('none');
  await db.close();
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, path);
  return path;
}

/** The dump the global setup made, or undefined (a suite run without it falls back to a cold start). */
export function pgliteData(): Blob | undefined {
  const path = process.env.SR_TEST_PGLITE_DATA;
  return path && existsSync(path) ? new Blob([readFileSync(path)]) : undefined;
}
