/** Strings, 32-bit ints and floats, booleans, or UTC millisecond timestamps. */
type FlatColumnType = 'STRING' | 'INT32' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP_MILLIS_UTC';

interface FlatColumnBase {
  name: string;
  type: FlatColumnType;
  /** null or undefined allowed (strings, INT32 and FLOAT only) */
  optional?: boolean;
}

/**
 * A top-level column of a flat Parquet file and how it gets a row's value: from the row
 * `R` (`value`), or, for a required string, INT32 or FLOAT column, from the row's key
 * (the writer's `rowKey`, e.g. a song's number in its catalog) through `ofKey`, which
 * the writer calls once per distinct key of a row group instead of once per row.
 */
export type FlatColumn<R> = FlatColumnBase &
  ({ value: (row: R) => unknown; ofKey?: undefined } | { ofKey: (key: number) => unknown; value?: undefined });

/** Where one column's value of row i goes, checked against the column's type. */
export interface ColumnSlot {
  set(i: number, v: unknown): void;
}

/**
 * The fast path for a known row shape: given each column's slot by name, returns a
 * function that stores every column's value of a row, read straight from the row's
 * fields. The values must be those of the columns' `value` (the writer's tests compare
 * both paths byte for byte); each slot is then called from its own line of code, which
 * V8 inlines, where a loop over the columns' `value` functions costs a generic call each.
 */
export type RowShredder<R> = (slot: (name: string) => ColumnSlot) => (row: R, i: number) => void;
