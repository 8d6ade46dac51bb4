import { ActivityFailure, ApplicationFailure, isCancellation } from '@temporalio/workflow';

/** The innermost cause's message: an ActivityFailure only says "Activity task failed". */
export function causeMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown };
  while (e.cause instanceof Error) e = e.cause;
  return e.message ?? String(err);
}

/**
 * An activity's failure becomes the workflow's own, with the real cause in the message
 * (an ActivityFailure alone only says "Activity task failed").
 */
export function failFast(err: unknown): never {
  if (isCancellation(err)) throw err;
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? undefined, ...(err.cause.details ?? []));
  }
  if (err instanceof ActivityFailure) {
    throw ApplicationFailure.nonRetryable(`${err.activityType} failed after its retries: ${causeMessage(err)}`, 'ActivityRetriesExhausted');
  }
  throw err;
}
