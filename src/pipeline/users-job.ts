import { RunLayout } from './run-layout';
import { shardCount, shardUserRange, type GenerationParams } from '../config/generation-input';
import { PopulationModel } from '../simulation/user-profile';
import { writeUsersFile } from './users-file';

export interface UsersJob {
  params: GenerationParams;
  runDir: string;
}

export interface UsersProgress {
  users: number;
  shardsDone: number;
  shards: number;
}

export interface UsersResult {
  users: number;
  bytes: number;
  /** of the users file and of its offsets file: what a resumed run checks before reusing them */
  sha256: string;
  offsetsSha256: string;
}

/** Derives every user's profile and writes the run's users file and its offsets, shard by shard. */
export function runUsersJob(job: UsersJob, onProgress: (p: UsersProgress) => void = () => {}): UsersResult {
  const layout = new RunLayout(job.runDir);
  const model = new PopulationModel(job.params);
  const shards = shardCount(job.params);
  let users = 0;
  return writeUsersFile(layout.usersPath, layout.usersOffsetsPath, shards, function* (shard) {
    const { first, last } = shardUserRange(job.params, shard);
    for (let id = first; id <= last; id++) yield model.profile(id);
    users += last - first + 1;
    onProgress({ users, shardsDone: shard + 1, shards });
  });
}
