import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/**
 * Asks a workflow for its progress every `intervalMs`, one query at a time, each bounded by
 * a deadline (the client's retries would otherwise outlive the connection). `stop()` waits
 * for the query in flight, so the session can close its connection safely afterwards.
 */
export function pollProgress<P>(
  client: Client,
  handle: WorkflowHandle,
  query: QueryDefinition<P, []>,
  onProgress: (p: P) => void,
  intervalMs: number,
): { last: () => P | undefined; stop: () => Promise<void> } {
  let last: P | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    inFlight ??= client
      .withDeadline(Date.now() + Math.max(2000, intervalMs), () => handle.query(query))
      .then((p) => {
        if (stopped) return;
        last = p;
        onProgress(p);
      })
      .catch(() => undefined) // no worker has picked the workflow up yet
      .finally(() => (inFlight = undefined));
  }, intervalMs);
  return {
    last: () => last,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
