import type { ProbeJournal, ProbeJournalEntry } from '../../checks/config/ports';
import type { HistoryStore } from '../../core/history';

/**
 * The probe journal as records in the append-only history (a local file or the DynamoDB history
 * table): a `begin` record, written before the canary is touched, and an `end` record once it is
 * restored. A begin without an end is a probe a hard kill interrupted.
 */
export class HistoryProbeJournal implements ProbeJournal {
  constructor(
    private readonly history: HistoryStore,
    /** Partition, e.g. `historyKey.probe(suite, source)`. */
    private readonly pk: string,
  ) {}

  describe(): string {
    return this.history.describe();
  }

  async begin(entry: ProbeJournalEntry): Promise<void> {
    await this.history.append({ pk: this.pk, sk: `${new Date().toISOString()}#begin#${entry.id}`, event: 'begin', entry });
  }

  async end(id: string, outcome: string): Promise<void> {
    await this.history.append({ pk: this.pk, sk: `${new Date().toISOString()}#end#${id}`, event: 'end', id, outcome });
  }

  async pending(): Promise<ProbeJournalEntry[]> {
    const records = await this.history.query(this.pk);
    const ended = new Set(records.filter((r) => r.event === 'end').map((r) => String(r.id)));
    return records.filter((r) => r.event === 'begin' && !ended.has((r.entry as ProbeJournalEntry).id)).map((r) => r.entry as ProbeJournalEntry);
  }
}
