/**
 * A kind of CPU-heavy work a pool thread can run: the module that exports the function
 * and the export's name (so the thread loads it without the pool knowing the layers
 * above), typed with what the job takes, reports as progress and returns.
 */
export interface ThreadJob<Input, Progress, Result> {
  readonly module: string;
  /** the export's name */
  readonly fn: string;
  /** the function itself, for running the job in the calling thread (inlineJobs) */
  readonly run: ThreadJobFunction<Input, Progress, Result>;
}

/** What such an exported function looks like: it may report progress as often as it likes (the caller throttles). */
export type ThreadJobFunction<Input, Progress, Result> = (input: Input, report: (p: Progress) => void) => Result | Promise<Result>;

/** Declares a thread job; `module` is the defining file (__filename), `run` an exported function of it. */
export function threadJob<Input, Progress, Result>(
  module: string,
  run: ThreadJobFunction<Input, Progress, Result>,
): ThreadJob<Input, Progress, Result> {
  return { module, fn: run.name, run };
}

/** A job queued on a JobRunner: its result, and a way to stop it. */
export interface JobTask<R> {
  result: Promise<R>;
  cancel: () => void;
}

/** Runs thread jobs: the process's ThreadPool, or inlineJobs (the calling thread, for in-process runs). */
export interface JobRunner {
  /** how many jobs run at once */
  readonly size: number;
  /** Queues `input` for `job`; `label` names it in errors ("shard 3"). */
  run<I, P, R>(job: ThreadJob<I, P, R>, input: I, label: string, onProgress?: (p: P) => void): JobTask<R>;
}

/** Runs each job at once in the calling thread; cancel only rejects the result (the job itself runs to its end). */
export const inlineJobs: JobRunner = {
  size: 1,
  run(job, input, label, onProgress = () => {}) {
    let cancel!: () => void;
    const cancelled = new Promise<never>((_, reject) => (cancel = () => reject(new Error(`${label} cancelled`))));
    const result = Promise.race([Promise.resolve().then(() => job.run(input, onProgress)), cancelled]);
    return { result, cancel };
  },
};

/** pool -> thread */
export interface ThreadRequest {
  id: number;
  module: string;
  fn: string;
  input: unknown;
  /** threads of the pool running jobs now: a temporary file of any other thread is a dead attempt's */
  liveThreads: number[];
}

/** pool -> thread: load these modules now (ThreadPool.warm) */
export interface ThreadWarmUp {
  warm: readonly string[];
}

/** thread -> pool */
export type ThreadReply = { id: number } & (
  | { type: 'progress'; progress: unknown }
  | { type: 'done'; result: unknown }
  | { type: 'error'; error: { message: string; stack?: string; name?: string; code?: string; path?: string } }
);
