import { proxyActivities } from '@temporalio/workflow';
import type { WorldActivities, WorldCreated } from '../activities/world-activities';
import type { WorldInput } from '../src/config/world-input';
import { failFast } from './activity-failure';
import type { CreateWorldWorkflow } from './contracts';
import { RETRY } from './activity-retry';

const acts = proxyActivities<WorldActivities>({
  allowEagerDispatch: false,
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: RETRY,
});

/** Creates a world (catalog, users, world.json) under the worker's data root; creating it again the same way is a no-op. */
export async function createWorld(input: WorldInput): Promise<WorldCreated> {
  try {
    return await acts.createWorld({ input });
  } catch (err) {
    failFast(err);
  }
}
createWorld satisfies CreateWorldWorkflow;
