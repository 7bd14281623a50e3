import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { CostLedger, LedgerSummary } from '../../checks/cost/ports';
import type { CostWindow } from '../../checks/cost/window';
import { csvError, MAX_CSV_RECORD_BYTES } from '../cur/bill';
import { openLocation } from '../cur/location';
import { ledgerColumns, type LedgerMapping } from '../../checks/cost/ledger-mapping';
import { LedgerTally } from '../../checks/cost/ledger-tally';
export { csvSourceSchema, type CsvSourceConfig } from './schema';
import type { CsvSourceConfig } from './schema';

/** The cost ledger as a CSV export with the four ledger columns, streamed and summed in one pass. */
export class CsvCostLedger implements CostLedger {
  constructor(
    private readonly src: CsvSourceConfig,
    private readonly mapping: LedgerMapping,
  ) {}

  async summarize(window: CostWindow, signal: AbortSignal): Promise<LedgerSummary> {
    const names = ledgerColumns(this.mapping);
    const stream = await openLocation(this.src.path, { region: this.src.region, signal });
    const tally = new LedgerTally(window);
    let header: string[] | undefined;
    let idx!: number[];
    try {
      const parser = parse({ bom: true, skip_empty_lines: true, trim: true, max_record_size: MAX_CSV_RECORD_BYTES });
      // pipe() does not forward a read error (a truncated gzip): the parse would end early and read as a smaller ledger.
      pipeline(stream, parser, () => undefined);
      for await (const record of parser as AsyncIterable<string[]>) {
        if (signal.aborted) throw signal.reason ?? new Error('aborted');
        if (!header) {
          header = record;
          idx = [names.tenant, names.provider, names.date, names.cost].map((n) => header!.indexOf(n));
          const missing = [names.tenant, names.provider, names.date, names.cost].filter((_, i) => idx[i] < 0);
          if (missing.length) throw new Error(`${this.src.path}: missing column(s) ${missing.join(', ')} (header: ${header.join(', ')})`);
          continue;
        }
        const problem = tally.add(record[idx[0]] ?? '', record[idx[1]] ?? '', record[idx[2]], record[idx[3]]);
        if (problem) throw new Error(`${this.src.path}: line ${tally.rows + 1}: ${problem}`);
      }
    } catch (err) {
      throw csvError(this.src.path, err);
    } finally {
      stream.destroy();
    }
    if (!header) throw new Error(`${this.src.path} is empty`);
    return tally.summary(`CSV ${this.src.path}`);
  }

  async close(): Promise<void> {}
}
