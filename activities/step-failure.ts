import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { SourceError } from '../src/catalog/sources';
import { InputError } from '../src/domain/errors';
import { MissingPartError } from '../src/pipeline/build-manifest';
import type { StepContext } from '../src/pipeline/steps/step-context';
import { temporalHolderAlive } from './holder-alive';
import { MissingRunFile, RunTakenOver, StepCancelled } from '../src/pipeline/steps/step-errors';

/** The step context of the current activity: its workflow owns the run folder (never taken from the arguments). */
export function activityStepContext(): StepContext {
  const ctx = Context.current();
  const ownerId = ctx.info.workflowExecution?.workflowId;
  if (!ownerId) throw new Error('a generation activity must run for a workflow');
  return {
    ownerId,
    attempt: ctx.info.attempt,
    signal: ctx.cancellationSignal,
    heartbeat: (details) => ctx.heartbeat(details),
    holderAlive: temporalHolderAlive(),
  };
}

/** A step's domain error as the failure the workflow acts on: non-retryable when no retry can help. */
export function stepFailure(err: unknown): unknown {
  if (err instanceof InputError) return ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
  // a source fails only after its own retries (see HttpOptions.attempts): the activity does not retry it again
  if (err instanceof SourceError)
    return ApplicationFailure.nonRetryable(err.message, err.retryable ? 'CatalogSourceUnavailable' : 'CatalogSourceError');
  if (err instanceof MissingPartError) return ApplicationFailure.nonRetryable(err.message, 'MissingPart');
  if (err instanceof MissingRunFile) return ApplicationFailure.nonRetryable(err.message, 'MissingRunFile');
  if (err instanceof RunTakenOver) return ApplicationFailure.nonRetryable(err.message, 'RunTakenOver');
  if (err instanceof StepCancelled) return new CancelledFailure(err.message);
  return err;
}

/** The activity that runs `step` with the current activity's context, failing as stepFailure says. */
export function stepActivity<A, R>(step: (ctx: StepContext, arg: A) => Promise<R>): (arg: A) => Promise<R> {
  return async (arg) => {
    try {
      return await step(activityStepContext(), arg);
    } catch (err) {
      throw stepFailure(err);
    }
  };
}
