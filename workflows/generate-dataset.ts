import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { GenerationActivities } from '../activities/generation-activities';
import type { GenerationInput } from '../src/params/generation-input';

export type Phase = 'resolving' | 'catalog' | 'users' | 'shards' | 'manifest' | 'done';

export interface GenerationProgress {
  phase: Phase;
  shardsDone: number;
  shardsTotal: number;
  records: number;
  bytes: number;
}

export interface GenerationResult {
  workflowId: string;
  runId: string;
  outDir: string;
  manifest: string;
  totalRecords: number;
}

export const progressQuery = defineQuery<GenerationProgress>('progress');

const quick = proxyActivities<GenerationActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

const shards = proxyActivities<GenerationActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Rethrows an activity's non-retryable application failure as the workflow's own failure. */
function failFast(err: unknown): never {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable) {
    throw ApplicationFailure.nonRetryable(err.cause.message, err.cause.type ?? undefined, ...(err.cause.details ?? []));
  }
  throw err;
}

/** Generates a synthetic listening-history dataset: catalog, users, shards in parallel, manifest. */
export async function generateDataset(input: GenerationInput = {}): Promise<GenerationResult> {
  const progress: GenerationProgress = { phase: 'resolving', shardsDone: 0, shardsTotal: 0, records: 0, bytes: 0 };
  setHandler(progressQuery, () => progress);
  const { workflowId } = workflowInfo();

  try {
    const run = await quick.resolveParams({ input, workflowId });
    const { params } = run;
    progress.shardsTotal = Math.ceil(params.users / params.shardSize);
    await upsertMemo({ summary: `${params.users} users, ${params.sessionsPerUser} sessions/user, seed ${params.seed} -> ${run.runDir}` });

    progress.phase = 'catalog';
    const catalog = await quick.ingestCatalog(run);

    progress.phase = 'users';
    await quick.assignUsers(run);

    progress.phase = 'shards';
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < progress.shardsTotal) {
        const shard = next++;
        const outcome = await shards.generateShard({ ...run, shard, catalogSha256: catalog.sha256 });
        progress.shardsDone++;
        progress.records += outcome.records;
        progress.bytes += outcome.bytes;
      }
    };
    await Promise.all(Array.from({ length: Math.min(params.parallelism, progress.shardsTotal) }, lane));

    progress.phase = 'manifest';
    const manifest = await quick.finalizeManifest(run);
    progress.phase = 'done';
    return { workflowId, runId: params.runId, outDir: run.runDir, manifest: manifest.manifest, totalRecords: manifest.totalRecords };
  } catch (err) {
    failFast(err);
  }
}
