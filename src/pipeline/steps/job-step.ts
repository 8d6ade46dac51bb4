import type { JobTask, ThreadJob } from '../../runtime/thread-job';
import { keepOwning } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import { onAbort, type StepContext } from './step-context';
import type { RunRef } from './step-refs';

const HEARTBEAT_MS = 2000;

/**
 * Keeps a long step alive while `work` runs: a heartbeat at each progress `work` reports and
 * every 2 s with the latest one (a job may be quiet for a while), and the context owner's
 * claim on the run folder renewed.
 */
export async function keepStepAlive<P, T>(
  deps: GenerationStepDeps,
  ctx: StepContext,
  ref: RunRef,
  initial: NoInfer<P> | undefined,
  work: (report: (p: P) => void) => Promise<T>,
): Promise<T> {
  let progress = initial;
  const heartbeat = setInterval(() => ctx.heartbeat(progress), HEARTBEAT_MS);
  const stopOwning = keepOwning(deps, ctx, ref);
  try {
    return await work((p) => {
      progress = p;
      ctx.heartbeat(p);
    });
  } finally {
    clearInterval(heartbeat);
    stopOwning();
  }
}

export interface JobStep<I, P, R> {
  job: ThreadJob<I, P, R>;
  input: I;
  /** names the job in errors ("shard 3") */
  label: string;
  /** heartbeat details until the job reports */
  progress: P;
  /** what the step throws when the run is cancelled */
  cancelled: () => Error;
  /** sees the task once queued (a test harness may cancel it) */
  started?: (task: JobTask<R>) => void;
}

/** Runs a step's thread job, kept alive (keepStepAlive); cancelling the run cancels the job, and the step throws `cancelled()`. */
export function runJobStep<I, P, R>(deps: GenerationStepDeps, ctx: StepContext, ref: RunRef, step: JobStep<I, P, R>): Promise<R> {
  return keepStepAlive(deps, ctx, ref, step.progress, async (report) => {
    const task = deps.jobs.run(step.job, step.input, step.label, report);
    const stopListening = onAbort(ctx.signal, () => task.cancel());
    step.started?.(task);
    try {
      return await task.result;
    } catch (err) {
      if (ctx.signal.aborted) throw step.cancelled();
      throw err;
    } finally {
      stopListening();
    }
  });
}
