/**
 * The demo's temporary folders, removed on every way out: its own cleanup, `process.exit` (also
 * after an interrupt), an uncaught error. Only a SIGKILL can leave one behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const folders = new Set<string>();

export function demoTempDir(prefix: string): string {
  if (folders.size === 0) process.once('exit', removeDemoTempDirs);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  folders.add(dir);
  return dir;
}

export function removeDemoTempDirs(): void {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  folders.clear();
}
