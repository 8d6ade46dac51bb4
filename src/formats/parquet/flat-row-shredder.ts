import type { ParquetWriter } from 'parquetjs-lite';
import { toPrimitive } from 'parquetjs-lite/lib/types';

/**
 * A fast path for parquetjs-lite (0.8.x) on flat schemas (no groups, no repeated
 * columns). Its generic shredder allocates a Set and arrays per column for every
 * row, which made Parquet parts ~17x slower than AVRO ones. For a flat schema the
 * shredded form is trivial: each column gets the value and definition level of its
 * row. This fills the writer's row buffer exactly as ParquetWriter.appendRow
 * would (the writer's own appendRow is still used for every row that completes a
 * page or a row group, so the library keeps doing all the encoding and flushing);
 * test/formats/parquet-writer.test.ts checks the two give byte-identical files.
 */

interface ColumnBuffer {
  dlevels: number[];
  rlevels: number[];
  values: unknown[];
  count: number;
}

interface RowBuffer {
  rowCount?: number;
  pageRowCount?: number;
  columnData?: Record<string, ColumnBuffer>;
}

interface FieldInternals {
  name: string;
  path: string[];
  primitiveType: string;
  originalType?: string;
  repetitionType: 'REQUIRED' | 'OPTIONAL' | 'REPEATED';
  dLevelMax: number;
  isNested?: boolean;
}

interface WriterInternals {
  rowBuffer: RowBuffer;
  rowGroupSize: number;
  envelopeWriter: { pageSize: number };
  schema: { fieldList: FieldInternals[] };
}

interface Leaf {
  name: string;
  key: string;
  type: string;
  optional: boolean;
  dLevelMax: number;
}

export class FlatRowShredder {
  private readonly leaves: Leaf[];

  private constructor(private readonly writer: WriterInternals) {
    this.leaves = writer.schema.fieldList.map((f) => ({
      name: f.name,
      key: String(f.path),
      type: f.originalType ?? f.primitiveType,
      optional: f.repetitionType === 'OPTIONAL',
      dLevelMax: f.dLevelMax,
    }));
  }

  /** A shredder for the writer, or undefined when its schema is not flat. */
  static for(writer: ParquetWriter): FlatRowShredder | undefined {
    const internals = writer as unknown as WriterInternals;
    const fields = internals.schema?.fieldList;
    if (!Array.isArray(fields) || typeof internals.rowGroupSize !== 'number' || typeof internals.envelopeWriter?.pageSize !== 'number') return undefined;
    if (fields.some((f) => f.isNested || f.repetitionType === 'REPEATED' || f.path.length !== 1)) return undefined;
    return new FlatRowShredder(internals);
  }

  /**
   * Adds the row to the writer's buffer and returns true, or returns false when the
   * row must go through appendRow (the first row, or one that fills a page or a row group).
   */
  tryAdd(row: Record<string, unknown>): boolean {
    const buf = this.writer.rowBuffer;
    if (!buf.columnData || buf.pageRowCount! + 1 >= this.writer.envelopeWriter.pageSize || buf.rowCount! + 1 >= this.writer.rowGroupSize) return false;
    for (const leaf of this.leaves) {
      const v = row[leaf.name];
      if (v === undefined || v === null) {
        if (!leaf.optional) throw new Error(`missing required field: ${leaf.name}`);
      }
    }
    for (const leaf of this.leaves) {
      const col = buf.columnData[leaf.key];
      const v = row[leaf.name];
      col.rlevels.push(0);
      if (v === undefined || v === null) {
        col.dlevels.push(0);
      } else {
        col.values.push(toPrimitive(leaf.type, v));
        col.dlevels.push(leaf.dLevelMax);
      }
      col.count++;
    }
    buf.rowCount!++;
    buf.pageRowCount!++;
    return true;
  }
}
