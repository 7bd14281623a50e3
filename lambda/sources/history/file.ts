import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryRecord, HistoryStore } from '../../core/history';

/** Default location for the CLI, relative to the working directory. */
export const DEFAULT_HISTORY_FILE = '.saas-readiness/history.jsonl';

/**
 * History in a local JSON-lines file: one record per line, appended with a single write so a
 * crash leaves at most a truncated last line, which reading skips.
 */
export class FileHistoryStore implements HistoryStore {
  constructor(private readonly path: string) {}

  describe(): string {
    return `file ${this.path}`;
  }

  async append(record: HistoryRecord): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, JSON.stringify(record) + '\n');
  }

  async query(pk: string, since?: string): Promise<HistoryRecord[]> {
    if (!existsSync(this.path)) return [];
    const out: HistoryRecord[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
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
