import {
  CancellationScope,
  ContinueAsNew,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { StreamActivities } from '../activities/stream-activities';
import type { StreamInput } from '../src/config/stream-input';
import type { StreamPlan } from '../activities/stream-activities';
import { failFast } from './activity-failure';
import { historyShouldContinueAsNew } from './bounded-lanes';
import { streamProgressQuery, type StreamContinuation, type StreamWorkflowProgress, type StreamWorldWorkflow } from './contracts';
import { RETRY } from './activity-retry';

const quick = proxyActivities<StreamActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '5 minutes',
  retry: { ...RETRY, maximumAttempts: 10 },
});

const days = proxyActivities<StreamActivities>({
  allowEagerDispatch: false,
  // a paced day can take a day of wall time (speed 1)
  startToCloseTimeout: '26 hours',
  // short, so the day of a killed worker goes on elsewhere soon; it resumes from the topic's tails
  heartbeatTimeout: '30 seconds',
  retry: { ...RETRY, maximumAttempts: 10 },
});

/**
 * Publishes a world's complete days into Kafka, one day per workflow run, continuing as new
 * after each, so a stream can run for weeks. With `follow` it then waits for the world's
 * next day (looking every pollSeconds) instead of ending. Exactly once across crashes and
 * retries: each day resumes from what the topic holds (see src/stream/stream-world.ts).
 */
export async function streamWorld(input: StreamInput, continuation?: StreamContinuation): Promise<StreamWorkflowProgress> {
  const progress: StreamWorkflowProgress = continuation?.progress ?? { days: 0, sent: 0, skipped: 0, lastDay: null, waiting: false };
  setHandler(streamProgressQuery, () => progress);
  let plan: StreamPlan | undefined;
  try {
    // a continuation's plan is checked again by every activity that uses it; planning claims (world, topic)
    plan = continuation?.plan ?? (await quick.planStream({ input }));
    const from = continuation ? continuation.from : plan.from;
    for (;;) {
      progress.waiting = false;
      const out = await days.streamNextDay.executeWithOptions({ summary: `next day of ${plan.world} -> ${plan.topic}` }, [{ plan, from }]);
      if (out.day) {
        progress.days++;
        progress.sent += out.sent;
        progress.skipped += out.skipped;
        progress.lastDay = out.day;
        setCurrentDetails(`${plan.world} -> ${plan.topic}: through ${out.day}, ${progress.sent} events sent`);
        await makeContinueAsNewFunc<typeof streamWorld>()(input, { plan, from: null, progress });
      }
      if (!plan.follow) {
        await release(plan);
        return progress;
      }
      progress.waiting = true;
      setCurrentDetails(`${plan.world} -> ${plan.topic}: waiting for the day after ${progress.lastDay ?? '(none yet)'}`);
      await sleep(plan.pollSeconds * 1000);
      if (historyShouldContinueAsNew()) await makeContinueAsNewFunc<typeof streamWorld>()(input, { plan, from, progress });
    }
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    // failed or cancelled: the next stream of (world, topic) need not ask Temporal whether this one still runs
    if (plan) await CancellationScope.nonCancellable(() => release(plan!)).catch(() => undefined);
    failFast(err);
  }
}

/** Gives (world, topic) up; histories from before streams claimed their topic had no such step. */
async function release(plan: StreamPlan): Promise<void> {
  if (patched('stream-releases-topic')) await quick.releaseStream({ plan });
}
streamWorld satisfies StreamWorldWorkflow;
