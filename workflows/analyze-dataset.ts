import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AnalyticsActivities } from '../activities/analytics-activities';
import type { WrappedInput } from '../src/analytics/wrapped/wrapped-input';
import type { WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import { failFast } from './activity-failure';

export interface WrappedProgress {
  phase: 'planning' | 'parts' | 'writing' | 'done';
  partsDone: number;
  partsTotal: number;
  records: number;
}

export const wrappedProgressQuery = defineQuery<WrappedProgress>('progress');

const acts = proxyActivities<AnalyticsActivities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** Wrapped analytics of a finished run: every part in parallel, then one merge into JSON, Parquet and HTML. */
export async function analyzeDataset(input: WrappedInput): Promise<WrittenWrapped> {
  const progress: WrappedProgress = { phase: 'planning', partsDone: 0, partsTotal: 0, records: 0 };
  setHandler(wrappedProgressQuery, () => progress);
  try {
    const plan = await acts.planWrapped({ input });
    progress.phase = 'parts';
    progress.partsTotal = plan.parts.length;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < plan.parts.length) {
        const part = plan.parts[next++];
        const outcome = await acts.analyzeWrappedPart({ runDir: plan.runDir, outDir: plan.outDir, part });
        progress.partsDone++;
        progress.records += outcome.records;
      }
    };
    await Promise.all(Array.from({ length: Math.min(plan.parallelism, plan.parts.length) }, lane));
    progress.phase = 'writing';
    const result = await acts.writeWrapped(plan);
    progress.phase = 'done';
    return result;
  } catch (err) {
    failFast(err);
  }
}
