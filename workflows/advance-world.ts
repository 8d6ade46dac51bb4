import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  makeContinueAsNewFunc,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorldActivities, WorldPlan } from '../activities/world-activities';
import type { WorldAdvanceInput } from '../src/config/world-input';
import { causeMessage, failFast } from './activity-failure';
import { runBoundedLanes } from './bounded-lanes';
import {
  worldProgressQuery,
  type AdvanceWorldWorkflow,
  type WorldAdvanceResult,
  type WorldContinuation,
  type WorldProgress,
} from './contracts';
import { RETRY } from './activity-retry';
import { scheduleFiring } from './scheduled-run';

const quick = proxyActivities<WorldActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: RETRY,
});

const shardActs = proxyActivities<WorldActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '2 hours',
  // short, so a shard of a killed worker is handed to another one quickly; shards heartbeat every 2 s
  heartbeatTimeout: '15 seconds',
  retry: { ...RETRY, maximumAttempts: 10 },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

const DAY_MS = 86_400_000;

/** `day` + n days, YYYY-MM-DD (pure date arithmetic: deterministic). */
function dayAfter(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

function describe(p: WorldProgress, plan: WorldPlan): string {
  return `${plan.name}: day ${p.day ?? '-'} (${p.daysDone}/${p.daysTotal} days done), ${p.shardsDone}/${p.shardsTotal} shards, ${p.records} records -> ${plan.worldDir}`;
}

/**
 * Advances a world day by day: each day's shards run as activities (at most the world's
 * `parallelism` at once, on the workers' thread pools), then the day's manifest. One run
 * writes one day and continues as new for the next (also mid-day when the history grows
 * long), so an advance of weeks keeps a bounded history. Days are written in order and a
 * complete day is never rewritten; the world is claimed by this workflow id while it runs.
 */
export async function advanceWorld(input: WorldAdvanceInput, continuation?: WorldContinuation): Promise<WorldAdvanceResult> {
  const progress: WorldProgress = continuation?.progress ?? {
    phase: 'planning',
    day: null,
    daysDone: 0,
    daysTotal: 0,
    shardsDone: 0,
    shardsTotal: 0,
    shardsReused: 0,
    records: 0,
  };
  setHandler(worldProgressQuery, () => progress);
  let plan: WorldPlan | undefined;
  try {
    if (continuation) {
      // a continuation is an argument like the input: a starter could forge one, so its world is checked again
      plan = { ...continuation.plan, ...(await quick.checkWorld(continuation.plan)) };
    } else {
      // a run a schedule fired says when it was meant for: at most one scheduled advance of a world a day
      const scheduled = scheduleFiring(workflowInfo());
      plan = await quick.planWorldAdvance({ input, ...(scheduled && { scheduled }) });
      progress.daysTotal = plan.days;
    }
    const result = (last: string | null): WorldAdvanceResult => ({
      world: plan!.name,
      worldDir: plan!.worldDir,
      first: plan!.days ? plan!.first : null,
      last,
      days: progress.daysDone,
      records: progress.records,
    });
    if (plan.days === 0) {
      progress.phase = 'done';
      setCurrentDetails(`${plan.name}: nothing to write (complete days are never rewritten)`);
      return result(null);
    }
    const dayIndex = continuation?.dayIndex ?? 0;
    const day = dayAfter(plan.first, dayIndex);
    const ref = plan;
    Object.assign(progress, { phase: 'shards', day, shardsTotal: plan.shards });
    setCurrentDetails(describe(progress, plan));
    const nextShard = await runBoundedLanes({
      first: continuation?.nextShard ?? 0,
      total: plan.shards,
      parallelism: plan.parallelism,
      failure: (shard, err) =>
        isCancellation(err) ? err : ApplicationFailure.nonRetryable(`${day} shard ${shard} failed: ${causeMessage(err)}`, 'ShardFailed'),
      run: async (shard) => {
        const outcome = await shardActs.advanceWorldShard.executeWithOptions({ summary: `${day} shard ${shard}` }, [
          { worldDir: ref.worldDir, day, shard },
        ]);
        progress.shardsDone++;
        if (outcome.reused) progress.shardsReused++;
        setCurrentDetails(describe(progress, ref));
      },
    });
    if (nextShard < plan.shards) {
      await makeContinueAsNewFunc<typeof advanceWorld>()(input, { plan, dayIndex, nextShard, progress });
    }
    progress.phase = 'manifest';
    const last = dayIndex === plan.days - 1;
    const done = await quick.finishWorldDay({ worldDir: plan.worldDir, day, last });
    progress.daysDone++;
    progress.records += done.records;
    progress.lastDay = { day, records: done.records, shardsReused: progress.shardsReused };
    if (!last) {
      Object.assign(progress, { phase: 'shards', day: dayAfter(day, 1), shardsDone: 0, shardsReused: 0 });
      await makeContinueAsNewFunc<typeof advanceWorld>()(input, { plan, dayIndex: dayIndex + 1, nextShard: 0, progress });
    }
    progress.phase = 'done';
    setCurrentDetails(`${plan.name}: ${progress.daysDone} days written through ${day}, ${progress.records} records -> ${plan.worldDir}`);
    return result(day);
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    if (plan) {
      const worldDir = plan.worldDir;
      // the next advance need not wait for the claim's lease to run out
      await CancellationScope.nonCancellable(() => quick.releaseWorld({ worldDir })).catch(() => undefined);
    }
    failFast(err);
  }
}
advanceWorld satisfies AdvanceWorldWorkflow;
