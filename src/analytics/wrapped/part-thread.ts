import { parentPort } from 'node:worker_threads';
import { runWrappedPartJob, type WrappedPartJob } from './part-job';

/** Worker-thread entry: analyses one part posted by runPartJobInThread, reporting progress. */
parentPort!.once('message', async (job: WrappedPartJob) => {
  try {
    const result = await runWrappedPartJob(job, (records) => parentPort!.postMessage({ type: 'progress', records }));
    parentPort!.postMessage({ type: 'done', result });
  } catch (err) {
    const e = err as Error;
    parentPort!.postMessage({ type: 'error', error: { message: e.message, stack: e.stack } });
  }
});
