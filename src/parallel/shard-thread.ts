import { parentPort } from 'node:worker_threads';
import { runShardJob, type ShardJob } from '../simulate/shard-job';

/** Worker-thread entry: runs shard jobs posted by ShardPool, reporting progress. */
parentPort!.on('message', async (msg: { id: number; job: ShardJob }) => {
  let last = 0;
  try {
    const result = await runShardJob(msg.job, (progress) => {
      if (progress.records - last >= 5000) {
        last = progress.records;
        parentPort!.postMessage({ id: msg.id, type: 'progress', progress });
      }
    });
    parentPort!.postMessage({ id: msg.id, type: 'done', result });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ id: msg.id, type: 'error', error: { message: e.message, stack: e.stack, name: e.name } });
  }
});
