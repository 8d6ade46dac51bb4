import { ParquetSchema, ParquetWriter, type FieldDefinition } from 'parquetjs-lite';
import { AtomicFile } from '../../runtime/atomic-file';
import type { WrittenParquet } from './columnar-parquet-writer';

export type ParquetColumns = Record<string, FieldDefinition>;

/**
 * Every column GZIP-compressed, without min/max statistics (parquetjs-lite compares
 * strings as JS values, which readers could trust for pruning) and with v1 data
 * pages, which every reader understands.
 */
function plainColumns(columns: ParquetColumns): ParquetColumns {
  return Object.fromEntries(Object.entries(columns).map(([name, def]) => [name, { compression: 'GZIP', statistics: false, ...def }]));
}

/**
 * The stream parquetjs-lite writes to. It does not await every write (the header's, written by
 * its constructor), so a write's error (a full disk) handed to its callback became an unhandled
 * rejection that ended the process: the first error is kept instead, and thrown by the writer's
 * next step; what follows it is not written.
 */
class FileSink {
  private failed: Error | undefined;

  constructor(private readonly file: AtomicFile) {}

  write(chunk: Buffer, cb: (err?: Error | null) => void): void {
    if (!this.failed) {
      try {
        this.file.write(chunk);
      } catch (err) {
        this.failed = err as Error;
      }
    }
    cb();
  }

  end(cb: (err?: Error | null) => void): void {
    cb();
  }

  throwIfFailed(): void {
    if (this.failed) throw this.failed;
  }
}

/**
 * A Parquet file with nested and repeated columns (the Wrapped users file), written with parquetjs-lite under a temporary name (AtomicFile),
 * renamed into place by commit(); rows buffer in memory one row group at a time.
 */
export class ParquetFileWriter {
  private records = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly writer: ParquetWriter,
    private readonly sink: FileSink,
  ) {}

  static async open(
    finalPath: string,
    columns: ParquetColumns,
    opts: { rowGroupSize?: number; metadata?: Record<string, string> } = {},
  ): Promise<ParquetFileWriter> {
    const file = new AtomicFile(finalPath);
    const sink = new FileSink(file);
    try {
      const writer = await ParquetWriter.openStream(new ParquetSchema(plainColumns(columns)), sink, {
        rowGroupSize: opts.rowGroupSize ?? 20_000,
        useDataPageV2: false,
      });
      sink.throwIfFailed();
      for (const [k, v] of Object.entries(opts.metadata ?? {})) writer.setMetadata(k, v);
      return new ParquetFileWriter(file, writer, sink);
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  async append(row: Record<string, unknown>): Promise<void> {
    this.records++;
    await this.writer.appendRow(row);
    this.sink.throwIfFailed();
  }

  async commit(): Promise<WrittenParquet> {
    await this.writer.close();
    this.sink.throwIfFailed();
    const { bytes, sha256 } = this.file.commit();
    return { records: this.records, bytes, sha256 };
  }

  abort(): void {
    this.file.abort();
  }
}

/** Writes all rows into one Parquet file, atomically. */
export async function writeParquetFile(
  finalPath: string,
  columns: ParquetColumns,
  rows: Iterable<Record<string, unknown>>,
): Promise<WrittenParquet> {
  const writer = await ParquetFileWriter.open(finalPath, columns);
  try {
    for (const row of rows) await writer.append(row);
    return await writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
