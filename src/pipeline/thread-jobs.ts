import { threadJob } from '../runtime/thread-job';
import { runShardJob, type ShardJob, type ShardProgress, type ShardResult } from './shard-job';
import { runWorldDayJob, type WorldDayJob, type WorldDayProgress, type WorldDayShardResult } from './world-day-job';
import { repairWorldState, type WorldRepair } from './world-repair';
import { prepareCatalog, type CatalogJob } from './thread-catalog';
import { runUsersJob, type UsersJob, type UsersProgress, type UsersResult } from './users-job';

/** records between two progress messages of a shard */
const RECORDS_PER_PROGRESS = 5000;
/** users between two progress messages of a users job */
const USERS_PER_PROGRESS = 50_000;

/** A shard's part files, in a pool thread (ThreadPool.run(shardThreadJob, ...)). */
export const shardThreadJob = threadJob<ShardJob, ShardProgress, ShardResult>(__filename, runShardInThread);

/** The run's users file and its offsets, in a pool thread. */
export const usersThreadJob = threadJob<UsersJob, UsersProgress, UsersResult>(__filename, runUsersInThread);

/** The run's catalog loaded into a pool thread ahead of the shards (writing its columns file when missing). */
export const catalogThreadJob = threadJob<CatalogJob, undefined, ReturnType<typeof prepareCatalog>>(__filename, prepareCatalogInThread);

/** One shard's day of a world: its part files and its users' end-of-day state, in a pool thread. */
export const worldDayThreadJob = threadJob<WorldDayJob, WorldDayProgress, WorldDayShardResult>(__filename, runWorldDayInThread);

/** The users' state of a world's last complete day recomputed where it does not check, in a pool thread. */
export const worldRepairThreadJob = threadJob<{ worldDir: string }, { shard: number; day: string }, WorldRepair>(
  __filename,
  runWorldRepairInThread,
);

/** `report`, called only once RECORDS_PER_PROGRESS more records are written. */
function everyFewRecords<P extends { records: number }>(report: (p: P) => void): (p: P) => void {
  let last = 0;
  return (progress) => {
    if (progress.records - last < RECORDS_PER_PROGRESS) return;
    last = progress.records;
    report(progress);
  };
}

export function runShardInThread(job: ShardJob, report: (p: ShardProgress) => void): Promise<ShardResult> {
  return runShardJob(job, everyFewRecords(report));
}

export function runUsersInThread(job: UsersJob, report: (p: UsersProgress) => void): UsersResult {
  let last = 0;
  return runUsersJob(job, (progress) => {
    if (progress.users - last < USERS_PER_PROGRESS && progress.shardsDone !== progress.shards) return;
    last = progress.users;
    report(progress);
  });
}

export function runWorldDayInThread(job: WorldDayJob, report: (p: WorldDayProgress) => void): Promise<WorldDayShardResult> {
  return runWorldDayJob(job, everyFewRecords(report));
}

export function runWorldRepairInThread(job: { worldDir: string }, report: (p: { shard: number; day: string }) => void): WorldRepair {
  return repairWorldState(job.worldDir, (shard, day) => report({ shard, day }));
}

export function prepareCatalogInThread(job: CatalogJob): ReturnType<typeof prepareCatalog> {
  return prepareCatalog(job);
}
