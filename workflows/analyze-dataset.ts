import { ContinueAsNew, makeContinueAsNewFunc, proxyActivities, setHandler } from '@temporalio/workflow';
import type { AnalyticsActivities } from '../activities/analytics-activities';
import type { WrappedInput } from '../src/config/wrapped-input';
import type { WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import { failFast } from './activity-failure';
import { wrappedProgressQuery, type AnalyzeDatasetWorkflow, type WrappedContinuation, type WrappedProgress } from './contracts';
import { runBoundedLanes } from './bounded-lanes';
import { RETRY } from './activity-retry';

const acts = proxyActivities<AnalyticsActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
  retry: RETRY,
});

/**
 * Wrapped analytics of a finished run: parts by index (at most `parallelism` at once),
 * then one merge into JSON, Parquet and HTML. Long runs continue as new with only a
 * WrappedContinuation, so payloads and history stay bounded whatever the number of parts.
 */
export async function analyzeDataset(input: WrappedInput, continuation?: WrappedContinuation): Promise<WrittenWrapped> {
  const progress: WrappedProgress = continuation?.progress ?? { phase: 'planning', partsDone: 0, partsTotal: 0, records: 0 };
  setHandler(wrappedProgressQuery, () => progress);
  try {
    // a continuation is an argument like the input: a starter could forge one, so its plan is checked again
    const plan = continuation ? await acts.checkPlan(continuation.plan) : await acts.planWrapped({ input });
    progress.phase = 'parts';
    progress.partsTotal = plan.parts;
    const nextPart = await runBoundedLanes({
      first: continuation?.nextPart ?? 0,
      total: plan.parts,
      parallelism: plan.parallelism,
      failure: (_index, err) => err,
      run: async (index) => {
        // the summary names the part in the Web UI's timeline
        const outcome = await acts.analyzeWrappedPart.executeWithOptions({ summary: `part ${index}` }, [
          { runDir: plan.runDir, outDir: plan.outDir, index },
        ]);
        progress.partsDone++;
        progress.records += outcome.records;
      },
    });
    if (nextPart < plan.parts) {
      await makeContinueAsNewFunc<typeof analyzeDataset>()(input, { plan, nextPart, progress });
    }
    progress.phase = 'writing';
    const result = await acts.writeWrapped(plan);
    progress.phase = 'done';
    return result;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    failFast(err);
  }
}
analyzeDataset satisfies AnalyzeDatasetWorkflow;
