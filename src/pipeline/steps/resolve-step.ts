import { InputError } from '../../domain/errors';
import {
  firstParamDifference,
  resolveGenerationInput,
  shardCount,
  type GenerationInput,
  type GenerationParams,
} from '../../config/generation-input';
import { writeFileAtomic } from '../../runtime/atomic-file';
import { resolveRunDir } from '../../runtime/data-root';
import { readJsonIfPresent } from '../../runtime/json-file';
import { PopulationModel } from '../../simulation/user-profile';
import { RunLayout } from '../run-layout';
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
  runDir: string,
): GenerationParams {
  if (!recorded) {
    throw new InputError('resume', `no generation to resume at ${runDir} (no _work/params.json); start a new one instead`);
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
  const runDir = resolveRunDir(deps.dataRoot(), params.out, params.runId);
  new PopulationModel(params);
  const layout = new RunLayout(runDir);
  const recorded = readJsonIfPresent<GenerationParams>(layout.paramsPath);
  const differing = recorded && firstParamDifference(recorded, params);
  const resuming = params.resume !== null;
  if (resuming) {
    params = resumedParams(params, recorded, args.input as GenerationInput, runDir);
  } else if (differing) {
    throw new InputError(
      'runId',
      `${runDir} holds a generation with other params (${differing} differs); give another runId, or resume it with "resume": "${params.runId}"`,
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
  if (!resuming) writeFileAtomic(layout.paramsPath, JSON.stringify(params, null, 2) + '\n');
  deps.log
    .child({ runId: params.runId })
    .info({ runDir, users: params.users, shards: shardCount(params), resumed: !!recorded }, 'generation resolved');
  return { params, runDir };
}
