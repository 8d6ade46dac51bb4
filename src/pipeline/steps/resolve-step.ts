import { InputError } from '../../domain/errors';
import {
  firstParamDifference,
  resolveGenerationInput,
  shardCount,
  type GenerationInput,
  type GenerationParams,
} from '../../config/generation-input';
import { readRunParams, writeRunParams } from '../run-params';
import { PopulationModel } from '../../simulation/user-profile';
import { RunLayout } from '../run-layout';
import { RunPlace } from '../run-place';
import { claimOwnedChecked, RunOwnedElsewhere, runFolder } from '../run-owner';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import type { RunRef } from './step-refs';

export interface ResolveArgs {
  input: unknown;
  /** names the run folder when the input does not */
  workflowId: string;
  /** ISO time a schedule started the run at */
  scheduledAt?: string;
}

/** A resumed run takes the recorded params; fields the input gives must agree with them. */
function resumedParams(
  params: GenerationParams,
  recorded: GenerationParams | undefined,
  input: GenerationInput,
  location: string,
): GenerationParams {
  if (!recorded) {
    throw new InputError('resume', `no generation to resume at ${location} (no _work/params.json); start a new one instead`);
  }
  for (const field of Object.keys(input ?? {})) {
    if (field === 'resume') continue;
    const key = field as keyof GenerationParams;
    if (JSON.stringify(params[key]) !== JSON.stringify(recorded[key])) {
      throw new InputError(
        field,
        `the generation being resumed has ${JSON.stringify(recorded[key])}, the input says ${JSON.stringify(params[key])}; leave it out to keep the recorded value`,
      );
    }
  }
  return recorded;
}

/**
 * Validates the input, fills defaults, fixes the run folder, claims it for the context's
 * owner and records the params there. With `resume`, the params recorded by the
 * generation being resumed win.
 */
export async function resolveStep(deps: GenerationStepDeps, ctx: StepContext, args: ResolveArgs): Promise<RunRef> {
  const scheduledAt = args.scheduledAt === undefined ? undefined : new Date(args.scheduledAt);
  let params = resolveGenerationInput(args.input, args.workflowId, { scheduledAt });
  const place = RunPlace.of(deps.dataRoot(), params.out, params.runId);
  const runDir = place.runDir;
  if (place.staged && params.keepDays) {
    throw new InputError(
      'keepDays',
      `pruning earlier generations is not supported in a bucket yet (out is ${params.out}); leave keepDays out`,
    );
  }
  new PopulationModel(params);
  const layout = new RunLayout(runDir);
  // a run in a bucket: what an earlier attempt published is the run's state, whichever worker staged it
  await place.pull(layout.runStateKeys);
  const recorded = readRunParams(layout);
  const differing = recorded && firstParamDifference(recorded, params);
  const resuming = params.resume !== null;
  if (resuming) {
    params = resumedParams(params, recorded, args.input as GenerationInput, place.location);
  } else if (differing) {
    throw new InputError(
      'runId',
      `${place.location} holds a generation with other params (${differing} differs); give another runId, or resume it with "resume": "${params.runId}"`,
    );
  }
  try {
    // one writer per run folder; a resume takes the folder over from the run it resumes
    await claimOwnedChecked(runFolder(runDir), ctx.ownerId, { takeOver: resuming, holderAlive: ctx.holderAlive });
  } catch (err) {
    if (!(err instanceof RunOwnedElsewhere)) throw err;
    throw new InputError(
      'runId',
      `${err.message}; give another runId, wait until it ends, or, if it stopped, resume it with "resume": "${params.runId}"`,
    );
  }
  if (!resuming) {
    writeRunParams(layout, params);
    await place.publish([{ key: layout.paramsKey }]);
  }
  deps.log
    .child({ runId: params.runId })
    .info(
      { runDir, location: place.location, users: params.users, shards: shardCount(params), resumed: !!recorded },
      'generation resolved',
    );
  return { params, runDir, ...(place.staged && { location: place.location }) };
}
