import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { JobRunner, JobTask, ThreadJob, ThreadReply, ThreadRequest, ThreadWarmUp } from './thread-job';

interface Task {
  id: number;
  request: ThreadRequest;
  /** names the job in errors: "shard 3", "users file" */
  label: string;
  onProgress: (p: unknown) => void;
  resolve: (r: unknown) => void;
  reject: (e: Error) => void;
  cancelled?: boolean;
}

/**
 * V8's young generation of each pool thread, in MB (V8's default on 64 bits is up to 48 MB an
 * isolate). The jobs keep their bulk in typed arrays and buffers outside the heap and their
 * objects are short-lived, so a small young generation costs them little CPU and saves each
 * thread ~40 MB of RSS (docs/performance.md, Wrapped vs DuckDB: the figures both ways).
 */
export const POOL_YOUNG_GENERATION_MB = 8;

/** A thread on the compiled entry, or, when running from sources (tests), on the .ts one through tsx. */
function spawnThread(): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: POOL_YOUNG_GENERATION_MB };
  const js = path.join(__dirname, 'pool-thread.js');
  if (fs.existsSync(js)) return new Worker(js, { resourceLimits });
  const ts = path.join(__dirname, 'pool-thread.ts');
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(ts)});`, { eval: true, resourceLimits });
}

/**
 * The one pool of worker threads of a process: shards, the users file and Wrapped part
 * analyses all run here, so CPU-heavy work runs off the event loop (heartbeats keep
 * flowing), on every core, and never on more threads than `size`.
 */
export class ThreadPool implements JobRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size = Math.max(1, os.availableParallelism())) {}

  /** Queues `input` for `job`; `label` names it in errors ("shard 3"). */
  run<I, P, R>(job: ThreadJob<I, P, R>, input: I, label: string, onProgress: (p: P) => void = () => {}): JobTask<R> {
    if (this.closed) throw new Error('the thread pool is closed');
    let task!: Task;
    const result = new Promise<R>((resolve, reject) => {
      // a thread answers a job with the progress and result of the job's own types
      const request = { id: this.nextId++, module: job.module, fn: job.fn, input, liveThreads: [] as number[] };
      task = { id: request.id, request, label, onProgress: onProgress as Task['onProgress'], resolve: resolve as Task['resolve'], reject };
    });
    this.queue.push(task);
    this.dispatch();
    return { result, cancel: () => this.cancel(task) };
  }

  /**
   * Starts every thread now and has it load `modules` (the job modules it will run), so the
   * first jobs do not wait for that; for a process that knows work is coming.
   */
  warm(modules: readonly string[]): void {
    if (this.closed) return;
    while (this.idle.length + this.busy.size < this.size) {
      const worker = this.spawn();
      worker.unref();
      worker.postMessage({ warm: modules } satisfies ThreadWarmUp);
      this.idle.push(worker);
    }
  }

  private cancel(task: Task): void {
    task.cancelled = true;
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      task.reject(new Error(`${task.label} cancelled`));
      return;
    }
    for (const [worker, t] of this.busy) {
      if (t === task) {
        this.busy.delete(worker);
        void worker.terminate();
        task.reject(new Error(`${task.label} cancelled`));
        this.dispatch();
      }
    }
  }

  private spawn(): Worker {
    const worker = spawnThread();
    worker.on('message', (msg: ThreadReply) => {
      const task = this.busy.get(worker);
      if (!task || task.id !== msg.id) return;
      if (msg.type === 'progress') return task.onProgress(msg.progress);
      this.busy.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if (msg.type === 'done') task.resolve(msg.result);
      else {
        const err: NodeJS.ErrnoException = new Error(msg.error.message);
        err.stack = msg.error.stack;
        // the thread's error class by name (e.g. DamagedPart), for callers that tell failures apart
        if (msg.error.name) err.name = msg.error.name;
        if (msg.error.code) err.code = msg.error.code;
        if (msg.error.path) err.path = msg.error.path;
        task.reject(err);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.fail(worker, err));
    worker.on('exit', (code) => {
      if (this.busy.has(worker)) this.fail(worker, new Error(`pool thread exited with code ${code}`));
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
    });
    return worker;
  }

  private fail(worker: Worker, err: Error): void {
    const task = this.busy.get(worker);
    this.busy.delete(worker);
    if (task) task.reject(err);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.queue.length && this.busy.size < this.size) {
      const worker = this.idle.pop() ?? this.spawn();
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.ref();
      worker.postMessage({ ...task.request, liveThreads: [...this.busy.keys()].map((w) => w.threadId) } satisfies ThreadRequest);
    }
  }

  /**
   * Ends the threads that have no job now, giving back their heaps; later jobs start new
   * ones. For a step that is about to need memory in this thread and none in the pool.
   */
  async releaseIdle(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(new Error('the thread pool closed'));
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
    this.idle.length = 0;
    this.busy.clear();
  }
}
