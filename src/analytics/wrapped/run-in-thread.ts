import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WrappedPartJob, WrappedPartJobResult } from './part-job';

/** A thread on the compiled entry, or, when running from sources (tests), on the .ts one through tsx. */
function spawnThread(): Worker {
  const js = path.join(__dirname, 'part-thread.js');
  if (fs.existsSync(js)) return new Worker(js);
  const ts = path.join(__dirname, 'part-thread.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true });
}

/**
 * Runs one part's analysis in its own worker thread, off the activity's event loop
 * (decoding and tallying are CPU work). cancel() terminates the thread.
 */
export function runPartJobInThread(job: WrappedPartJob, onProgress: (records: number) => void): { result: Promise<WrappedPartJobResult>; cancel: () => void } {
  const worker = spawnThread();
  const result = new Promise<WrappedPartJobResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on('message', (msg: { type: string; records?: number; result?: WrappedPartJobResult; error?: { message: string; stack?: string } }) => {
      if (msg.type === 'progress') return onProgress(msg.records!);
      if (msg.type === 'done') return settle(() => resolve(msg.result!));
      const err = new Error(msg.error!.message);
      err.stack = msg.error!.stack;
      settle(() => reject(err));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the analysis thread of ${job.part} exited with code ${code}`))));
    worker.postMessage(job);
  });
  return { result, cancel: () => void worker.terminate() };
}
