import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ContinueAsNew,
  isCancellation,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { GenerationActivities } from '../activities/generation-activities';
import type { RunRef } from '../src/pipeline/steps/step-refs';
import type { GenerationInput } from '../src/config/generation-input';
import { causeMessage, failFast } from './activity-failure';
import { runBoundedLanes } from './bounded-lanes';
import {
  progressQuery,
  type Continuation,
  type GenerateDatasetWorkflow,
  type GenerationMemo,
  type GenerationProgress,
  type GenerationResult,
} from './contracts';
import { scheduledAt } from './scheduled-run';
import { RETRY } from './activity-retry';

export type { Continuation, GenerationMemo, GenerationProgress, GenerationResult, Phase } from './contracts';

// Eager dispatch is off everywhere: an activity handed to a worker with its own workflow task completion is dropped
// when that worker is stopping (SIGTERM), and then waits out its timeout instead of going to another worker.
const quick = proxyActivities<GenerationActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: RETRY,
});

/** users file and manifest: their work grows with the run (the manifest re-hashes every part), so their heartbeats bound them */
const wholeRun = proxyActivities<GenerationActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '24 hours',
  heartbeatTimeout: '30 seconds',
  retry: RETRY,
});

const shards = proxyActivities<GenerationActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '2 hours',
  // short, so a shard of a killed worker is handed to another one quickly; shards heartbeat every few seconds
  heartbeatTimeout: '15 seconds',
  retry: { ...RETRY, maximumAttempts: 10 },
  // a cancelled run ends only once its shard threads have stopped, so a resume never races a stale writer
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** the run as users name it: its folder, or its s3:// location */
const placeOf = (run: RunRef) => run.location ?? run.runDir;

const partName = (shard: number) => `part-${String(shard).padStart(5, '0')}`;

function shardFailure(shard: number, err: unknown): unknown {
  if (isCancellation(err)) return err;
  return ApplicationFailure.nonRetryable(`shard ${shard} (${partName(shard)}) failed: ${causeMessage(err)}`, 'ShardFailed');
}

function describeProgress(p: GenerationProgress, outDir: string): string {
  return `${p.phase}: ${p.shardsDone}/${p.shardsTotal} shards, ${p.records} records, ${p.bytes} bytes -> ${outDir}`;
}

/**
 * Generates a synthetic listening-history dataset: catalog, users, shards (at most
 * `parallelism` in flight), manifest last. Long runs continue as new with only a
 * Continuation, so the history stays bounded whatever the number of shards.
 */
export async function generateDataset(input: GenerationInput = {}, continuation?: Continuation): Promise<GenerationResult> {
  const progress: GenerationProgress = {
    phase: 'resolving',
    shardsDone: 0,
    shardsTotal: 0,
    records: 0,
    bytes: 0,
    ...(typeof continuation?.progress === 'object' ? continuation.progress : {}),
  };
  setHandler(progressQuery, () => progress);
  const info = workflowInfo();
  const memo: GenerationMemo = { ...(info.memo as GenerationMemo | undefined) };
  const remember = (extra: GenerationMemo = {}) => {
    Object.assign(memo, extra, { progress: { ...progress } });
    upsertMemo({ ...memo });
  };
  let run: RunRef | undefined = continuation?.run;

  try {
    let catalogSha256: string;
    if (!continuation) {
      run = await quick.resolveParams({ input, workflowId: info.workflowId, scheduledAt: scheduledAt(info) });
      progress.shardsTotal = Math.ceil(run.params.users / run.params.shardSize);
      const p = run.params;
      remember({
        runId: p.runId,
        outDir: placeOf(run),
        summary: `${p.users} users x ${p.sessionsPerUser ?? 'modelled'} sessions, seed ${p.seed}, ${progress.shardsTotal} shards of ${p.shardSize}, parallelism ${p.parallelism}${p.resume ? `, resuming ${p.resume}` : ''}`,
      });
      progress.phase = 'catalog';
      catalogSha256 = (await quick.ingestCatalog(run)).sha256;
      progress.phase = 'users';
      await wholeRun.assignUsers(run);
      progress.phase = 'shards';
      remember();
    } else {
      // a continuation is an argument like the input: a starter could forge one, so its run is checked against the folder's record
      run = await quick.checkRun(continuation.run);
      progress.shardsTotal = Math.ceil(run.params.users / run.params.shardSize);
      catalogSha256 = continuation.catalogSha256;
    }
    const ref = run!;
    setCurrentDetails(describeProgress(progress, placeOf(ref)));

    const nextShard = await runShards(ref, catalogSha256, continuation?.nextShard ?? 0, progress, () => {
      setCurrentDetails(describeProgress(progress, placeOf(ref)));
      if (progress.shardsDone % Math.max(1, Math.floor(progress.shardsTotal / 20)) === 0) remember();
    });
    if (nextShard < progress.shardsTotal) {
      // a cancel that came while the last shards finished anyway must not be lost to the next run
      if (CancellationScope.current().consideredCancelled) throw new CancelledFailure('generation cancelled');
      remember();
      const next: Continuation = { run: ref, catalogSha256, nextShard, progress };
      await makeContinueAsNewFunc<typeof generateDataset>({ memo: { ...memo } })(input, next);
    }

    progress.phase = 'manifest';
    const manifest = await wholeRun.finalizeManifest(ref);
    if (ref.params.keepDays) await quick.pruneGenerations(ref);
    progress.phase = 'done';
    remember();
    setCurrentDetails(`done: ${manifest.totalRecords} records in ${manifest.parts} parts -> ${placeOf(ref)}`);
    return {
      workflowId: info.workflowId,
      runId: ref.params.runId,
      outDir: placeOf(ref),
      manifest: manifest.manifest,
      totalRecords: manifest.totalRecords,
    };
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // the memo tells the Web UI and `status` how far the run got
    const how = isCancellation(err) ? 'cancelled' : 'failed';
    remember({
      summary: run
        ? `${how} at ${describeProgress(progress, placeOf(run))}; resume with: wrapped-etl resume ${info.workflowId}`
        : `${how} before it started: ${causeMessage(err)}`,
    });
    failFast(err);
  }
}
generateDataset satisfies GenerateDatasetWorkflow;

/**
 * Runs shards from `first` on, at most `parallelism` at once (see runBoundedLanes), and
 * returns the first shard not done (shards below it are all done).
 */
function runShards(
  run: RunRef,
  catalogSha256: string,
  first: number,
  progress: GenerationProgress,
  onShardDone: () => void,
): Promise<number> {
  return runBoundedLanes({
    first,
    total: progress.shardsTotal,
    parallelism: run.params.parallelism,
    failure: shardFailure,
    run: async (shard) => {
      // the summary names the shard in the Web UI's timeline
      const outcome = await shards.generateShard.executeWithOptions({ summary: `shard ${shard} (${partName(shard)})` }, [
        { ...run, shard, catalogSha256 },
      ]);
      progress.shardsDone++;
      progress.records += outcome.records;
      progress.bytes += outcome.bytes;
      onShardDone();
    },
  });
}
