import { avroPart } from './avro/avro-part';
import type { PartFile, PartFormat } from './part-format';
import { parquetPart } from './parquet/parquet-part';

/**
 * The output formats of the listening-history parts, by the name the input's `format`
 * list uses (also the parts' extension). Adding a format: one file with its PartFormat
 * and one line here.
 */
export const PART_FORMATS = {
  avro: avroPart,
  parquet: parquetPart,
} as const satisfies Record<string, PartFormat>;

export type OutputFormat = keyof typeof PART_FORMATS;

export const OUTPUT_FORMATS = Object.keys(PART_FORMATS) as OutputFormat[];

/** Every run writes this format; the manifest's part entries are its files, the other formats' files sit beside them. */
export const PRIMARY_FORMAT = 'avro' satisfies OutputFormat;

export type TwinFormat = Exclude<OutputFormat, typeof PRIMARY_FORMAT>;

/** A part as the manifest and the shard checkpoint record it: the primary file, and each other format's file under its name. */
export type PartFiles = PartFile & { [F in TwinFormat]?: PartFile };
