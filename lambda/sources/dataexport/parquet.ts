import * as zlib from 'node:zlib';
import { parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { convert, convertWithDictionary, DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { getMaxDefinitionLevel, getMaxRepetitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { describeError, SourceError } from '../../core/errors';
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

/** Units per day of an INT64 timestamp, by its Parquet unit. */
const PER_DAY = { MILLIS: 86_400_000, MICROS: 86_400_000_000, NANOS: 86_400_000_000_000 } as const;

/**
 * Codecs beyond hyparquet's built-in Snappy, from node:zlib: GZIP and BROTLI, and ZSTD where the
 * runtime has it (Node 22.15 and later, so the Lambda's Node 24); LZ4 is not read.
 */
const zstd = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
const COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(zlib.gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(zlib.brotliDecompressSync(input)),
  ...(zstd ? { ZSTD: (input: Uint8Array) => new Uint8Array(zstd(input)) } : {}),
};

/**
 * A Parquet data file read through hyparquet's page decoder (pure JavaScript): one row group at a
 * time, one requested column at a time, each column chunk fetched with one ranged read and decoded
 * page by page straight into a compact column (doubles, or a code per row). Nothing is assembled
 * into rows or objects, so memory follows the row group's row count at a few bytes a row.
 */
export async function openParquetTable(store: ObjectStore, key: string, size: number, signal: AbortSignal): Promise<DataTable> {
  const where = `${store.label}/${key}`;
  const file: AsyncBuffer = { byteLength: size, slice: (start, end) => store.range(key, start, end ?? size, signal) };
  let metadata: FileMetaData;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new SourceError('malformed', `${where} is not a readable Parquet file: ${describeError(err)}`);
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  return {
    format: 'Parquet',
    names,
    async *batches(requests: ColumnRequest[]): AsyncGenerator<Batch> {
      for (const [index, group] of metadata.row_groups.entries()) {
        const rows = Number(group.num_rows);
        const columns: Column[] = [];
        try {
          for (const r of requests) {
            columns.push(
              r.mapKeys ? await mapLookup(file, metadata, index, r.name, r.mapKeys, rows) : await flatColumn(file, leafOf(metadata, index, [r.name]), rows),
            );
          }
        } catch (err) {
          if (err instanceof SourceError) throw err;
          throw new SourceError('malformed', `${where}: row group ${index + 1} of ${metadata.row_groups.length} cannot be read: ${describeError(err)}`);
        }
        yield { length: rows, columns };
      }
    },
    close: () => undefined,
  };
}

/**
 * A flat column of one row group: DOUBLE/FLOAT as a Float64Array (NaN for null), INT64 timestamps
 * as day codes computed from the raw integers, anything else as dictionary codes.
 */
async function flatColumn(file: AsyncBuffer, leaf: Leaf, rows: number): Promise<Column> {
  if (leaf.entries !== rows) throw new Error(`column ${leaf.name}: ${leaf.entries} values for ${rows} rows`);
  const { element } = leaf.decoder;
  if (element.type === 'DOUBLE' || element.type === 'FLOAT') {
    const doubles = new Float64Array(rows).fill(NaN);
    let row = 0;
    await eachPage(file, leaf, (_rep, def, value) => {
      let vi = 0;
      for (let i = 0; i < def.length; i++, row++) if (def[i] === leaf.maxDef) doubles[row] = Number(value(vi++));
    });
    return doubles;
  }
  const coder = new Coder(rows);
  const unit = element.type === 'INT64' ? timestampUnit(element) : undefined;
  if (unit) {
    // Decoded raw (no Date or BigInt array per page), then turned into days here.
    const raw: Leaf = { ...leaf, decoder: { ...leaf.decoder, element: { ...element, logical_type: undefined, converted_type: undefined } } };
    const perDay = BigInt(PER_DAY[unit]);
    let row = 0;
    await eachPage(file, raw, (_rep, def, value) => {
      let vi = 0;
      for (let i = 0; i < def.length; i++, row++) {
        if (def[i] !== leaf.maxDef) continue;
        const v = value(vi++) as bigint;
        coder.set(row, dayText(Number((v < 0n ? v - perDay + 1n : v) / perDay)));
      }
    });
    return coder.column();
  }
  let row = 0;
  await eachPage(file, leaf, (_rep, def, value) => {
    let vi = 0;
    for (let i = 0; i < def.length; i++, row++) if (def[i] === leaf.maxDef) coder.set(row, value(vi++));
  });
  return coder.column();
}

type SchemaElement = FileMetaData['schema'][number];

/** The unit of an INT64 timestamp column (DE-18), or undefined for any other INT64. */
function timestampUnit(element: SchemaElement): keyof typeof PER_DAY | undefined {
  const logical = element.logical_type as { type?: string; unit?: string } | undefined;
  if (logical?.type === 'TIMESTAMP' && logical.unit && logical.unit in PER_DAY) return logical.unit as keyof typeof PER_DAY;
  if (element.converted_type === 'TIMESTAMP_MILLIS') return 'MILLIS';
  if (element.converted_type === 'TIMESTAMP_MICROS') return 'MICROS';
  return undefined;
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
 * stores its keys and values as two leaf columns of entries, repetition level 0 starting a row; an
 * entry is present where its definition level is at the maximum. The key leaf is reduced to one
 * byte per entry (the rank of the key among `keys`, 0 for others), then the value leaf is walked
 * page by page beside it: memory holds a byte per entry and a code per row, never a string per entry.
 */
async function mapLookup(file: AsyncBuffer, metadata: FileMetaData, groupIndex: number, name: string, keys: string[], rows: number): Promise<Column> {
  const rank = new Map(keys.map((k, i) => [k, i + 1]));
  const keyLeaf = leafOf(metadata, groupIndex, [name, 'key_value', 'key']);
  const valueLeaf = leafOf(metadata, groupIndex, [name, 'key_value', 'value']);
  const keyRank = new Uint8Array(keyLeaf.entries);
  let e = 0;
  await eachPage(file, keyLeaf, (_rep, def, value) => {
    let vi = 0;
    for (let i = 0; i < def.length; i++, e++) if (def[i] === keyLeaf.maxDef) keyRank[e] = rank.get(value(vi++) as string) ?? 0;
  });
  if (valueLeaf.entries !== keyLeaf.entries) throw new Error(`map ${name}: ${keyLeaf.entries} keys but ${valueLeaf.entries} values`);
  const out = new Coder(rows);
  let row = -1;
  let best = 0;
  e = 0;
  await eachPage(file, valueLeaf, (rep, def, valueAt) => {
    let vi = 0;
    for (let i = 0; i < def.length; i++, e++) {
      if (rep[i] === 0) {
        row++;
        best = keys.length + 1;
      }
      const value = def[i] === valueLeaf.maxDef ? valueAt(vi++) : undefined;
      const r = keyRank[e];
      if (r && r < best && value !== undefined && value !== null) {
        best = r;
        out.set(row, value);
      }
    }
  });
  if (row + 1 !== rows) throw new Error(`map ${name}: ${row + 1} rows decoded, the row group has ${rows}`);
  return out.column();
}

type ColumnDecoder = Parameters<typeof readDataPage>[2];

/** One leaf column chunk of a row group, with what decoding its pages needs. */
interface Leaf {
  name: string;
  decoder: ColumnDecoder;
  start: number;
  bytes: number;
  /** Values in the chunk, nulls and (for a map) empty maps included: one per level entry. */
  entries: number;
  maxDef: number;
  maxRep: number;
}

/** The leaf at `path` (a top-level column, or a map's `key_value.key` / `key_value.value`) in row group `groupIndex`. */
function leafOf(metadata: FileMetaData, groupIndex: number, path: string[]): Leaf {
  const meta = metadata.row_groups[groupIndex].columns.find((c) => (c.meta_data?.path_in_schema ?? []).join('\u0000') === path.join('\u0000'))?.meta_data;
  if (!meta) {
    throw new Error(
      path.length > 1 ? `${path[0]} is not a map column of string keys and values (no ${path.slice(1).join('.')} leaf)` : `${path[0]} is not a flat column`,
    );
  }
  const schemaPath = getSchemaPath(metadata.schema, meta.path_in_schema);
  const element = schemaPath[schemaPath.length - 1].element;
  return {
    name: meta.path_in_schema.join('.'),
    decoder: { pathInSchema: meta.path_in_schema, type: meta.type, element, schemaPath, codec: meta.codec, parsers: PARSERS, compressors: COMPRESSORS },
    start: Number(meta.dictionary_page_offset ?? meta.data_page_offset),
    bytes: Number(meta.total_compressed_size),
    entries: Number(meta.num_values),
    maxDef: getMaxDefinitionLevel(schemaPath),
    maxRep: getMaxRepetitionLevel(schemaPath),
  };
}

const bitWidth = (max: number) => 32 - Math.clz32(max);

/**
 * Decodes a leaf's pages one at a time (levels and values, no assembly into rows), handing each to
 * `visit` with its repetition and definition levels and the accessor of its present values.
 * Dictionary-encoded v1 pages (what Parquet writers produce for bills' repetitive columns) are
 * decoded here into byte levels and integer indices, resolved through the dictionary only when
 * visited; other pages go through hyparquet's readDataPage / readDataPageV2.
 */
async function eachPage(
  file: AsyncBuffer,
  leaf: Leaf,
  visit: (rep: ArrayLike<number>, def: ArrayLike<number>, value: (i: number) => unknown) => void,
): Promise<void> {
  const { decoder } = leaf;
  const buffer = await file.slice(leaf.start, leaf.start + leaf.bytes);
  const reader = { view: new DataView(buffer), offset: 0 };
  let dictionary: ArrayLike<unknown> | undefined;
  let entries = 0;
  while (entries < leaf.entries && reader.offset < buffer.byteLength) {
    const header = parquetHeader(reader);
    const bytes = new Uint8Array(buffer, reader.offset, header.compressed_page_size);
    reader.offset += header.compressed_page_size;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(bytes, header.uncompressed_page_size, decoder.codec, COMPRESSORS);
      const plain = readPlain(
        { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 },
        decoder.type,
        header.dictionary_page_header!.num_values,
        decoder.element.type_length,
      );
      dictionary = convert(plain, decoder);
      continue;
    }
    let n: number;
    if (header.type === 'DATA_PAGE' && dictionary && header.data_page_header!.encoding.endsWith('_DICTIONARY')) {
      n = header.data_page_header!.num_values;
      const page = decompressPage(bytes, header.uncompressed_page_size, decoder.codec, COMPRESSORS);
      const r = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      const rep = new Uint8Array(leaf.maxRep ? n : 0);
      if (leaf.maxRep) readRleBitPackedHybrid(r, bitWidth(leaf.maxRep), rep);
      const def = new Uint8Array(n);
      if (leaf.maxDef) readRleBitPackedHybrid(r, bitWidth(leaf.maxDef), def);
      let present = 0;
      for (let i = 0; i < n; i++) if (def[i] === leaf.maxDef) present++;
      const width = r.view.getUint8(r.offset++);
      const indices = new Uint32Array(present);
      if (width) readRleBitPackedHybrid(r, width, indices, page.byteLength - r.offset);
      const dict = dictionary;
      visit(rep, def, (i) => dict[indices[i]]);
    } else if (header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2') {
      const page =
        header.type === 'DATA_PAGE'
          ? readDataPage(decompressPage(bytes, header.uncompressed_page_size, decoder.codec, COMPRESSORS), header.data_page_header!, decoder)
          : readDataPageV2(bytes, header, decoder);
      const encoding = (header.data_page_header ?? header.data_page_header_v2)!.encoding;
      const rep = page.repetitionLevels;
      n = page.definitionLevels?.length || rep.length || (header.data_page_header ?? header.data_page_header_v2)!.num_values;
      const def = page.definitionLevels?.length ? page.definitionLevels : new Uint8Array(n).fill(leaf.maxDef);
      const values = convertWithDictionary(page.dataPage, dictionary as never, encoding, decoder);
      visit(rep, def, (i) => values[i]);
    } else continue;
    if (entries + n > leaf.entries) throw new Error(`leaf ${leaf.name}: pages hold more than the chunk's ${leaf.entries} values`);
    entries += n;
  }
  if (entries !== leaf.entries) throw new Error(`leaf ${leaf.name}: ${entries} of the chunk's ${leaf.entries} values decoded`);
}
