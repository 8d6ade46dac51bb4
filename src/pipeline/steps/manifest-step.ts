import { buildManifest } from '../build-manifest';
import { releaseRun } from '../run-owner';
import { ownedRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import type { ManifestRef, RunRef } from './step-refs';

/** Checks every part against its checkpoint (MissingPartError when one never completed), writes the manifest last and gives the folder up. */
export async function manifestStep(deps: GenerationStepDeps, ctx: StepContext, given: RunRef): Promise<ManifestRef> {
  const { place, run: ref } = await ownedRunRef(deps, ctx, given);
  const built = await buildManifest(ref.params, place, (shard) => ctx.heartbeat({ shard }));
  deps.log
    .child({ runId: ref.params.runId, step: 'manifest' })
    .info({ totalRecords: built.totalRecords, parts: built.parts }, 'manifest written');
  releaseRun(ref.runDir, ctx.ownerId);
  // a run in a bucket is complete there: its staging folder (catalog, users, checkpoints) is no longer needed
  place.finish();
  return built;
}
