import { readCatalogFile } from '../catalog/catalog-file';
import type { Song } from '../domain/song';
import { writeFileAtomic } from '../runtime/atomic-file';
import type { GenerationParams } from '../config/generation-input';
import { RunLayout } from './run-layout';
import { PopulationModel } from '../simulation/user-profile';
import { readUsersOfShard } from './users-file';
import { simulateUser, simulationContext } from '../simulation/simulate-user';
import { PartWriters, type WrittenPart } from '../formats/part-writers';

export interface ShardJob {
  params: GenerationParams;
  runDir: string;
  shard: number;
  catalogSha256: string;
}

/** The shard's checkpoint: its AVRO part (and Parquet twin, when written) with sizes and sha256. */
export interface ShardResult extends WrittenPart {
  shard: number;
  file: string;
  users: number;
}

export interface ShardProgress {
  users: number;
  records: number;
  bytes: number;
}

let cachedCatalog: { key: string; songs: Song[] } | undefined;

async function catalogFor(path: string, sha256: string): Promise<Song[]> {
  const key = `${path}#${sha256}`;
  if (cachedCatalog?.key !== key) cachedCatalog = { key, songs: await readCatalogFile(path) };
  return cachedCatalog.songs;
}

/** Simulates the users of one shard and writes its part file, streaming, then its checkpoint. */
export async function runShardJob(job: ShardJob, onProgress: (p: ShardProgress) => void = () => {}): Promise<ShardResult> {
  const layout = new RunLayout(job.runDir);
  const songs = await catalogFor(layout.catalogPath, job.catalogSha256);
  const users = readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, job.shard);
  const ctx = simulationContext(job.params, songs, new PopulationModel(job.params));
  const file = RunLayout.partName(job.shard);
  // the AVRO part in params.schemaVersion, and part-NNNNN.parquet beside it when format has parquet
  const writer = await PartWriters.open(job.params, layout, job.shard);
  try {
    let done = 0;
    for (const user of users) {
      for (const record of simulateUser(ctx, user)) {
        const pending = writer.append(record);
        if (pending) await pending;
      }
      done++;
      onProgress({ users: done, records: writer.records, bytes: writer.bytesWritten });
    }
    const written = await writer.commit();
    const result: ShardResult = { shard: job.shard, file, users: users.length, ...written };
    writeFileAtomic(layout.partCheckpointPath(job.shard), JSON.stringify(result));
    return result;
  } catch (err) {
    writer.abort();
    throw err;
  }
}
