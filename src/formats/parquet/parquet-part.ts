import { EventRecords } from '../listening-history-versions';
import type { PartFileWriter, PartFormat, PartRecord } from '../part-format';
import { ColumnarParquetWriter } from './columnar-parquet-writer';
import { listeningParquetColumns, listeningParquetShredder } from './listening-parquet';

/** Parquet parts with the same records as the AVRO ones, nested fields flattened to columns. */
export const parquetPart: PartFormat = {
  description: 'Parquet files beside the AVRO parts, same records, flat columns',
  open(file, run, songs): PartFileWriter {
    const writer = ColumnarParquetWriter.open<PartRecord>(file, listeningParquetColumns(run.schemaVersion), {
      codec: run.parquetCodec,
      shredder: listeningParquetShredder(run.schemaVersion),
    });
    const records = new EventRecords(run.schemaVersion);
    return {
      append: (event) => writer.append(records.of(event, songs.song(event.song))),
      commit: () => writer.commit(),
      abort: () => writer.abort(),
    };
  },
};
