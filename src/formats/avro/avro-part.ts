import { derivedBytes } from '../../simulation/seeded-random';
import { listeningHistorySchemaFile } from '../listening-history-versions';
import type { PartEvent } from '../listening-history-versions';
import type { PartFileWriter, PartFormat } from '../part-format';
import { AvroContainerWriter } from './container-writer';
import { schemaType } from './schemas';
import { songEventEncoder } from './song-event-encoder';

/** AVRO object container parts in the run's schema version, the sync marker derived from the run seed. */
export const avroPart: PartFormat = {
  description: 'AVRO object container files (always written; the manifest names them)',
  open(file, run, songs): PartFileWriter {
    const schemaFile = listeningHistorySchemaFile(run.schemaVersion);
    const writer = new AvroContainerWriter<PartEvent>(file, schemaType(schemaFile), {
      syncMarker: derivedBytes([run.seed, 'avro-sync', 'listening-history']),
      // v1 files keep the seed's bare header byte for byte; v2 carries its timestamp-millis and defaults
      schemaAttributes: run.schemaVersion >= 2,
      codec: run.avroCodec ?? 'deflate',
      encode: songEventEncoder(schemaFile, songs),
    });
    return {
      append: (record) => writer.append(record),
      commit: () => writer.commit(),
      abort: () => writer.abort(),
      get bytesWritten() {
        return writer.bytesWritten;
      },
    };
  },
};
