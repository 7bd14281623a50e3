import { SourceError } from '../../core/errors';
import { openCsvTable } from './csv';
import { openParquetTable } from './parquet';
import type { ObjectStore } from './store';

/** A column to read; `mapKeys` reads a map column (CUR 2.0 `resource_tags`, FOCUS `Tags`) as the value of the first of these keys present. */
export interface ColumnRequest {
  name: string;
  mapKeys?: string[];
}

/**
 * One column of a batch: plain values, or dictionary codes into `values` (how a Parquet row
 * group is held: a few bytes per row instead of a reference and a heap number per value).
 */
export type Column = ArrayLike<unknown> | { codes: ArrayLike<number>; values: unknown[] };

/** The value at row `i` of a column. */
export function valueAt(column: Column, i: number): unknown {
  return 'codes' in column ? column.values[column.codes[i]] : column[i];
}

/**
 * Rows of a data file, column by column, in the order requested. Values: strings, numbers
 * (Parquet DOUBLE), `YYYY-MM-DD` day text for timestamps, null/undefined for no value; a map
 * column as the string value of its key, or undefined.
 */
export interface Batch {
  length: number;
  columns: Column[];
}

export interface DataTable {
  /** What the file is, for the report: `Parquet`, `gzip CSV`, `CSV`. */
  format: string;
  /** Column names, as the file has them. */
  names: string[];
  batches(requests: ColumnRequest[], signal: AbortSignal): AsyncGenerator<Batch>;
  /** Releases the file when its rows are not (all) read. */
  close(): void;
}

/**
 * Opens one data file of an export, telling the format from its first bytes (DE-6): Parquet
 * (`PAR1`), gzip (`1f 8b`), a ZIP archive (refused), else plain CSV.
 */
export async function openTable(store: ObjectStore, key: string, size: number, signal: AbortSignal): Promise<DataTable> {
  const where = `${store.label}/${key}`;
  if (size === 0) throw new SourceError('malformed', `${where} is empty`);
  const head = Buffer.from(await store.range(key, 0, Math.min(4, size), signal));
  if (head.toString('latin1') === 'PAR1') return openParquetTable(store, key, size, signal);
  if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) {
    throw new SourceError('malformed', `${where} is a ZIP archive; export the report with GZIP compression or as Parquet`);
  }
  return openCsvTable(store, key, head[0] === 0x1f && head[1] === 0x8b, signal);
}
