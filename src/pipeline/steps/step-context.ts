import type { HolderAlive } from '../run-owner';

/**
 * What a generation step needs from whoever runs it: a Temporal activity (built from
 * its Context) or the in-process runner (inProcessContext).
 */
export interface StepContext {
  /** who writes the run folder: the workflow's id (see run-owner), "in-process" in process */
  ownerId: string;
  /** 1 on a first attempt, counted up by retries */
  attempt: number;
  /** aborted when the run is cancelled: the step stops its jobs and throws StepCancelled */
  signal: AbortSignal;
  /** says the step is alive, with its progress so far */
  heartbeat(details?: unknown): void;
  /** whether another holder of the run folder still runs (asked of Temporal by activities); without it, the lease decides */
  holderAlive?: HolderAlive;
}

/** The owner id of in-process runs. */
export const IN_PROCESS = 'in-process';

/** A plain context: no heartbeats, a first attempt, cancelled through `signal` if given. */
export function inProcessContext(signal: AbortSignal = new AbortController().signal): StepContext {
  return { ownerId: IN_PROCESS, attempt: 1, signal, heartbeat: () => {} };
}

/** Calls `listener` once when `signal` aborts (at once when it has); returns a function that removes it. */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
