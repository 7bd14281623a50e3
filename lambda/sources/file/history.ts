import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { HistoryRecord, HistoryStore } from '../../core/history';
import { readTextFile } from '../../core/files';

/** Default location for the CLI, relative to the working directory. */
export { DEFAULT_HISTORY_FILE } from '../../core/history';

/** A history file is read whole; past this size use the DynamoDB history table (or a new file). */
export const MAX_HISTORY_FILE_BYTES = 64 * 2 ** 20;

/**
 * History in a local JSON-lines file: one record per line, appended with a single write so a
 * crash leaves at most a truncated last line, which reading skips. The file is readable by its
 * owner only (0600); a folder the store creates, and `.saas-readiness/` always, is private (0700)
 * and holds a `.gitignore` ignoring everything in it, so the history never lands in a repository.
 */
export class FileHistoryStore implements HistoryStore {
  constructor(private readonly path: string) {}

  describe(): string {
    return `file ${this.path}`;
  }

  async append(record: HistoryRecord): Promise<void> {
    const dir = dirname(this.path);
    const created = !existsSync(dir);
    if (created) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ignore = join(dir, '.gitignore');
    if ((created || basename(dir) === '.saas-readiness') && !existsSync(ignore)) {
      writeFileSync(ignore, '# written by saas-readiness: its history and probe journal stay out of version control\n*\n', { mode: 0o600 });
    }
    appendFileSync(this.path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  async query(pk: string, since?: string): Promise<HistoryRecord[]> {
    if (!existsSync(this.path)) return [];
    const out: HistoryRecord[] = [];
    let text: string;
    try {
      text = readTextFile(this.path, MAX_HISTORY_FILE_BYTES, { lenient: true });
    } catch (err) {
      throw new Error(`history file ${this.path} ${(err as Error).message}`);
    }
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let rec: HistoryRecord;
      try {
        rec = JSON.parse(line) as HistoryRecord;
      } catch {
        continue;
      }
      if (rec.pk === pk && (!since || rec.sk >= since)) out.push(rec);
    }
    return out.sort((a, b) => (a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
  }
}
