import { ByteWriter } from 'hyparquet-writer';
import type { FileMetaData, RowGroup } from 'hyparquet';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { AtomicFile } from '../../runtime/atomic-file';
import { chunkWriter, schemaElement, type ChunkWriter, type RowKeys } from './parquet-column-chunks';
import { pageCodec } from './page-codecs';
import type { ParquetCodec } from './parquet-codec';
import type { ColumnSlot, FlatColumn, RowShredder } from './flat-column';

export interface WrittenParquet {
  records: number;
  bytes: number;
  sha256: string;
}

/**
 * Rows per row group: large enough for dictionaries and compression to pay off, small
 * enough that a filter on user_id or listening time skips most groups of a part and a
 * pool thread buffers only a few MB of column values.
 */
export const ROW_GROUP_ROWS = 65_536;

const MAGIC = 0x31524150; // "PAR1"

/**
 * A flat Parquet file: one column chunk per column and row group, each a single
 * DATA_PAGE_V2 (preceded by its dictionary page); strings, INT32 and FLOAT columns
 * dictionary-encoded where that is smaller than PLAIN, booleans RLE, timestamps
 * DELTA_BINARY_PACKED; min/max/null-count statistics on every column chunk; SNAPPY pages
 * or ZSTD pages (timestamps uncompressed); row groups of ROW_GROUP_ROWS.
 *
 * Rows go into typed column buffers (through a RowShredder when one is given, else
 * each column's `value`); a full row group is then reduced to dictionary ids and pages
 * column by column (parquet-column-chunks.ts), with statistics over each chunk's
 * distinct values. Page headers, PLAIN and boolean pages and the footer are
 * hyparquet-writer's encoders (its published `src/*.js` modules). hyparquet-writer's
 * ParquetWriter, fed the same rows, spent ~3 us a row on per-value dictionary building,
 * BigInt timestamps and statistics: as much as simulating and writing the AVRO part.
 *
 * The file is written under a temporary name (AtomicFile) and renamed into place by
 * commit(). Pure JS: the same rows give the same bytes on every platform and Node version.
 */
export class ColumnarParquetWriter<R> {
  private readonly out = new ByteWriter(1 << 20);
  private readonly rowGroups: RowGroup[] = [];
  private buffered = 0;
  private records = 0;
  /** the row keys of the buffered rows, when a column takes its value from them */
  private readonly keys: Int32Array | undefined;

  private constructor(
    private readonly file: AtomicFile,
    private readonly columns: readonly FlatColumn<R>[],
    private readonly chunks: ChunkWriter[],
    private readonly rowGroupRows: number,
    private readonly metadata: Record<string, string>,
    private readonly shred: ((row: R, i: number) => void) | undefined,
    private readonly rowKey: ((row: R) => number) | undefined,
  ) {
    this.out.appendUint32(MAGIC);
    if (rowKey) this.keys = new Int32Array(rowGroupRows);
  }

  static open<R>(
    finalPath: string,
    columns: readonly FlatColumn<R>[],
    opts: {
      rowGroupRows?: number;
      metadata?: Record<string, string>;
      codec?: ParquetCodec;
      shredder?: RowShredder<R>;
      /** the row's key, a whole number from 0, for the columns with `ofKey` */
      rowKey?: (row: R) => number;
    } = {},
  ): ColumnarParquetWriter<R> {
    const keyed = columns.filter((c) => c.ofKey).map((c) => c.name);
    if (keyed.length && !opts.rowKey)
      throw new Error(`columns ${keyed.join(', ')} take their value from the row key, but the writer has no rowKey`);
    const rows = opts.rowGroupRows ?? ROW_GROUP_ROWS;
    const codec = pageCodec(opts.codec);
    const chunks: ChunkWriter[] = [];
    for (const c of columns) {
      chunks.push(chunkWriter(c, rows, codec));
    }
    const shred = opts.shredder && shredderOf(opts.shredder, columns, chunks);
    return new ColumnarParquetWriter(new AtomicFile(finalPath), columns, chunks, rows, opts.metadata ?? {}, shred, opts.rowKey);
  }

  append(row: R): void {
    const { chunks, columns, buffered } = this;
    if (this.keys) this.keys[buffered] = this.rowKey!(row);
    if (this.shred) this.shred(row, buffered);
    else
      for (let c = 0; c < chunks.length; c++) {
        const { value } = columns[c];
        if (value) chunks[c].set(buffered, value(row));
      }
    this.records++;
    if (++this.buffered === this.rowGroupRows) this.flushRowGroup();
  }

  private flushRowGroup(): void {
    const rows = this.buffered;
    if (rows === 0) return;
    const start = this.out.offset;
    const keys = this.keys && rowKeys(this.keys, rows);
    const columns = this.chunks.map((chunk) => chunk.writeChunk(this.out, rows, keys));
    this.rowGroups.push({
      columns,
      num_rows: BigInt(rows),
      total_byte_size: columns.reduce((sum, c) => sum + c.meta_data!.total_uncompressed_size, 0n),
      total_compressed_size: BigInt(this.out.offset - start),
    });
    this.buffered = 0;
    this.flushBytes();
  }

  private flushBytes(): void {
    this.file.write(new Uint8Array(this.out.buffer, 0, this.out.index));
    this.out.index = 0;
  }

  commit(): WrittenParquet {
    this.flushRowGroup();
    const kv = Object.entries(this.metadata).map(([key, value]) => ({ key, value }));
    const footer: FileMetaData = {
      version: 2,
      created_by: 'wrapped-etl',
      schema: [{ name: 'root', num_children: this.columns.length }, ...this.columns.map((c) => schemaElement(c as FlatColumn<never>))],
      num_rows: BigInt(this.records),
      row_groups: this.rowGroups,
      key_value_metadata: kv.length ? kv : undefined,
      metadata_length: 0,
    };
    writeMetadata(this.out, footer, 64);
    this.out.appendUint32(MAGIC);
    this.flushBytes();
    const { bytes, sha256 } = this.file.commit();
    return { records: this.records, bytes, sha256 };
  }

  abort(): void {
    this.file.abort();
  }
}

/** Each row's key as an index into the row group's distinct keys (numbered in order of first use). */
function rowKeys(keys: Int32Array, rows: number): RowKeys {
  const local = new Int32Array(rows);
  const distinct: number[] = [];
  const localOf = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    const key = keys[i];
    let l = localOf.get(key);
    if (l === undefined) {
      l = distinct.push(key) - 1;
      localOf.set(key, l);
    }
    local[i] = l;
  }
  return { local, distinct };
}

/** The shredder's row function over these columns' buffers; every column but those of the row key must be filled by it. */
function shredderOf<R>(shredder: RowShredder<R>, columns: readonly FlatColumn<R>[], chunks: ChunkWriter[]): (row: R, i: number) => void {
  const filled = new Set<string>();
  const shred = shredder((name): ColumnSlot => {
    const at = columns.findIndex((c) => c.name === name);
    if (at < 0) throw new Error(`the row shredder fills ${name}, which is not a column`);
    if (columns[at].ofKey) throw new Error(`the row shredder fills ${name}, which takes its value from the row key`);
    filled.add(name);
    return chunks[at];
  });
  const unfilled = columns.filter((c) => !c.ofKey && !filled.has(c.name)).map((c) => c.name);
  if (unfilled.length) throw new Error(`the row shredder does not fill ${unfilled.join(', ')}`);
  return shred;
}
