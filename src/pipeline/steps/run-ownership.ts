import { InputError } from '../../domain/errors';
import { readRunParams } from '../run-params';
import { RunLayout } from '../run-layout';
import { RunPlace } from '../run-place';
import { claimOwnedChecked, holdRun, RunOwnedElsewhere, runFolder } from '../run-owner';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import { RunTakenOver } from './step-errors';
import type { RunRef } from './step-refs';

/** A checked run: where it lives, and its ref with this worker's own folder (`runDir`) to write in. */
export interface VerifiedRun<R extends RunRef> {
  place: RunPlace;
  run: R;
}

/**
 * A RunRef comes back from the workflow, whose arguments a starter can forge (a continuation included): a
 * folder run's folder must be the one its params resolve to under the data root, a bucket run's location the
 * one its params name; and its params the ones the resolve step recorded there. A bucket run's `runDir` is
 * the staging folder of the worker that resolved it: any other worker stages in its own (returned in `run`),
 * taking the recorded params from the bucket, so N workers with their own data roots serve one run.
 */
export async function verifyRunRef<R extends RunRef>(deps: GenerationStepDeps, ref: R): Promise<VerifiedRun<R>> {
  const forged = (why: string): never => {
    throw new InputError('run', why);
  };
  if (typeof ref !== 'object' || ref === null || typeof ref.runDir !== 'string' || typeof ref.params !== 'object' || ref.params === null)
    forged('not a run reference');
  const place = RunPlace.of(deps.dataRoot(), ref.params.out, ref.params.runId);
  const runDir = place.runDir;
  if (!place.staged && runDir !== ref.runDir) forged(`${JSON.stringify(ref.runDir)} is not the folder its params name`);
  if ((place.staged ? place.location : undefined) !== ref.location)
    forged(`${JSON.stringify(ref.location)} is not the location its params name`);
  const layout = new RunLayout(runDir);
  // the bucket's params are the run's record (this worker's staged copy may be missing or an earlier run's)
  await place.pull([layout.paramsKey]);
  const recorded = readRunParams(layout);
  if (JSON.stringify(recorded) !== JSON.stringify(ref.params)) forged(`${place.location} does not hold a generation with these params`);
  return { place, run: { ...ref, runDir } };
}

/**
 * Verifies the ref and that the context's owner still owns the run folder (renewing its claim); see run-owner.
 * A bucket run's staging folder on this worker may still name the workflow of an earlier attempt at the run
 * (resumed since): when Temporal says that holder no longer runs, this worker's folder is taken over.
 */
export async function ownedRunRef<R extends RunRef>(deps: GenerationStepDeps, ctx: StepContext, ref: R): Promise<VerifiedRun<R>> {
  const verified = await verifyRunRef(deps, ref);
  const { place, run } = verified;
  try {
    holdRun(run.runDir, ctx.ownerId);
  } catch (err) {
    if (!(err instanceof RunOwnedElsewhere)) throw err;
    const gone = place.staged && (await ctx.holderAlive?.(err.owner).catch(() => undefined)) === false;
    if (!gone) throw new RunTakenOver(`${err.message}, which took it over; this run stops (its finished parts stay)`);
    await claimOwnedChecked(runFolder(run.runDir), ctx.ownerId, { holderAlive: ctx.holderAlive });
  }
  return verified;
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
