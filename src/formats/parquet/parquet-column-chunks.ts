import { ByteWriter } from 'hyparquet-writer';
import type { ColumnChunk, CompressionCodec, Encoding, SchemaElement, Statistics } from 'hyparquet';
import { writeDataPageV2, writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeDictionaryPage } from 'hyparquet-writer/src/dictionary.js';
import type { ColumnEncoder, Compressors } from 'hyparquet-writer/src/types.js';
import { writeDeltaBinaryPackedInt64 } from './delta-binary-packed';
import type { FlatColumn } from './flat-column';

/** The codec a file's pages use and the functions that compress for it. */
export interface PageCodec {
  codec: CompressionCodec;
  compressors: Compressors;
}

/** One column of a flat Parquet file: buffers a row group's values, then writes them as one column chunk. */
export interface ChunkWriter<R> {
  put(row: R, i: number): void;
  /** The dictionary id of row i's value, when the column has a dictionary. */
  readonly ids?: Int32Array;
  /** Writes the chunk of the first `rows` buffered values at `out`'s offset and forgets them. */
  writeChunk(out: ByteWriter, rows: number): ColumnChunk;
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

export function chunkWriter<R>(column: FlatColumn<R>, rows: number, codec: PageCodec, leader?: ChunkWriter<R>): ChunkWriter<R> {
  const element = schemaElement(column as FlatColumn<never>);
  if (column.type === 'TIMESTAMP_MILLIS_UTC') return new TimestampChunks(column, element, rows);
  if (column.type === 'BOOLEAN') return new BooleanChunks(column, element, rows, codec);
  if (leader && !leader.ids) throw new Error(`column ${column.name} follows a column without a dictionary`);
  return new DictionaryChunks(column, element, rows, codec, leader?.ids);
}

function missing(column: { name: string }): Error {
  return new Error(`missing required field: ${column.name}`);
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

const utf8 = new TextEncoder();
const SMALL_INTS = 4096;
const NOTHING = Symbol('nothing');

/** Unsigned byte order, as Parquet orders BYTE_ARRAY statistics. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
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
 * Strings, INT32 and FLOAT, dictionary-encoded while that is smaller than PLAIN: each row
 * stores only its value's id in the chunk's dictionary (one Map lookup, none when the
 * value repeats the previous row's), and min/max come from the dictionary's distinct
 * values, so a chunk's statistics cost nothing per row.
 */
class DictionaryChunks<R> extends PagedChunks<R> implements ChunkWriter<R> {
  readonly ids: Int32Array;
  private readonly index = new Map<unknown, number>();
  /** ids of small non-negative integers (years, popularity, lengths), by value: no Map lookup */
  private readonly smallInts = new Int32Array(SMALL_INTS).fill(-1);
  private dictionary: (string | number)[] = [];
  private last: unknown = NOTHING;
  private lastId = -1;
  /** by the leader's id of a row: this column's value and id in the last such row */
  private byLeaderValue: unknown[] = [];
  private byLeaderId: number[] = [];

  constructor(
    column: FlatColumn<R>,
    element: SchemaElement,
    rows: number,
    codec: PageCodec,
    private readonly leaderIds?: Int32Array,
  ) {
    super(column, element, codec);
    this.ids = new Int32Array(rows);
  }

  put(row: R, i: number): void {
    const v = this.column.value(row);
    if (v === this.last) {
      this.ids[i] = this.lastId;
      return;
    }
    const leaderId = this.leaderIds ? this.leaderIds[i] : -1;
    if (leaderId >= 0 && this.byLeaderValue[leaderId] === v) this.lastId = this.byLeaderId[leaderId];
    else {
      this.lastId = this.idOf(v);
      if (leaderId >= 0) {
        this.byLeaderValue[leaderId] = v;
        this.byLeaderId[leaderId] = this.lastId;
      }
    }
    this.ids[i] = this.lastId;
    this.last = v;
  }

  private idOf(v: unknown): number {
    if (v === undefined || v === null) {
      if (!this.column.optional) throw missing(this.column);
      return -1;
    }
    const small = typeof v === 'number' && v >= 0 && v < SMALL_INTS && this.column.type === 'INT32';
    let id = small ? this.smallInts[v] : this.index.get(v);
    if (id === undefined || id < 0) {
      const { type, name } = this.column;
      const ok =
        type === 'STRING'
          ? typeof v === 'string'
          : type === 'INT32'
            ? Number.isInteger(v) && (v as number) === ((v as number) | 0)
            : typeof v === 'number';
      if (!ok) throw new Error(`field ${name}: ${String(v)} is not a ${type}`);
      id = this.dictionary.length;
      this.dictionary.push(v as string | number);
      if (small) this.smallInts[v as number] = id;
      else this.index.set(v, id);
    }
    return id;
  }

  writeChunk(out: ByteWriter, rows: number): ColumnChunk {
    const { ids, element } = this;
    const strings = this.column.type === 'STRING';
    const values = strings ? (this.dictionary as string[]).map((s) => utf8.encode(s)) : this.dictionary;
    const width = (v: string | number | Uint8Array) => (typeof v === 'number' ? 4 : 4 + (v as Uint8Array).length);
    let plainBytes = 0;
    let nulls = 0;
    const uses = new Int32Array(values.length);
    for (let i = 0; i < rows; i++) {
      if (ids[i] < 0) nulls++;
      else uses[ids[i]]++;
    }
    let dictionaryBytes = 0;
    for (let id = 0; id < values.length; id++) {
      dictionaryBytes += width(values[id]);
      plainBytes += uses[id] * width(values[id]);
    }
    const indexBytes = Math.ceil(((rows - nulls) * Math.ceil(Math.log2(Math.max(2, values.length)))) / 8);
    const useDictionary = values.length > 0 && dictionaryBytes + indexBytes < plainBytes;

    const { optional } = this.column;
    const definitionLevels: number[] = [];
    let pageValues: ArrayLike<unknown> = ids.subarray(0, rows);
    if (optional || !useDictionary) {
      const page = new Array<unknown>(rows);
      for (let i = 0; i < rows; i++) {
        const id = ids[i];
        page[i] = id < 0 ? null : useDictionary ? id : values[id];
        if (optional) definitionLevels.push(id < 0 ? 0 : 1);
      }
      pageValues = page;
    }
    const start = out.offset;
    let uncompressed = 0;
    let dictionaryOffset: number | undefined;
    if (useDictionary) {
      dictionaryOffset = start;
      uncompressed += writeDictionaryPage(out, this.encoder, values as number[]);
    }
    const dataOffset = out.offset;
    const encoding: Encoding = useDictionary ? 'RLE_DICTIONARY' : 'PLAIN';
    uncompressed += writeDataPageV2({
      writer: out,
      column: this.encoder,
      encoding,
      pageData: { values: pageValues as unknown[], definitionLevels, repetitionLevels: [], maxDefinitionLevel: optional ? 1 : 0 },
    });
    const statistics = this.statistics(values, nulls);
    this.reset();
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

  private statistics(values: (string | number | Uint8Array)[], nulls: number): Statistics {
    let min: string | number | Uint8Array | undefined;
    let max: string | number | Uint8Array | undefined;
    const less = (a: string | number | Uint8Array, b: string | number | Uint8Array) =>
      typeof a === 'number' ? a < (b as number) : compareBytes(a as Uint8Array, b as Uint8Array) < 0;
    for (const v of values) {
      if (typeof v === 'number' && Number.isNaN(v)) continue;
      if (min === undefined || less(v, min)) min = v;
      if (max === undefined || less(max, v)) max = v;
    }
    if (min === 0) min = -0;
    return { min_value: min, max_value: max, null_count: BigInt(nulls) };
  }

  private reset(): void {
    this.byLeaderValue = [];
    this.byLeaderId = [];
    this.index.clear();
    this.smallInts.fill(-1);
    this.dictionary = [];
    this.last = NOTHING;
    this.lastId = -1;
  }
}

/** Booleans, RLE-encoded (bit-packed runs). */
class BooleanChunks<R> extends PagedChunks<R> implements ChunkWriter<R> {
  private readonly values: boolean[];

  constructor(column: FlatColumn<R>, element: SchemaElement, rows: number, codec: PageCodec) {
    super(column, element, codec);
    if (column.optional) throw new Error(`column ${column.name}: optional booleans are not supported`);
    this.values = new Array<boolean>(rows).fill(false);
  }

  put(row: R, i: number): void {
    const v = this.column.value(row);
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
class TimestampChunks<R> implements ChunkWriter<R> {
  private readonly values: Float64Array;

  constructor(
    private readonly column: FlatColumn<R>,
    private readonly element: SchemaElement,
    rows: number,
  ) {
    if (column.optional) throw new Error(`column ${column.name}: optional timestamps are not supported`);
    this.values = new Float64Array(rows);
  }

  put(row: R, i: number): void {
    const v = this.column.value(row);
    if (typeof v !== 'number') throw missing(this.column);
    if (!Number.isSafeInteger(v)) throw new Error(`field ${this.column.name}: ${v} is not an integer of epoch milliseconds`);
    this.values[i] = v;
  }

  writeChunk(out: ByteWriter, rows: number): ColumnChunk {
    const page = new ByteWriter(rows * 5 + 64);
    writeDeltaBinaryPackedInt64(page, this.values, rows);
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
      uncompressed_page_size: page.offset,
      compressed_page_size: page.offset,
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
    out.appendBytes(page.getBytes());
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
