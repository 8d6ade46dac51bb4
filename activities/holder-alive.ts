import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { processHolderAlive, type HolderAlive } from '../src/pipeline/run-owner';

/**
 * Whether the holder of a claim still runs, asked of Temporal (for workflow holders) from the
 * current activity: a terminated, failed, cancelled or completed workflow, or one Temporal no
 * longer knows, is gone; a process holder is asked of this host. Undefined when Temporal cannot
 * be reached: then the holder's lease decides.
 */
export function temporalHolderAlive(): HolderAlive {
  const ctx = Context.current();
  return async (owner) => {
    if (owner.workflowId.startsWith('process:')) return processHolderAlive(owner);
    try {
      const description = await ctx.client.workflow.getHandle(owner.workflowId).describe();
      return description.status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      return undefined;
    }
  };
}
