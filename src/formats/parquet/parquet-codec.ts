/** The codecs a Parquet part's pages can use (timestamps stay uncompressed: they are delta-packed). */
export const PARQUET_CODECS = ['snappy', 'zstd'] as const;
export type ParquetCodec = (typeof PARQUET_CODECS)[number];
