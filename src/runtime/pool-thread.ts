import { parentPort } from 'node:worker_threads';
import { setLiveThreads } from './atomic-file';
import { runShardJob } from '../pipeline/shard-job';
import { runUsersJob } from '../pipeline/users-job';
import type { PoolJob, PoolOutcome, PoolReply, PoolRequest } from '../pipeline/pool-jobs';

/** users between two progress messages of a users job */
const USERS_PER_PROGRESS = 50_000;

async function runJob(job: PoolJob, post: (reply: PoolOutcome) => void): Promise<void> {
  let last = 0;
  if (job.kind === 'shard') {
    const result = await runShardJob(job.job, (progress) => {
      if (progress.records - last >= 5000) {
        last = progress.records;
        post({ type: 'progress', progress });
      }
    });
    post({ type: 'done', result });
  } else {
    const result = runUsersJob(job.job, (progress) => {
      if (progress.users - last >= USERS_PER_PROGRESS || progress.shardsDone === progress.shards) {
        last = progress.users;
        post({ type: 'progress', progress });
      }
    });
    post({ type: 'done', result });
  }
}

/** Worker-thread entry: runs the jobs posted by ThreadPool (shards, the users file), reporting progress. */
parentPort!.on('message', async (msg: PoolRequest) => {
  const post = (reply: PoolOutcome) => parentPort!.postMessage({ id: msg.id, ...reply } satisfies PoolReply);
  setLiveThreads(msg.liveThreads);
  try {
    await runJob(msg.job, post);
  } catch (err) {
    const e = err as Error;
    post({ type: 'error', error: { message: e.message, stack: e.stack, name: e.name } });
  }
});
