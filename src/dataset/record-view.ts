import type { ColumnBatch, ColumnField } from '../formats/avro/column-decoder';

type Setter = (target: Record<string, unknown>, row: number) => void;

/** Sets one field (by dotted path) of a nested object from row `row` of its column, as avsc would decode it. */
function setterOf(batch: ColumnBatch, f: ColumnField): Setter {
  const path = f.field.split('.');
  const leaf = path[path.length - 1];
  const parents = path.slice(0, -1);
  const column = batch.column(f.field);
  const valueAt: (row: number) => unknown =
    f.type === 'boolean'
      ? f.nullable
        ? (row) => (Number.isNaN(column[row]) ? null : column[row] === 1)
        : (row) => column[row] === 1
      : f.nullable && !Array.isArray(column)
        ? (row) => (Number.isNaN(column[row]) ? null : column[row])
        : (row) => column[row];
  return (target, row) => {
    let o = target;
    for (const p of parents) o = (o[p] ??= {}) as Record<string, unknown>;
    o[leaf] = valueAt(row);
  };
}

/**
 * Row `row` of a batch as a new object nested like the record (`user_location: { country }`),
 * with the batch's fields in the writer schema's order: what avsc's decode gives for those fields.
 */
export function recordAt<T>(batch: ColumnBatch, row: number, setters = recordSetters(batch)): T {
  const out: Record<string, unknown> = {};
  for (const set of setters) set(out, row);
  return out as T;
}

export function recordSetters(batch: ColumnBatch): Setter[] {
  return batch.fields.map((f) => setterOf(batch, f));
}

/** Every row of a batch as new objects (see recordAt). */
export function recordsOf<T>(batch: ColumnBatch): T[] {
  const setters = recordSetters(batch);
  const out = new Array<T>(batch.length);
  for (let i = 0; i < batch.length; i++) out[i] = recordAt<T>(batch, i, setters);
  return out;
}

/**
 * One object reused for every row of a batch: at(row) refills it. For readers that use a
 * record and let it go (accumulators), so no object is made per record.
 */
export class RecordView<T> {
  private readonly target: Record<string, unknown> = {};
  private readonly setters: Setter[];

  constructor(batch: ColumnBatch) {
    this.setters = recordSetters(batch);
  }

  at(row: number): T {
    for (const set of this.setters) set(this.target, row);
    return this.target as T;
  }
}
