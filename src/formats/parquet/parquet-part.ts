import type { PartFileWriter, PartFormat } from '../part-format';
import { flattenListeningRecord, listeningParquetColumns } from './listening-parquet';
import { ParquetFileWriter } from './parquet-file-writer';

/** Parquet parts with the same records as the AVRO ones, nested fields flattened to columns. */
export const parquetPart: PartFormat = {
  description: 'Parquet files beside the AVRO parts, same records, flat columns',
  async open(file, run): Promise<PartFileWriter> {
    const writer = await ParquetFileWriter.open(file, listeningParquetColumns(run.schemaVersion));
    return {
      append: (record) => writer.append(flattenListeningRecord(record)),
      commit: () => writer.commit(),
      abort: () => writer.abort(),
    };
  },
};
