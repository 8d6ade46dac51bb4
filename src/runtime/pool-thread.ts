import { parentPort } from 'node:worker_threads';
import { setLiveThreads } from './atomic-file';
import type { ThreadJobFunction, ThreadReply, ThreadRequest, ThreadWarmUp } from './thread-job';

/**
 * A job's progress goes to the main thread at most this often: a shard reports after every
 * user, and a message each (cloned, then heartbeated by the activity) took main-thread CPU
 * from the pool threads on a machine with as many cores as threads.
 */
const PROGRESS_MS = 100;

async function run(msg: ThreadRequest): Promise<void> {
  const post = (reply: ThreadReply) => parentPort!.postMessage(reply);
  let lastPosted = -Infinity;
  // the latest progress, posted before the result when it was held back, so the last progress is the job's final state
  let latest: unknown;
  let heldBack = false;
  const progress = (p: unknown) => {
    latest = p;
    const now = performance.now();
    heldBack = now - lastPosted < PROGRESS_MS;
    if (heldBack) return;
    lastPosted = now;
    post({ id: msg.id, type: 'progress', progress: p });
  };
  setLiveThreads(msg.liveThreads);
  try {
    const fn = (require(msg.module) as Record<string, ThreadJobFunction<unknown, unknown, unknown>>)[msg.fn];
    if (typeof fn !== 'function') throw new Error(`${msg.module} exports no function ${msg.fn}`);
    const result = await fn(msg.input, progress);
    if (heldBack) post({ id: msg.id, type: 'progress', progress: latest });
    post({ id: msg.id, type: 'done', result });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // code and path too: a full disk's failure names the filesystem of the file that could not be written
    post({ id: msg.id, type: 'error', error: { message: e.message, stack: e.stack, name: e.name, code: e.code, path: e.path } });
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
