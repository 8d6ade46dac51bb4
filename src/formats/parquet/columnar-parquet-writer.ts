import { ByteWriter, ParquetWriter, type ColumnSource } from 'hyparquet-writer';
import type { SchemaElement } from 'hyparquet';
import { AtomicFile, removeStaleTempFiles } from '../../runtime/atomic-file';

/** Strings, 32-bit ints and floats, booleans, or UTC millisecond timestamps. */
export type FlatColumnType = 'STRING' | 'INT32' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP_MILLIS_UTC';

/** A top-level column of a flat Parquet file and how it reads its value from a row `R`. */
export interface FlatColumn<R> {
  name: string;
  type: FlatColumnType;
  optional?: boolean;
  /**
   * Whether each column chunk records min/max/null-count statistics. They let a reader
   * skip row groups on a filter, so they pay only on columns that filters select on;
   * elsewhere they cost writing time and nothing else.
   */
  statistics?: boolean;
  value: (row: R) => unknown;
}

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

function schemaElement({ name, type, optional }: FlatColumn<never>): SchemaElement {
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

/**
 * Timestamps go DELTA_BINARY_PACKED and uncompressed: a user's listening times rise, so
 * their deltas pack to about half of PLAIN's 8 bytes, where SNAPPY saves only a quarter
 * and costs about as much time as encoding the column; SNAPPY on the packed deltas gains
 * nothing. Every other column: hyparquet-writer's choice (dictionary where it pays), SNAPPY.
 */
function columnEncoding(type: FlatColumnType): Pick<ColumnSource, 'encoding' | 'codec'> {
  return type === 'TIMESTAMP_MILLIS_UTC' ? { encoding: 'DELTA_BINARY_PACKED', codec: 'UNCOMPRESSED' } : {};
}

type ColumnValues = unknown[] | Int32Array | Float32Array | Float64Array;

/**
 * One row group's values of a column and how a row's value is put there: numbers in typed
 * arrays (nothing allocated per row), each column with its own monomorphic store.
 */
interface ColumnBuffer<R> {
  readonly values: ColumnValues;
  put(row: R, i: number): void;
}

function columnBuffer<R>({ name, type, optional, value }: FlatColumn<R>, rows: number): ColumnBuffer<R> {
  const missing = () => new Error(`missing required field: ${name}`);
  const numbers = type === 'INT32' ? new Int32Array(rows) : type === 'FLOAT' ? new Float32Array(rows) : type === 'TIMESTAMP_MILLIS_UTC' ? new Float64Array(rows) : undefined;
  if (numbers && !optional) {
    return {
      values: numbers,
      put(row, i) {
        const v = value(row);
        if (typeof v !== 'number') throw missing();
        numbers[i] = v;
      },
    };
  }
  const values = new Array<unknown>(rows);
  return {
    values,
    put(row, i) {
      const v = value(row);
      if (v === undefined || v === null) {
        if (!optional) throw missing();
        values[i] = null;
      } else values[i] = v;
    },
  };
}

/** hyparquet-writer's byte sink, flushed to the atomic file after each row group. */
function atomicFileSink(file: AtomicFile): ByteWriter & { flush(): void } {
  const sink = new ByteWriter(1 << 20);
  const flush = () => {
    file.write(new Uint8Array(sink.buffer, 0, sink.index));
    sink.index = 0;
  };
  return Object.assign(sink, { flush, finish: flush });
}

/**
 * A flat Parquet file (hyparquet-writer): dictionary-encoded columns where that pays,
 * min/max/null-count statistics per column chunk on the columns that ask for them, SNAPPY pages, row groups of
 * ROW_GROUP_ROWS. Rows buffer as column arrays one row group at a time; the file is
 * written under a temporary name (AtomicFile) and renamed into place by commit().
 * Pure JS: the same rows give the same bytes on every platform and Node version.
 */
export class ColumnarParquetWriter<R> {
  private readonly buffers: ColumnBuffer<R>[];
  private buffered = 0;
  private records = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly writer: ParquetWriter,
    private readonly columns: readonly FlatColumn<R>[],
    private readonly rowGroupRows: number,
  ) {
    this.buffers = columns.map((c) => columnBuffer(c, rowGroupRows));
  }

  static open<R>(
    finalPath: string,
    columns: readonly FlatColumn<R>[],
    opts: { rowGroupRows?: number; metadata?: Record<string, string> } = {},
  ): ColumnarParquetWriter<R> {
    removeStaleTempFiles(finalPath);
    const file = new AtomicFile(finalPath);
    try {
      const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.map(schemaElement)];
      const kvMetadata = Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value }));
      const writer = new ParquetWriter({
        writer: atomicFileSink(file),
        schema,
        codec: 'SNAPPY',
        statisticsTruncateLength: 64,
        kvMetadata: kvMetadata.length ? kvMetadata : undefined,
        createdBy: 'wrapped-etl',
      });
      return new ColumnarParquetWriter(file, writer, columns, opts.rowGroupRows ?? ROW_GROUP_ROWS);
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  append(row: R): void {
    const { buffers, buffered } = this;
    for (let c = 0; c < buffers.length; c++) buffers[c].put(row, buffered);
    this.records++;
    if (++this.buffered === this.rowGroupRows) this.flushRowGroup();
  }

  private flushRowGroup(): void {
    const n = this.buffered;
    if (n === 0) return;
    const columnData: ColumnSource[] = this.columns.map((c, i) => ({
      name: c.name,
      data: this.buffers[i].values.slice(0, n),
      statistics: c.statistics ?? false,
      ...columnEncoding(c.type),
    }));
    void this.writer.write({ columnData, rowGroupSize: n });
    this.buffered = 0;
  }

  commit(): WrittenParquet {
    this.flushRowGroup();
    void this.writer.finish();
    const { bytes, sha256 } = this.file.commit();
    return { records: this.records, bytes, sha256 };
  }

  abort(): void {
    this.file.abort();
  }
}
