import { AddressPolicy } from '../src/catalog/address-guard';
import { catalogRoots, dataRoot } from '../src/runtime/data-root';
import { logger } from '../src/runtime/logger';
import type { ThreadPool } from '../src/runtime/thread-pool';
import { createGenerationSteps } from '../src/pipeline/steps/generation-steps';
import { NO_SHARD_FAULTS, type ShardFaults } from '../src/pipeline/steps/shard-faults';
import { failFastOnFilesystem, type WritePlace } from './filesystem-failure';
import type { GenerationParams } from '../src/config/generation-input';
import { stepActivity } from './step-failure';

/** A generation activity's run folder (and params), and how a run is taken up again. */
function generationWritePlace(arg: unknown): WritePlace {
  const ref = arg as { runDir?: unknown; params?: GenerationParams } | undefined;
  return {
    folder: typeof ref?.runDir === 'string' ? ref.runDir : undefined,
    params: ref?.params,
    resume: 'then resume the run (wrapped-etl resume WORKFLOW_ID, or start it with "resume")',
  };
}

export interface ActivityDeps {
  pool: ThreadPool;
  /** overrides dataRoot() (the embedded CLI sets it) */
  dataRoot?: string;
  /** catalog sources named on the worker's own command line (embedded CLI): read wherever they point */
  trustedSources?: readonly string[];
  /** injected by test harnesses only; default none */
  faults?: ShardFaults;
}

/**
 * The generation activities: each runs its step (src/pipeline/steps) with the activity's
 * context (heartbeats, cancellation, the workflow as the run folder's owner) and turns
 * its errors into failures; a full disk or an unwritable folder fails at once.
 */
export function createGenerationActivities(deps: ActivityDeps) {
  const root = () => deps.dataRoot ?? dataRoot();
  const steps = createGenerationSteps({
    dataRoot: root,
    jobs: deps.pool,
    // catalog files only under the data root (and WRAPPED_ETL_CATALOG_ROOT), addresses as WRAPPED_ETL_FETCH_ALLOW says
    sourceAccess: { fileRoots: catalogRoots(root()), addresses: AddressPolicy.fromEnv(), trusted: deps.trustedSources },
    faults: deps.faults ?? NO_SHARD_FAULTS,
    log: logger,
  });
  return failFastOnFilesystem(
    {
      /**
       * Validates the input, fills defaults, fixes the run folder and records the params
       * there. With `resume`, the params recorded by the generation being resumed win.
       */
      resolveParams: stepActivity(steps.resolve),
      /** The run a continued workflow carries, checked: its folder under the data root, its params the recorded ones. */
      checkRun: stepActivity(steps.checkRun),
      /** Reads the catalog sources into one checkpointed catalog file, or reuses a valid one. */
      ingestCatalog: stepActivity(steps.catalog),
      /** Gives every user a home place and a personality, written in a pool thread; a resumed run reuses the file. */
      assignUsers: stepActivity(steps.users),
      /** Simulates one shard's users into its part file in a pool thread, unless a valid part exists already. */
      generateShard: stepActivity(steps.shard),
      /** Checks every part against its checkpoint and writes the manifest last, atomically. */
      finalizeManifest: stepActivity(steps.manifest),
      /** Deletes the schedule's complete generations older than keepDays (see pruneStep). */
      pruneGenerations: stepActivity(steps.prune),
    },
    generationWritePlace,
  );
}

export type GenerationActivities = ReturnType<typeof createGenerationActivities>;
