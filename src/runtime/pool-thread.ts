import { parentPort } from 'node:worker_threads';
import { setLiveThreads } from './atomic-file';
import type { ThreadJobFunction, ThreadReply, ThreadRequest, ThreadWarmUp } from './thread-job';

async function run(msg: ThreadRequest): Promise<void> {
  const post = (reply: ThreadReply) => parentPort!.postMessage(reply);
  setLiveThreads(msg.liveThreads);
  try {
    const fn = (require(msg.module) as Record<string, ThreadJobFunction<unknown, unknown, unknown>>)[msg.fn];
    if (typeof fn !== 'function') throw new Error(`${msg.module} exports no function ${msg.fn}`);
    const result = await fn(msg.input, (progress) => post({ id: msg.id, type: 'progress', progress }));
    post({ id: msg.id, type: 'done', result });
  } catch (err) {
    const e = err as Error;
    post({ id: msg.id, type: 'error', error: { message: e.message, stack: e.stack, name: e.name } });
  }
}

/** Loads job modules ahead of the first job; a module that fails to load fails that job instead. */
function warmUp(msg: ThreadWarmUp): void {
  for (const module of msg.warm) {
    try {
      require(module);
    } catch {
      // reported by the job that needs it
    }
  }
}

/** Worker-thread entry: runs the thread jobs ThreadPool posts (one at a time), reporting progress. */
parentPort!.on('message', (msg: ThreadRequest | ThreadWarmUp) => ('warm' in msg ? warmUp(msg) : void run(msg)));
