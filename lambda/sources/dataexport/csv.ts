import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { csvError } from '../cur/bill';
import type { ObjectStore } from './store';
import type { Batch, ColumnRequest, DataTable } from './table';

const BATCH_ROWS = 8192;
/** Distinct tag maps remembered per file: JSON text repeats across millions of line items. */
const MAP_CACHE_LIMIT = 50_000;

/**
 * A CSV data file (plain or gzip), streamed through csv-parse: never the whole file in memory.
 * The header is read first; rows then come in batches of the requested columns. A map column
 * (CUR 2.0 `resource_tags`, FOCUS `Tags`) is a JSON object in CSV (DE-19).
 */
export async function openCsvTable(store: ObjectStore, key: string, gzip: boolean, signal: AbortSignal): Promise<DataTable> {
  const where = `${store.label}/${key}`;
  const parser = parse({ bom: true, skip_empty_lines: true, relax_quotes: true });
  const raw = await store.stream(key, signal);
  const source: Readable = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) {
    // zlib says only "unexpected end of file": name the file and what that means.
    raw.on('error', (err) => source.destroy(err));
    source.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code?.startsWith('Z_')) err.message = `${where} is not a valid gzip file (truncated or corrupt): ${err.message}`;
    });
  }
  // pipe() would not forward a read error (a truncated gzip) and the parse would end early as a smaller bill.
  pipeline(source, parser, () => undefined);
  const rows = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  let header: string[];
  try {
    const first = await rows.next();
    header = first.done ? [] : first.value.map((h) => h.trim());
  } catch (err) {
    throw csvError(where, err);
  }
  return {
    format: gzip ? 'gzip CSV' : 'CSV',
    names: header,
    async *batches(requests: ColumnRequest[], abort: AbortSignal): AsyncGenerator<Batch> {
      const index = requests.map((r) => header.indexOf(r.name));
      const caches = requests.map(() => new Map<string, string | undefined>());
      let batch = requests.map(() => [] as unknown[]);
      let n = 0;
      try {
        for (let next = await rows.next(); !next.done; next = await rows.next()) {
          if (abort.aborted) throw abort.reason ?? new Error('aborted');
          const record = next.value;
          for (let c = 0; c < requests.length; c++) {
            const text = index[c] >= 0 ? record[index[c]] : undefined;
            const keys = requests[c].mapKeys;
            batch[c].push(keys ? mapValue(text, keys, caches[c]) : text);
          }
          if (++n === BATCH_ROWS) {
            yield { length: n, columns: batch };
            batch = requests.map(() => [] as unknown[]);
            n = 0;
          }
        }
      } catch (err) {
        throw csvError(where, err);
      } finally {
        raw.destroy();
      }
      if (n) yield { length: n, columns: batch };
    },
    close: () => raw.destroy(),
  };
}

/** The value of the first of `keys` in a JSON object cell; undefined when none (or not JSON). */
function mapValue(text: string | undefined, keys: string[], cache: Map<string, string | undefined>): string | undefined {
  if (!text) return undefined;
  if (cache.has(text)) return cache.get(text);
  let value: string | undefined;
  try {
    const map = JSON.parse(text) as Record<string, unknown>;
    for (const k of keys) {
      const v = map?.[k];
      if (typeof v === 'string') {
        value = v;
        break;
      }
    }
  } catch {
    value = undefined;
  }
  if (cache.size < MAP_CACHE_LIMIT) cache.set(text, value);
  return value;
}
