import type { Client } from '@temporalio/client';
import { NAMESPACE } from './constants';

/** Whether a worker polled `taskQueue` lately (the server keeps pollers of the last minutes); undefined when it cannot say. */
export async function workerPolls(client: Client, taskQueue: string): Promise<boolean | undefined> {
  try {
    const { temporal } = await import('@temporalio/proto');
    const res = await client.workflowService.describeTaskQueue({
      namespace: NAMESPACE,
      taskQueue: { name: taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers?.length ?? 0) > 0;
  } catch {
    return undefined;
  }
}
