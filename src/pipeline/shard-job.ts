import { writeFileAtomic } from '../runtime/atomic-file';
import { sealedJson } from '../runtime/json-file';
import type { GenerationParams } from '../config/generation-input';
import { RunLayout } from './run-layout';
import { PopulationModel } from '../simulation/user-profile';
import { readUsersOfShard } from './users-file';
import { simulateUser, simulationContext } from '../simulation/simulate-user';
import { catalogFor } from './thread-catalog';
import { loadPageCodec } from '../formats/parquet/page-codecs';
import { loadBlockCodec } from '../formats/avro/block-codecs';
import { PartWriters } from '../formats/part-writers';
import type { PartFiles } from '../formats/part-formats';

export interface ShardJob {
  params: GenerationParams;
  runDir: string;
  shard: number;
  catalogSha256: string;
}

/** The shard's checkpoint: its AVRO part (and the other formats' files, when written) with sizes and sha256. */
export type ShardResult = { shard: number; users: number } & PartFiles;

export interface ShardProgress {
  users: number;
  records: number;
  bytes: number;
}

/** Simulates the users of one shard and writes its part file, streaming, then its checkpoint. */
export async function runShardJob(job: ShardJob, onProgress: (p: ShardProgress) => void = () => {}): Promise<ShardResult> {
  const layout = new RunLayout(job.runDir);
  const songs = catalogFor(layout.catalogPath, job.catalogSha256);
  const users = readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, job.shard);
  const ctx = simulationContext(job.params, songs, new PopulationModel(job.params));
  // avro/part-NNNNN.avro in params.schemaVersion, and <format>/part-NNNNN.<format> for each other format
  await loadPageCodec(job.params.parquetCodec ?? 'snappy');
  await loadBlockCodec(job.params.avroCodec ?? 'deflate');
  const writer = PartWriters.open(job.params, layout.partPlace(job.shard), songs);
  try {
    let done = 0;
    for (const user of users) {
      for (const event of simulateUser(ctx, user)) {
        writer.append(event);
      }
      done++;
      onProgress({ users: done, records: writer.records, bytes: writer.bytesWritten });
    }
    const written = writer.commit();
    const { file, ...rest } = written;
    const result: ShardResult = { shard: job.shard, file, users: users.length, ...rest };
    writeFileAtomic(layout.partCheckpointPath(job.shard), sealedJson(result));
    return result;
  } catch (err) {
    writer.abort();
    throw err;
  }
}
