import type { ShardJob, ShardProgress, ShardResult } from './shard-job';
import type { UsersJob, UsersProgress, UsersResult } from './users-job';

/** The kinds of CPU-heavy work a pool thread runs, with what each reports and returns. */
export interface PoolJobKinds {
  shard: { job: ShardJob; progress: ShardProgress; result: ShardResult };
  users: { job: UsersJob; progress: UsersProgress; result: UsersResult };
}

export type PoolJobKind = keyof PoolJobKinds;

export type PoolJob = { [K in PoolJobKind]: { kind: K; job: PoolJobKinds[K]['job'] } }[PoolJobKind];

/** pool -> thread */
export interface PoolRequest {
  id: number;
  job: PoolJob;
  /** threads of the pool running jobs now: a temporary file of any other thread is a dead attempt's */
  liveThreads: number[];
}

export type PoolOutcome =
  | { type: 'progress'; progress: PoolJobKinds[PoolJobKind]['progress'] }
  | { type: 'done'; result: PoolJobKinds[PoolJobKind]['result'] }
  | { type: 'error'; error: { message: string; stack?: string; name?: string } };

/** thread -> pool */
export type PoolReply = PoolOutcome & { id: number };
