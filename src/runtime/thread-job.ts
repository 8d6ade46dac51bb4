/**
 * A kind of CPU-heavy work a pool thread can run: the module that exports the function
 * and the export's name (so the thread loads it without the pool knowing the layers
 * above), typed with what the job takes, reports as progress and returns.
 */
export interface ThreadJob<Input, Progress, Result> {
  readonly module: string;
  readonly fn: string;
  /** never set: carries the types */
  readonly types?: (input: Input, progress: Progress) => Result;
}

/** What such an exported function looks like: it may report progress as often as it likes (the caller throttles). */
export type ThreadJobFunction<Input, Progress, Result> = (input: Input, report: (p: Progress) => void) => Result | Promise<Result>;

/** Declares a thread job; `module` is the defining file (__filename), `fn` an export of it. */
export function threadJob<Input, Progress, Result>(module: string, fn: string): ThreadJob<Input, Progress, Result> {
  return { module, fn };
}

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
  | { type: 'error'; error: { message: string; stack?: string; name?: string } }
);
