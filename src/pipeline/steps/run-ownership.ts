import { InputError } from '../../domain/errors';
import { readRunParams } from '../run-params';
import { RunLayout } from '../run-layout';
import { RunPlace } from '../run-place';
import { holdRun, RunOwnedElsewhere } from '../run-owner';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import { RunTakenOver } from './step-errors';
import type { RunRef } from './step-refs';

/**
 * A RunRef comes back from the workflow, whose arguments a starter can forge (a
 * continuation included): its folder must be the one its params resolve to under the
 * data root, and its params the ones the resolve step recorded there.
 */
export function verifyRunRef(deps: GenerationStepDeps, ref: RunRef): RunPlace {
  const forged = (why: string): never => {
    throw new InputError('run', why);
  };
  if (typeof ref !== 'object' || ref === null || typeof ref.runDir !== 'string' || typeof ref.params !== 'object' || ref.params === null)
    forged('not a run reference');
  const place = RunPlace.of(deps.dataRoot(), ref.params.out, ref.params.runId);
  const runDir = place.runDir;
  if (runDir !== ref.runDir) forged(`${JSON.stringify(ref.runDir)} is not the folder its params name`);
  if ((place.staged ? place.location : undefined) !== ref.location)
    forged(`${JSON.stringify(ref.location)} is not the location its params name`);
  const recorded = readRunParams(new RunLayout(runDir));
  if (JSON.stringify(recorded) !== JSON.stringify(ref.params)) forged(`${runDir} does not hold a generation with these params`);
  return place;
}

/** Verifies the ref and that the context's owner still owns the run folder (renewing its claim); see run-owner. */
export function ownedRunRef(deps: GenerationStepDeps, ctx: StepContext, ref: RunRef): RunPlace {
  const place = verifyRunRef(deps, ref);
  try {
    holdRun(ref.runDir, ctx.ownerId);
  } catch (err) {
    if (err instanceof RunOwnedElsewhere)
      throw new RunTakenOver(`${err.message}, which took it over; this run stops (its finished parts stay)`);
    throw err;
  }
  return place;
}

/** Renews the owner's claim on the run folder while a long step works; returns the function that stops it. */
export function keepOwning(deps: GenerationStepDeps, ctx: StepContext, ref: RunRef): () => void {
  const timer = setInterval(() => {
    try {
      holdRun(ref.runDir, ctx.ownerId);
    } catch (err) {
      deps.log.child({ runId: ref.params.runId }).warn({ err }, 'run folder taken over; this attempt finishes its file and stops');
    }
  }, 30_000);
  return () => clearInterval(timer);
}
