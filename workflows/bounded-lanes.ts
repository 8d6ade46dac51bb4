import { workflowInfo } from '@temporalio/workflow';

/** Start a new run of the same workflow when the server suggests it, or past this many events at the latest. */
const HISTORY_EVENT_LIMIT = 20_000;

export function historyShouldContinueAsNew(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > HISTORY_EVENT_LIMIT;
}

export interface BoundedLanes {
  /** every index below this one is done */
  first: number;
  total: number;
  parallelism: number;
  /** does index `i`; resolves once it is done */
  run: (i: number) => Promise<void>;
  /** what the first failing index throws (after the ones in flight have finished) */
  failure: (i: number, err: unknown) => unknown;
}

/**
 * Runs indexes from `first` on, at most `parallelism` at once. Stops launching new ones
 * when the history should be continued as new (once this run has launched one) or after
 * a failure, and returns the first index not launched once the in-flight ones have
 * finished: every index below it is done.
 */
export async function runBoundedLanes(opts: BoundedLanes): Promise<number> {
  let next = opts.first;
  let stop = false;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (!stop && next < opts.total) {
      if (next > opts.first && historyShouldContinueAsNew()) {
        stop = true;
        return;
      }
      const i = next++;
      try {
        await opts.run(i);
      } catch (err) {
        stop = true;
        failure ??= opts.failure(i, err);
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(opts.parallelism, opts.total - opts.first)) }, lane));
  if (failure !== undefined) throw failure;
  return next;
}
