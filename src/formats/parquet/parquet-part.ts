import type { PartEvent } from '../listening-history-versions';
import type { PartFileWriter, PartFormat } from '../part-format';
import { ColumnarParquetWriter } from './columnar-parquet-writer';
import { listeningParquetColumns, listeningParquetShredder, listeningRowKey } from './listening-parquet';

/** Parquet parts with the same records as the AVRO ones, nested fields flattened to columns. */
export const parquetPart: PartFormat = {
  description: 'Parquet files beside the AVRO parts, same records, flat columns',
  open(file, run, songs): PartFileWriter {
    const writer = ColumnarParquetWriter.open<PartEvent>(file, listeningParquetColumns(run.schemaVersion, songs), {
      codec: run.parquetCodec,
      shredder: listeningParquetShredder(run.schemaVersion),
      rowKey: listeningRowKey,
    });
    return {
      append: (event) => writer.append(event),
      commit: () => writer.commit(),
      abort: () => writer.abort(),
    };
  },
};
