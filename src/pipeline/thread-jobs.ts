import { threadJob } from '../runtime/thread-job';
import { runShardJob, type ShardJob, type ShardProgress, type ShardResult } from './shard-job';
import { runUsersJob, type UsersJob, type UsersProgress, type UsersResult } from './users-job';

/** records between two progress messages of a shard */
const RECORDS_PER_PROGRESS = 5000;
/** users between two progress messages of a users job */
const USERS_PER_PROGRESS = 50_000;

/** A shard's part files, in a pool thread (ThreadPool.run(shardThreadJob, ...)). */
export const shardThreadJob = threadJob<ShardJob, ShardProgress, ShardResult>(__filename, 'runShardInThread');

/** The run's users file and its offsets, in a pool thread. */
export const usersThreadJob = threadJob<UsersJob, UsersProgress, UsersResult>(__filename, 'runUsersInThread');

export function runShardInThread(job: ShardJob, report: (p: ShardProgress) => void): Promise<ShardResult> {
  let last = 0;
  return runShardJob(job, (progress) => {
    if (progress.records - last < RECORDS_PER_PROGRESS) return;
    last = progress.records;
    report(progress);
  });
}

export function runUsersInThread(job: UsersJob, report: (p: UsersProgress) => void): UsersResult {
  let last = 0;
  return runUsersJob(job, (progress) => {
    if (progress.users - last < USERS_PER_PROGRESS && progress.shardsDone !== progress.shards) return;
    last = progress.users;
    report(progress);
  });
}
