import { proxyActivities } from '@temporalio/workflow';
import type { WorldActivities } from '../activities/world-activities';
import type { WorldAdvanceInput } from '../src/config/world-input';
import { failFast } from './activity-failure';
import type { CheckWorldAdvanceWorkflow, WorldAdvanceCheck } from './contracts';

const acts = proxyActivities<WorldActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/**
 * Checks an advance input where the worlds are, on a worker, without claiming or writing anything:
 * `schedule create --world` asks it before creating the schedule, so a world missing from the
 * worker's data root, or an `out` outside it, is refused at create naming the field.
 */
export async function checkWorldAdvance(input: WorldAdvanceInput): Promise<WorldAdvanceCheck> {
  try {
    return await acts.checkWorldAdvance({ input });
  } catch (err) {
    failFast(err);
  }
}
checkWorldAdvance satisfies CheckWorldAdvanceWorkflow;
