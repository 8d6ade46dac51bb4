import { catalogStep } from './catalog-step';
import { manifestStep } from './manifest-step';
import { pruneStep } from './prune-step';
import { resolveStep, type ResolveArgs } from './resolve-step';
import { ownedRunRef } from './run-ownership';
import { shardStep } from './shard-step';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import type { CatalogRef, ManifestRef, RunRef, ShardOutcome, ShardRef, UsersRef } from './step-refs';
import { usersStep } from './users-step';

/**
 * The steps of a generation, in order: resolve, catalog, users, one shard step per shard,
 * manifest (checkRun when a workflow continues as new, prune after a scheduled run).
 * The worker's activities and the in-process runner both call these; each takes the
 * context of the run it works for.
 */
export interface GenerationSteps {
  resolve(ctx: StepContext, args: ResolveArgs): Promise<RunRef>;
  /** the run a continued workflow carries, checked: its folder under the data root, its params the recorded ones, still owned */
  checkRun(ctx: StepContext, ref: RunRef): Promise<RunRef>;
  catalog(ctx: StepContext, ref: RunRef): Promise<CatalogRef>;
  users(ctx: StepContext, ref: RunRef): Promise<UsersRef>;
  shard(ctx: StepContext, ref: ShardRef): Promise<ShardOutcome>;
  manifest(ctx: StepContext, ref: RunRef): Promise<ManifestRef>;
  prune(ctx: StepContext, ref: RunRef): Promise<{ deleted: string[] }>;
}

export function createGenerationSteps(deps: GenerationStepDeps): GenerationSteps {
  return {
    resolve: async (ctx, args) => resolveStep(deps, ctx, args),
    checkRun: async (ctx, ref) => {
      await ownedRunRef(deps, ctx, ref);
      return ref;
    },
    catalog: (ctx, ref) => catalogStep(deps, ctx, ref),
    users: (ctx, ref) => usersStep(deps, ctx, ref),
    shard: (ctx, ref) => shardStep(deps, ctx, ref),
    manifest: (ctx, ref) => manifestStep(deps, ctx, ref),
    prune: async (_ctx, ref) => pruneStep(deps, ref),
  };
}
