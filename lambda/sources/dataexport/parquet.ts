import { gunzipSync } from 'node:zlib';
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { describeError } from '../../core/errors';
import { BillSourceError } from '../../checks/cost/ports';
import type { ObjectStore } from './store';
import type { Batch, Column, ColumnRequest, DataTable } from './table';

const DAY_MS = 86_400_000;
const dayTexts = new Map<number, string>();
/** Epoch day → `YYYY-MM-DD`, cached: a bill has few distinct days and millions of rows. */
function dayText(day: number): string {
  let text = dayTexts.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayTexts.set(day, text);
  }
  return text;
}

/** Timestamps (DE-18) as their UTC day: the reader needs nothing finer, and a string costs less than a Date per row. */
const PARSERS = {
  ...DEFAULT_PARSERS,
  timestampFromMilliseconds: (v: bigint) => dayText(Math.floor(Number(v) / DAY_MS)),
  timestampFromMicroseconds: (v: bigint) => dayText(Math.floor(Number(v / 1000n) / DAY_MS)),
  timestampFromNanoseconds: (v: bigint) => dayText(Math.floor(Number(v / 1_000_000n) / DAY_MS)),
  dateFromDays: (v: number) => dayText(v),
};

/** Codecs beyond hyparquet's built-in Snappy: GZIP through node:zlib. */
const COMPRESSORS = { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) };

/**
 * A Parquet data file read with hyparquet (pure JavaScript): one row group at a time, only the
 * requested columns, each fetched with ranged reads. Map columns are decoded page by page from
 * their key and value leaves (see {@link mapLookup}) instead of being assembled into one object per row.
 */
export async function openParquetTable(store: ObjectStore, key: string, size: number, signal: AbortSignal): Promise<DataTable> {
  const where = `${store.label}/${key}`;
  const file: AsyncBuffer = { byteLength: size, slice: (start, end) => store.range(key, start, end ?? size, signal) };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new BillSourceError(`${where} is not a readable Parquet file: ${describeError(err)}`);
  }
  const tree = parquetSchema(metadata);
  const names = tree.children.map((c) => c.element.name);
  return {
    format: 'Parquet',
    names,
    async *batches(requests: ColumnRequest[]): AsyncGenerator<Batch> {
      let groupStart = 0;
      for (const [index, group] of metadata.row_groups.entries()) {
        const rows = Number(group.num_rows);
        const columns: Column[] = [];
        try {
          // One column at a time, each reduced to codes or doubles before the next is decoded.
          for (const r of requests) {
            columns.push(r.mapKeys ? await mapLookup(file, metadata, index, r.name, r.mapKeys, rows) : await flatColumn(file, metadata, r.name, groupStart, rows));
          }
        } catch (err) {
          if (err instanceof BillSourceError) throw err;
          throw new BillSourceError(`${where}: row group ${index + 1} of ${metadata.row_groups.length} cannot be read: ${describeError(err)}`);
        }
        yield { length: rows, columns };
        groupStart += rows;
      }
    },
    close: () => undefined,
  };
}

/** A flat column of one row group: doubles as a Float64Array (NaN for null), anything else as dictionary codes. */
async function flatColumn(file: AsyncBuffer, metadata: FileMetaData, name: string, groupStart: number, rows: number): Promise<Column> {
  let doubles: Float64Array | undefined;
  let coded: Coder | undefined;
  await parquetRead({
    file,
    metadata,
    columns: [name],
    rowStart: groupStart,
    rowEnd: groupStart + rows,
    parsers: PARSERS,
    compressors: COMPRESSORS,
    onChunk: ({ columnData, rowStart }) => {
      const offset = rowStart - groupStart;
      if (!doubles && !coded) {
        const numeric = columnData instanceof Float64Array || columnData instanceof Float32Array || (columnData.length > 0 && typeof columnData[0] === 'number');
        if (numeric) doubles = new Float64Array(rows).fill(NaN);
        else coded = new Coder(rows);
      }
      if (doubles) for (let i = 0; i < columnData.length; i++) doubles[offset + i] = columnData[i] ?? NaN;
      else for (let i = 0; i < columnData.length; i++) coded!.set(offset + i, columnData[i]);
    },
  });
  return doubles ?? (coded ?? new Coder(rows)).column();
}

/** Dictionary codes for one column of a row group. */
class Coder {
  private readonly codes: Uint32Array;
  private readonly index = new Map<unknown, number>([[undefined, 0]]);
  private readonly values: unknown[] = [undefined];

  constructor(rows: number) {
    this.codes = new Uint32Array(rows);
  }

  set(row: number, value: unknown): void {
    const v = value === null ? undefined : value;
    let code = this.index.get(v);
    if (code === undefined) {
      code = this.values.push(v) - 1;
      this.index.set(v, code);
    }
    this.codes[row] = code;
  }

  column(): Column {
    return { codes: this.codes, values: this.values };
  }
}

/**
 * The value of the first of `keys` in each row's map, for one row group (DE-19). A Parquet MAP
 * stores its keys and values as two leaf columns of entries with repetition level 0 at the start
 * of each row; an entry exists where the key's definition level is at its maximum. Both leaves are
 * decoded page by page (levels and values only) and walked side by side, so memory holds one
 * string reference per row, never an object per row.
 */
async function mapLookup(file: AsyncBuffer, metadata: FileMetaData, groupIndex: number, name: string, keys: string[], rows: number): Promise<Column> {
  const leafKey = await leafEntries(file, metadata, groupIndex, name, 'key');
  const leafValue = await leafEntries(file, metadata, groupIndex, name, 'value');
  if (leafKey.rep.length !== leafValue.rep.length) throw new Error(`map ${name}: ${leafKey.rep.length} keys but ${leafValue.rep.length} values`);
  const out = new Coder(rows);
  const rank = new Map(keys.map((k, i) => [k, i]));
  let row = -1;
  let best = keys.length;
  let vi = 0;
  let ki = 0;
  for (let e = 0; e < leafKey.rep.length; e++) {
    if (leafKey.rep[e] === 0) {
      row++;
      best = keys.length;
    }
    const hasKey = leafKey.def[e] === leafKey.maxDef;
    const hasValue = leafValue.def[e] === leafValue.maxDef;
    const k = hasKey ? (leafKey.values[ki++] as string) : undefined;
    const v = hasValue ? (leafValue.values[vi++] as string) : undefined;
    if (k === undefined) continue;
    const r = rank.get(k);
    if (r !== undefined && r < best && v !== undefined && v !== null) {
      best = r;
      out.set(row, v);
    }
  }
  if (row + 1 !== rows) throw new Error(`map ${name}: ${row + 1} rows decoded, the row group has ${rows}`);
  return out.column();
}

interface LeafEntries {
  rep: ArrayLike<number>;
  def: ArrayLike<number>;
  maxDef: number;
  /** Non-null values, in entry order. */
  values: ArrayLike<unknown>;
}

/** Levels and values of the `key` or `value` leaf of map column `name` in one row group. */
async function leafEntries(file: AsyncBuffer, metadata: FileMetaData, groupIndex: number, name: string, leaf: 'key' | 'value'): Promise<LeafEntries> {
  const chunk = metadata.row_groups[groupIndex].columns.find((c) => {
    const path = c.meta_data?.path_in_schema ?? [];
    return path[0] === name && path.length === 3 && path[2] === leaf;
  });
  const meta = chunk?.meta_data;
  if (!meta) throw new Error(`${name} is not a map column of string keys and values (no ${leaf} leaf)`);
  const schemaPath = getSchemaPath(metadata.schema, meta.path_in_schema);
  const element = schemaPath[schemaPath.length - 1].element;
  const decoder = { pathInSchema: meta.path_in_schema, type: meta.type, element, schemaPath, codec: meta.codec, parsers: PARSERS, compressors: COMPRESSORS };
  const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
  const buffer = await file.slice(start, start + Number(meta.total_compressed_size));
  const reader = { view: new DataView(buffer), offset: 0 };
  const total = Number(meta.num_values);
  const maxDef = getMaxDefinitionLevel(schemaPath);
  const rep = new Uint8Array(total);
  const def = new Uint8Array(total);
  const values: unknown[] = [];
  let dictionary: ArrayLike<unknown> | undefined;
  let entries = 0;
  while (entries < total && reader.offset < buffer.byteLength) {
    const header = parquetHeader(reader);
    const bytes = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(bytes, header.uncompressed_page_size, decoder.codec, COMPRESSORS);
      const plain = readPlain({ view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 }, decoder.type, header.dictionary_page_header!.num_values, element.type_length);
      dictionary = convert(plain, decoder);
      continue;
    }
    let page;
    let encoding;
    if (header.type === 'DATA_PAGE') {
      page = readDataPage(decompressPage(bytes, header.uncompressed_page_size, decoder.codec, COMPRESSORS), header.data_page_header!, decoder);
      encoding = header.data_page_header!.encoding;
    } else if (header.type === 'DATA_PAGE_V2') {
      page = readDataPageV2(bytes, header, decoder);
      encoding = header.data_page_header_v2!.encoding;
    } else continue;
    const defs = page.definitionLevels ?? [];
    const n = defs.length || page.repetitionLevels.length;
    if (entries + n > total) throw new Error(`map ${name}: pages hold more than the chunk's ${total} entries`);
    for (let i = 0; i < n; i++) {
      rep[entries + i] = page.repetitionLevels[i] ?? 0;
      def[entries + i] = defs[i] ?? maxDef;
    }
    entries += n;
    const decoded = convertWithDictionary(page.dataPage, dictionary as never, encoding, decoder);
    for (let i = 0; i < decoded.length; i++) values.push(decoded[i]);
  }
  if (entries !== total) throw new Error(`map ${name}: ${entries} of the chunk's ${total} entries decoded`);
  return { rep, def, maxDef, values };
}
