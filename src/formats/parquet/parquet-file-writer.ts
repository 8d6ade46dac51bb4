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
 * A Parquet file with nested and repeated columns (the Wrapped users file), written with parquetjs-lite under a temporary name (AtomicFile),
 * renamed into place by commit(); rows buffer in memory one row group at a time.
 */
export class ParquetFileWriter {
  private records = 0;

  private constructor(
    private readonly file: AtomicFile,
    private readonly writer: ParquetWriter,
  ) {}

  static async open(
    finalPath: string,
    columns: ParquetColumns,
    opts: { rowGroupSize?: number; metadata?: Record<string, string> } = {},
  ): Promise<ParquetFileWriter> {
    const file = new AtomicFile(finalPath);
    const sink = {
      write(chunk: Buffer, cb: (err?: Error | null) => void) {
        try {
          file.write(chunk);
          cb();
        } catch (err) {
          cb(err as Error);
        }
      },
      end(cb: (err?: Error | null) => void) {
        cb();
      },
    };
    try {
      const writer = await ParquetWriter.openStream(new ParquetSchema(plainColumns(columns)), sink, {
        rowGroupSize: opts.rowGroupSize ?? 20_000,
        useDataPageV2: false,
      });
      for (const [k, v] of Object.entries(opts.metadata ?? {})) writer.setMetadata(k, v);
      return new ParquetFileWriter(file, writer);
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  append(row: Record<string, unknown>): Promise<void> {
    this.records++;
    return this.writer.appendRow(row);
  }

  async commit(): Promise<WrittenParquet> {
    await this.writer.close();
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
