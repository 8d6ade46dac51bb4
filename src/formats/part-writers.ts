import * as fs from 'node:fs';
import { sha256File } from '../runtime/atomic-file';
import type { SimulatedEvent } from '../domain/listening-record';
import type { SongTable } from '../simulation/song-table';
import { eventMapper, type PartEvent } from './listening-history-versions';
import type { PartFile, PartFileWriter, PartRun } from './part-format';
import { PART_FORMATS, PRIMARY_FORMAT, type OutputFormat, type PartFiles, type TwinFormat } from './part-formats';

/** Where a part's files go: each format's key (relative to the run's root, as the manifest records it) and its local path. */
export interface PartPlace {
  keyOf(format: OutputFormat): string;
  pathOf(key: string): string;
}

/**
 * The files of one shard: the primary (AVRO) part and one file per other format the run
 * asks for, all fed the same events in the run's schema version. All are written under
 * temporary names and renamed into place by commit(), the primary last.
 */
export class PartWriters {
  private constructor(
    private readonly primary: PartFileWriter,
    private readonly twins: { format: TwinFormat; file: string; writer: PartFileWriter }[],
    private readonly primaryFile: string,
    private readonly map: (e: SimulatedEvent) => PartEvent,
    private count = 0,
  ) {}

  /**
   * `place.keyOf(format)` is the key that format's file of this part is recorded under (relative to
   * the run's root), `place.pathOf(key)` where it goes; `songs` the run's catalog, whose songs the events name.
   */
  static open(run: PartRun & { format: readonly OutputFormat[] }, place: PartPlace, songs: SongTable): PartWriters {
    const opened: PartFileWriter[] = [];
    try {
      const primaryKey = place.keyOf(PRIMARY_FORMAT);
      const primary = PART_FORMATS[PRIMARY_FORMAT].open(place.pathOf(primaryKey), run, songs);
      opened.push(primary);
      const twins: { format: TwinFormat; file: string; writer: PartFileWriter }[] = [];
      for (const format of run.format) {
        if (format === PRIMARY_FORMAT) continue;
        const file = place.keyOf(format);
        const writer = PART_FORMATS[format].open(place.pathOf(file), run, songs);
        opened.push(writer);
        twins.push({ format, file, writer });
      }
      return new PartWriters(primary, twins, primaryKey, eventMapper(run.schemaVersion, run.seed, songs));
    } catch (err) {
      for (const w of opened) w.abort();
      throw err;
    }
  }

  get records(): number {
    return this.count;
  }

  get bytesWritten(): number {
    return this.primary.bytesWritten ?? 0;
  }

  append(event: SimulatedEvent): void {
    const mapped = this.map(event);
    this.count++;
    this.primary.append(mapped);
    for (const twin of this.twins) twin.writer.append(mapped);
  }

  commit(): PartFiles {
    const twins: Partial<Record<TwinFormat, PartFile>> = {};
    for (const twin of this.twins) twins[twin.format] = { file: twin.file, ...twin.writer.commit() };
    return { file: this.primaryFile, ...this.primary.commit(), ...twins };
  }

  abort(): void {
    this.primary.abort();
    for (const twin of this.twins) twin.writer.abort();
  }
}

/** The other formats' files a part (manifest entry or checkpoint) records. */
export function twinFiles(part: PartFiles): PartFile[] {
  return Object.keys(PART_FORMATS)
    .filter((format): format is TwinFormat => format !== PRIMARY_FORMAT)
    .flatMap((format) => (part[format] ? [part[format]] : []));
}

/** The part's entry as the manifest lists it: primary file, sizes and sha256, then the other formats' files. */
export function partFilesOf(part: PartFiles): PartFiles {
  const entry: PartFiles = { file: part.file, records: part.records, bytes: part.bytes, sha256: part.sha256 };
  for (const format of Object.keys(PART_FORMATS) as OutputFormat[]) {
    if (format !== PRIMARY_FORMAT && part[format]) entry[format] = part[format];
  }
  return entry;
}

/** The first of the part's other-format files that is missing or differs from its recorded sha256, if any; `pathOf` places a recorded key. */
export function invalidTwin(pathOf: (key: string) => string, part: PartFiles): PartFile | undefined {
  return twinFiles(part).find((twin) => {
    const file = pathOf(twin.file);
    return !fs.existsSync(file) || sha256File(file) !== twin.sha256;
  });
}
