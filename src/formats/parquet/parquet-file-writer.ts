import { ParquetSchema, ParquetWriter, type FieldDefinition } from 'parquetjs-lite';
import { AtomicFile, removeStaleTempFiles } from '../../runtime/atomic-file';
import { FlatRowShredder } from './flat-row-shredder';

export type ParquetColumns = Record<string, FieldDefinition>;

export interface WrittenParquet {
  records: number;
  bytes: number;
  sha256: string;
}

/**
 * Every column GZIP-compressed, without min/max statistics (parquetjs-lite compares
 * strings as JS values, which readers could trust for pruning) and with v1 data
 * pages, which every reader understands.
 */
function plainColumns(columns: ParquetColumns): ParquetColumns {
  return Object.fromEntries(Object.entries(columns).map(([name, def]) => [name, { compression: 'GZIP', statistics: false, ...def }]));
}

/**
 * A Parquet file written with parquetjs-lite under a temporary name (AtomicFile),
 * renamed into place by commit(); rows buffer in memory one row group at a time.
 */
export class ParquetFileWriter {
  private records = 0;
  private readonly shredder: FlatRowShredder | undefined;

  private constructor(
    private readonly file: AtomicFile,
    private readonly writer: ParquetWriter,
    fastPath: boolean,
  ) {
    this.shredder = fastPath ? FlatRowShredder.for(writer) : undefined;
  }

  /** `fastPath: false` sends every row through parquetjs-lite's own shredder (for comparison). */
  static async open(
    finalPath: string,
    columns: ParquetColumns,
    opts: { rowGroupSize?: number; metadata?: Record<string, string>; fastPath?: boolean } = {},
  ): Promise<ParquetFileWriter> {
    removeStaleTempFiles(finalPath);
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
      return new ParquetFileWriter(file, writer, opts.fastPath ?? true);
    } catch (err) {
      file.abort();
      throw err;
    }
  }

  /** Returns a promise only when the row went through parquetjs-lite's appendRow: await it before the next row. */
  append(row: Record<string, unknown>): Promise<void> | undefined {
    this.records++;
    if (this.shredder?.tryAdd(row)) return undefined;
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
export async function writeParquetFile(finalPath: string, columns: ParquetColumns, rows: Iterable<Record<string, unknown>>): Promise<WrittenParquet> {
  const writer = await ParquetFileWriter.open(finalPath, columns);
  try {
    for (const row of rows) await writer.append(row);
    return await writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
