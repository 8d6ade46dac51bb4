/** Strings, 32-bit ints and floats, booleans, or UTC millisecond timestamps. */
export type FlatColumnType = 'STRING' | 'INT32' | 'FLOAT' | 'BOOLEAN' | 'TIMESTAMP_MILLIS_UTC';

/** A top-level column of a flat Parquet file and how it reads its value from a row `R`. */
export interface FlatColumn<R> {
  name: string;
  type: FlatColumnType;
  /** null or undefined allowed (strings, INT32 and FLOAT only) */
  optional?: boolean;
  /**
   * An earlier dictionary column whose value mostly decides this one's (a song's artist by
   * its title): the row's id in that column caches this column's id, so most rows skip
   * the dictionary lookup. Only speed depends on it; values are always compared.
   */
  follows?: string;
  value: (row: R) => unknown;
}
