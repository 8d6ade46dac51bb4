import * as fs from 'node:fs';
import * as path from 'node:path';
import { AvroContainerWriter, type WrittenContainer } from './avro/container-writer';
import { schemaType } from './avro/schemas';
import { removeStaleTempFiles, sha256File } from '../runtime/atomic-file';
import { RunLayout } from '../pipeline/run-layout';
import type { GenerationParams } from '../config/generation-input';
import { listeningParquetColumns } from './parquet/listening-parquet';
import { ColumnarParquetWriter } from './parquet/columnar-parquet-writer';
import { derivedBytes } from '../simulation/seeded-random';
import type { ListeningRecord, SimulatedRecord } from '../domain/listening-record';
import { listeningHistorySchemaFile, recordMapper, type ListeningRecordV2 } from './listening-history-versions';

/** The Parquet twin of a part, as recorded in the shard checkpoint and the manifest. */
export interface PartParquet {
  file: string;
  records: number;
  bytes: number;
  sha256: string;
}

export interface WrittenPart extends WrittenContainer {
  parquet?: PartParquet;
}

/**
 * The files of one shard: the AVRO part in the run's schema version and, when the
 * formats ask for it, part-NNNNN.parquet fed the same records. Both are written
 * under temporary names and renamed into place by commit().
 */
export class PartWriters {
  private constructor(
    private readonly avro: AvroContainerWriter,
    private readonly parquet: ColumnarParquetWriter<ListeningRecord | ListeningRecordV2> | undefined,
    private readonly parquetFile: string,
    private readonly map: (r: SimulatedRecord) => ListeningRecord | ListeningRecordV2,
  ) {}

  static open(params: GenerationParams, layout: RunLayout, shard: number): PartWriters {
    removeStaleTempFiles(layout.partPath(shard));
    const avro = new AvroContainerWriter(layout.partPath(shard), schemaType(listeningHistorySchemaFile(params.schemaVersion)), {
      syncMarker: derivedBytes([params.seed, 'avro-sync', 'listening-history']),
      // v1 files keep the seed's bare header byte for byte; v2 carries its timestamp-millis and defaults
      schemaAttributes: params.schemaVersion >= 2,
    });
    let parquet: ColumnarParquetWriter<ListeningRecord | ListeningRecordV2> | undefined;
    if (params.format.includes('parquet')) {
      try {
        parquet = ColumnarParquetWriter.open(layout.partPath(shard, 'parquet'), listeningParquetColumns(params.schemaVersion));
      } catch (err) {
        avro.abort();
        throw err;
      }
    }
    return new PartWriters(avro, parquet, RunLayout.partName(shard, 'parquet'), recordMapper(params.schemaVersion, params.seed));
  }

  get records(): number {
    return this.avro.records;
  }

  get bytesWritten(): number {
    return this.avro.bytesWritten;
  }

  append(record: SimulatedRecord): void {
    const mapped = this.map(record);
    this.avro.append(mapped);
    this.parquet?.append(mapped);
  }

  commit(): WrittenPart {
    const parquet = this.parquet ? { file: this.parquetFile, ...this.parquet.commit() } : undefined;
    const avro = this.avro.commit();
    return parquet ? { ...avro, parquet } : avro;
  }

  abort(): void {
    this.avro.abort();
    this.parquet?.abort();
  }
}

/** The Parquet twin a shard checkpoint records, if the shard wrote one. */
export function checkpointParquet(checkpoint: object): PartParquet | undefined {
  return (checkpoint as WrittenPart).parquet;
}

/** True when the checkpoint records no Parquet twin, or the twin is in place with its recorded sha256. */
export function parquetTwinValid(runDir: string, checkpoint: object): boolean {
  const parquet = checkpointParquet(checkpoint);
  if (!parquet) return true;
  const file = path.join(runDir, parquet.file);
  return fs.existsSync(file) && sha256File(file) === parquet.sha256;
}
