import type { ByteWriter } from 'hyparquet-writer';
import type { ColumnChunk, CompressionCodec, Encoding, SchemaElement, Statistics } from 'hyparquet';
import { writeDataPageV2, writePageHeader } from 'hyparquet-writer/src/datapage.js';
import type { ColumnEncoder } from 'hyparquet-writer/src/types.js';
import { DeltaBinaryPackedEncoder } from './delta-binary-packed';
import type { FlatColumn } from './flat-column';
import { DictionaryIdsPageWriter, plainDictionary, writeDictionaryPage, type PlainDictionary } from './dictionary-pages';
import type { PageCodec } from './page-codecs';

/** One column of a flat Parquet file: buffers a row group's values, then writes them as one column chunk. */
export interface ChunkWriter {
  /** Stores row i's value (checked against the column's type) until the chunk is written. */
  set(i: number, v: unknown): void;
  /** Writes the chunk of the first `rows` buffered values (or, for a keyed column, of `keys`) at `out`'s offset and forgets them. */
  writeChunk(out: ByteWriter, rows: number, keys?: RowKeys): ColumnChunk;
}

/** The row keys of a row group (see FlatColumn.ofKey): each row's key as an index into the distinct keys, in order of first use. */
export interface RowKeys {
  local: Int32Array;
  distinct: number[];
}

export function schemaElement({ name, type, optional }: FlatColumn<never>): SchemaElement {
  const repetition_type = optional ? 'OPTIONAL' : 'REQUIRED';
  switch (type) {
    case 'STRING':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'TIMESTAMP_MILLIS_UTC':
      return {
        name,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
        repetition_type,
      };
    default:
      return { name, type, repetition_type };
  }
}

export function chunkWriter<R>(column: FlatColumn<R>, rows: number, codec: PageCodec): ChunkWriter {
  const element = schemaElement(column as FlatColumn<never>);
  if (column.type === 'TIMESTAMP_MILLIS_UTC') return new TimestampChunks(column, element, rows);
  if (column.type === 'BOOLEAN') return new BooleanChunks(column, element, rows, codec);
  if (column.ofKey && (column.optional || (column.type !== 'STRING' && column.type !== 'INT32' && column.type !== 'FLOAT')))
    throw new Error(`column ${column.name} takes its value from the row key, so it must be a required string, INT32 or FLOAT`);
  return column.type === 'STRING' ? new StringChunks(column, element, rows, codec) : new NumberChunks(column, element, rows, codec);
}

function missing(column: { name: string }): Error {
  return new Error(`missing required field: ${column.name}`);
}

function notA(column: { name: string; type: string }, v: unknown): Error {
  return new Error(`field ${column.name}: ${String(v)} is not a ${column.type}`);
}

function encoder(element: SchemaElement, codec: PageCodec): ColumnEncoder {
  return {
    columnName: element.name,
    element,
    schemaPath: [{ name: 'root' }, element],
    codec: codec.codec,
    compressors: codec.compressors,
    stats: true,
    pageSize: Infinity,
    columnIndex: false,
    offsetIndex: false,
  };
}

interface ChunkParts {
  element: SchemaElement;
  codec: CompressionCodec;
  start: number;
  end: number;
  rows: number;
  uncompressed: number;
  dictionaryOffset?: number;
  dataOffset: number;
  encoding: Encoding;
  statistics: Statistics;
}

function columnChunk(p: ChunkParts): ColumnChunk {
  const dictionary = p.dictionaryOffset !== undefined;
  return {
    file_offset: BigInt(p.start),
    meta_data: {
      type: p.element.type!,
      encodings: dictionary ? ['PLAIN', p.encoding] : [p.encoding],
      path_in_schema: [p.element.name],
      codec: p.codec,
      num_values: BigInt(p.rows),
      total_uncompressed_size: BigInt(p.uncompressed),
      total_compressed_size: BigInt(p.end - p.start),
      data_page_offset: BigInt(p.dataOffset),
      dictionary_page_offset: dictionary ? BigInt(p.dictionaryOffset!) : undefined,
      statistics: p.statistics,
      encoding_stats: [
        ...(dictionary ? [{ page_type: 'DICTIONARY_PAGE' as const, encoding: 'PLAIN' as const, count: 1 }] : []),
        { page_type: 'DATA_PAGE_V2', encoding: p.encoding, count: 1 },
      ],
    },
  };
}

const SMALL_INTS = 4096;
const FEW = 8;

/** Unsigned byte order of bytes[a..aEnd) and bytes[b..bEnd), as Parquet orders BYTE_ARRAY statistics. */
function compareBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) if (bytes[a + i] !== bytes[b + i]) return bytes[a + i] - bytes[b + i];
  return aEnd - a - (bEnd - b);
}

function countNulls(ids: Int32Array, rows: number): number {
  let nulls = 0;
  for (let i = 0; i < rows; i++) if (ids[i] < 0) nulls++;
  return nulls;
}

/**
 * The size of the rows' values as PLAIN, or a lower bound of it that already exceeds
 * `enough` (the dictionary's cost): each value takes at least the shortest value's bytes,
 * so most chunks need no pass over their rows.
 */
function plainBytesAtLeast(
  { starts, ends }: PlainDictionary,
  prefix: number,
  ids: Int32Array,
  rows: number,
  nulls: number,
  enough: number,
): number {
  const count = starts.length;
  let shortest = Infinity;
  for (let id = 0; id < count; id++) shortest = Math.min(shortest, ends[id] - starts[id]);
  const bound = (rows - nulls) * (prefix + shortest);
  // without a length prefix every value has the same size: the bound is the size
  if (bound > enough || prefix === 0) return bound;
  const uses = new Int32Array(count);
  for (let i = 0; i < rows; i++) if (ids[i] >= 0) uses[ids[i]]++;
  let bytes = 0;
  for (let id = 0; id < count; id++) bytes += uses[id] * (prefix + ends[id] - starts[id]);
  return bytes;
}

/** A column whose pages go through hyparquet-writer's page encoder, with the file's codec. */
abstract class PagedChunks<R> {
  protected readonly encoder: ColumnEncoder;

  constructor(
    protected readonly column: FlatColumn<R>,
    protected readonly element: SchemaElement,
    protected readonly codec: PageCodec,
  ) {
    this.encoder = encoder(element, codec);
  }
}

/**
 * Strings, INT32 and FLOAT, dictionary-encoded while that is smaller than PLAIN. A row
 * only stores its raw value (checked) in the column's buffer; when the row group is
 * written, each column in turn reduces its values to ids in the chunk's dictionary (one
 * Map lookup, none when the value repeats the previous row's; for a column of the row
 * key, one per distinct key), in one tight loop per column. min/max come from the dictionary's distinct values, so a chunk's statistics
 * cost nothing per row.
 */
abstract class DictionaryChunks<R> extends PagedChunks<R> implements ChunkWriter {
  protected readonly ids: Int32Array;
  protected dictionary: (string | number)[] = [];
  private readonly idsPage: DictionaryIdsPageWriter;

  constructor(column: FlatColumn<R>, element: SchemaElement, rows: number, codec: PageCodec) {
    super(column, element, codec);
    this.ids = new Int32Array(rows);
    this.idsPage = new DictionaryIdsPageWriter(codec, column.optional === true);
  }

  abstract set(i: number, v: unknown): void;

  /** Fills ids[0..rows) and the dictionary from the buffered values. */
  protected abstract encodeIds(rows: number): void;

  /** Starts the chunk's dictionary afresh. */
  protected abstract clearDictionary(): void;

  /** The dictionary id of a value (checked), added to the dictionary if new. */
  protected abstract idOf(v: unknown): number;

  /** Fills ids[0..rows) and the dictionary from the row keys, each distinct key's value read once, in order of first use. */
  private encodeKeyedIds(rows: number, keys: RowKeys, ofKey: (key: number) => unknown): void {
    this.clearDictionary();
    const { ids } = this;
    const { local, distinct } = keys;
    const idOfLocal = new Int32Array(distinct.length).fill(-1);
    for (let i = 0; i < rows; i++) {
      const l = local[i];
      let id = idOfLocal[l];
      if (id < 0) idOfLocal[l] = id = this.idOf(ofKey(distinct[l]));
      ids[i] = id;
    }
  }

  writeChunk(out: ByteWriter, rows: number, keys?: RowKeys): ColumnChunk {
    if (this.column.ofKey) this.encodeKeyedIds(rows, keys!, this.column.ofKey);
    else this.encodeIds(rows);
    const { ids, element } = this;
    const plain = plainDictionary(this.column.type as 'STRING' | 'INT32' | 'FLOAT', this.dictionary);
    const { starts, ends } = plain;
    const count = this.dictionary.length;
    const prefix = this.column.type === 'STRING' ? 4 : 0;
    const nulls = this.column.optional ? countNulls(ids, rows) : 0;
    const indexBytes = Math.ceil(((rows - nulls) * Math.ceil(Math.log2(Math.max(2, count)))) / 8);
    const dictionaryBytes = plain.bytes.length + indexBytes;
    const useDictionary = count > 0 && dictionaryBytes < plainBytesAtLeast(plain, prefix, ids, rows, nulls, dictionaryBytes);

    const { optional } = this.column;
    const start = out.offset;
    let uncompressed = 0;
    let dictionaryOffset: number | undefined;
    let dataOffset = start;
    if (useDictionary) {
      dictionaryOffset = start;
      uncompressed += writeDictionaryPage(out, this.codec, plain.bytes, count);
      dataOffset = out.offset;
      uncompressed += this.idsPage.write(out, ids, rows, count);
    } else {
      const values = prefix ? this.dictionary.map((_, id) => plain.bytes.subarray(starts[id], ends[id])) : this.dictionary;
      const definitionLevels: number[] = [];
      const page = new Array<unknown>(rows);
      for (let i = 0; i < rows; i++) {
        const id = ids[i];
        page[i] = id < 0 ? null : values[id];
        if (optional) definitionLevels.push(id < 0 ? 0 : 1);
      }
      uncompressed += writeDataPageV2({
        writer: out,
        column: this.encoder,
        encoding: 'PLAIN',
        pageData: { values: page, definitionLevels, repetitionLevels: [], maxDefinitionLevel: optional ? 1 : 0 },
      });
    }
    const encoding: Encoding = useDictionary ? 'RLE_DICTIONARY' : 'PLAIN';
    const statistics = this.statistics(plain, nulls);
    return columnChunk({
      element,
      codec: this.codec.codec,
      start,
      end: out.offset,
      rows,
      uncompressed,
      dictionaryOffset,
      dataOffset,
      encoding,
      statistics,
    });
  }

  private statistics({ bytes, starts, ends }: PlainDictionary, nulls: number): Statistics {
    const count = this.dictionary.length;
    if (this.column.type === 'STRING') {
      let min = -1;
      let max = -1;
      for (let id = 0; id < count; id++) {
        if (min < 0 || compareBytes(bytes, starts[id], ends[id], starts[min], ends[min]) < 0) min = id;
        if (max < 0 || compareBytes(bytes, starts[max], ends[max], starts[id], ends[id]) < 0) max = id;
      }
      const view = (id: number) => (id < 0 ? undefined : bytes.subarray(starts[id], ends[id]));
      return { min_value: view(min), max_value: view(max), null_count: BigInt(nulls) };
    }
    let min: number | undefined;
    let max: number | undefined;
    for (const v of this.dictionary as number[]) {
      if (Number.isNaN(v)) continue;
      if (min === undefined || v < min) min = v;
      if (max === undefined || max < v) max = v;
    }
    if (min === 0) min = -0;
    return { min_value: min, max_value: max, null_count: BigInt(nulls) };
  }
}

/** Strings (null or undefined when optional), kept as the rows' own string references (until the next row group's overwrite them). */
class StringChunks<R> extends DictionaryChunks<R> {
  /** none for a column of the row key (see FlatColumn.ofKey) */
  private readonly values: (string | null)[];
  private readonly index = new Map<string, number>();

  constructor(column: FlatColumn<R>, element: SchemaElement, rows: number, codec: PageCodec) {
    super(column, element, rows, codec);
    this.values = column.ofKey ? [] : new Array<string | null>(rows).fill(null);
  }

  set(i: number, v: unknown): void {
    if (typeof v === 'string') this.values[i] = v;
    else if ((v === null || v === undefined) && this.column.optional) this.values[i] = null;
    else throw v === null || v === undefined ? missing(this.column) : notA(this.column, v);
  }

  protected clearDictionary(): void {
    this.dictionary = [];
    this.index.clear();
  }

  protected idOf(v: unknown): number {
    if (typeof v !== 'string') throw v === null || v === undefined ? missing(this.column) : notA(this.column, v);
    return this.lookup(v);
  }

  /** The string's id, added to the dictionary if new; for a few distinct values (interaction, country, personality) comparing beats hashing. */
  private lookup(v: string): number {
    const dictionary = this.dictionary as string[];
    if (dictionary.length <= FEW) {
      for (let k = 0; k < dictionary.length; k++) if (dictionary[k] === v) return k;
    } else {
      const known = this.index.get(v);
      if (known !== undefined) return known;
    }
    const id = dictionary.push(v) - 1;
    this.index.set(v, id);
    return id;
  }

  protected encodeIds(rows: number): void {
    this.clearDictionary();
    const { values, ids } = this;
    let last: string | null | undefined;
    let lastId = -1;
    for (let i = 0; i < rows; i++) {
      const v = values[i];
      if (v !== last) lastId = v === null ? -1 : this.lookup(v);
      last = v;
      ids[i] = lastId;
    }
  }
}

/** INT32 and FLOAT values, kept in a typed array (FLOAT rounded to 32 bits as it is written) until the chunk is written. */
class NumberChunks<R> extends DictionaryChunks<R> {
  /** none for a column of the row key (see FlatColumn.ofKey) */
  private readonly values: Int32Array | Float32Array;
  /** 1 where the row's value is null (optional columns only) */
  private readonly nulls?: Uint8Array;
  private readonly index = new Map<number, number>();
  /** ids of small non-negative integers (years, popularity, lengths), by value: no Map lookup */
  private readonly smallInts?: Int32Array;

  constructor(column: FlatColumn<R>, element: SchemaElement, rows: number, codec: PageCodec) {
    super(column, element, rows, codec);
    const int = column.type === 'INT32';
    const size = column.ofKey ? 0 : rows;
    this.values = int ? new Int32Array(size) : new Float32Array(size);
    if (column.optional) this.nulls = new Uint8Array(rows);
    if (int) this.smallInts = new Int32Array(SMALL_INTS).fill(-1);
  }

  set(i: number, v: unknown): void {
    if (typeof v === 'number' && (this.smallInts === undefined || v === (v | 0))) {
      this.values[i] = v;
      if (this.nulls) this.nulls[i] = 0;
    } else if ((v === null || v === undefined) && this.nulls) this.nulls[i] = 1;
    else throw v === null || v === undefined ? missing(this.column) : notA(this.column, v);
  }

  protected clearDictionary(): void {
    this.dictionary = [];
    this.index.clear();
    this.smallInts?.fill(-1);
  }

  protected idOf(v: unknown): number {
    if (typeof v !== 'number' || (this.smallInts !== undefined && v !== (v | 0)))
      throw v === null || v === undefined ? missing(this.column) : notA(this.column, v);
    // as set() and the buffer keep it: FLOAT rounded to 32 bits
    return this.lookup(this.smallInts ? v : Math.fround(v));
  }

  /** The number's id, added to the dictionary if new. */
  private lookup(v: number): number {
    const { smallInts, index } = this;
    const small = smallInts !== undefined && v >= 0 && v < SMALL_INTS;
    const known = small ? smallInts[v] : index.get(v);
    if (known !== undefined && known >= 0) return known;
    const id = (this.dictionary as number[]).push(v) - 1;
    if (small) smallInts[v] = id;
    else index.set(v, id);
    return id;
  }

  protected encodeIds(rows: number): void {
    this.clearDictionary();
    const { values, nulls, ids } = this;
    let last = NaN;
    let lastNull = false;
    let lastId = -1;
    for (let i = 0; i < rows; i++) {
      if (nulls && nulls[i]) {
        ids[i] = -1;
        lastNull = true;
        continue;
      }
      const v = values[i];
      if (v !== last || lastNull) lastId = this.lookup(v);
      last = v;
      lastNull = false;
      ids[i] = lastId;
    }
  }
}

/** Booleans, RLE-encoded (bit-packed runs). */
class BooleanChunks<R> extends PagedChunks<R> implements ChunkWriter {
  private readonly values: boolean[];

  constructor(column: FlatColumn<R>, element: SchemaElement, rows: number, codec: PageCodec) {
    super(column, element, codec);
    if (column.optional) throw new Error(`column ${column.name}: optional booleans are not supported`);
    this.values = new Array<boolean>(rows).fill(false);
  }

  set(i: number, v: unknown): void {
    if (typeof v !== 'boolean') throw missing(this.column);
    this.values[i] = v;
  }

  writeChunk(out: ByteWriter, rows: number): ColumnChunk {
    const values = this.values.slice(0, rows);
    const start = out.offset;
    const uncompressed = writeDataPageV2({
      writer: out,
      column: this.encoder,
      encoding: 'RLE',
      pageData: { values, definitionLevels: [], repetitionLevels: [], maxDefinitionLevel: 0 },
    });
    const min_value = !values.every(Boolean) ? false : rows > 0 ? true : undefined;
    const max_value = values.some(Boolean) ? true : rows > 0 ? false : undefined;
    const statistics: Statistics = { min_value, max_value, null_count: 0n };
    return columnChunk({
      element: this.element,
      codec: this.codec.codec,
      start,
      end: out.offset,
      rows,
      uncompressed,
      dataOffset: start,
      encoding: 'RLE',
      statistics,
    });
  }
}

/**
 * Epoch-millisecond timestamps as INT64 DELTA_BINARY_PACKED, uncompressed: a user's
 * listening times rise, so their deltas pack to about half of PLAIN's 8 bytes, and a
 * general-purpose codec finds nothing more in packed deltas.
 */
class TimestampChunks<R> implements ChunkWriter {
  private readonly values: Float64Array;
  private readonly encoder = new DeltaBinaryPackedEncoder();

  constructor(
    private readonly column: FlatColumn<R>,
    private readonly element: SchemaElement,
    rows: number,
  ) {
    if (column.optional) throw new Error(`column ${column.name}: optional timestamps are not supported`);
    this.values = new Float64Array(rows);
  }

  set(i: number, v: unknown): void {
    if (typeof v !== 'number') throw missing(this.column);
    if (!Number.isSafeInteger(v)) throw new Error(`field ${this.column.name}: ${v} is not an integer of epoch milliseconds`);
    this.values[i] = v;
  }

  writeChunk(out: ByteWriter, rows: number): ColumnChunk {
    const page = this.encoder.encode(this.values, rows);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < rows; i++) {
      const v = this.values[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const start = out.offset;
    writePageHeader(out, {
      type: 'DATA_PAGE_V2',
      uncompressed_page_size: page.length,
      compressed_page_size: page.length,
      data_page_header_v2: {
        num_values: rows,
        num_nulls: 0,
        num_rows: rows,
        encoding: 'DELTA_BINARY_PACKED',
        definition_levels_byte_length: 0,
        repetition_levels_byte_length: 0,
        is_compressed: false,
      },
    });
    out.appendBytes(page);
    const statistics: Statistics = rows ? { min_value: BigInt(min), max_value: BigInt(max), null_count: 0n } : { null_count: 0n };
    return columnChunk({
      element: this.element,
      codec: 'UNCOMPRESSED',
      start,
      end: out.offset,
      rows,
      uncompressed: out.offset - start,
      dataOffset: start,
      encoding: 'DELTA_BINARY_PACKED',
      statistics,
    });
  }
}
