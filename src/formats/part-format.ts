import type { ParquetCodec } from './parquet/parquet-codec';
import type { AvroCodec } from './avro/block-codecs';
import type { PartEvent, SchemaVersion } from './listening-history-versions';
import type { SongTable } from '../simulation/song-table';

/** What a finished part file holds, as checkpoints and the manifest record it. */
export interface WrittenFile {
  records: number;
  bytes: number;
  sha256: string;
}

export interface PartFile extends WrittenFile {
  /** the file's key relative to the run's root, e.g. <format>/part-NNNNN.<format> (see RunLayout) */
  file: string;
}

/** One part file being written under a temporary name; commit() renames it into place. */
export interface PartFileWriter {
  /** one record: the event's fields and those of its song in the run's catalog */
  append(event: PartEvent): void;
  commit(): WrittenFile;
  abort(): void;
  /** bytes written so far, for progress (the primary format's is shown) */
  readonly bytesWritten?: number;
}

/** What a part's bytes depend on besides its events. */
export interface PartRun {
  schemaVersion: SchemaVersion;
  seed: number;
  parquetCodec?: ParquetCodec;
  /** default deflate */
  avroCodec?: AvroCodec;
}

/**
 * An output format of the listening-history parts. Its key in PART_FORMATS
 * (part-formats.ts) is both the name in the input's `format` list and the extension.
 */
export interface PartFormat {
  /** one line for `--format` help and docs */
  readonly description: string;
  /** `songs`: the run's catalog, whose songs the events name by number */
  open(file: string, run: PartRun, songs: SongTable): PartFileWriter;
}
