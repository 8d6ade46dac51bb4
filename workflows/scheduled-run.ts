import type { WorkflowInfo } from '@temporalio/workflow';

/**
 * When the schedule meant this run for, as an ISO time: the search attribute
 * TemporalScheduledStartTime when it is not after the run's own start, else the start.
 * A starter can set the attribute but not the start time the server records, so no
 * start request can date a run folder into the future.
 */
export function scheduledAt(info: WorkflowInfo): string {
  const start = info.startTime;
  const pair = info.typedSearchAttributes.getAll().find((p) => p.key.name === 'TemporalScheduledStartTime');
  const value = pair?.value;
  return value instanceof Date && value.getTime() <= start.getTime() ? value.toISOString() : start.toISOString();
}

/**
 * When a schedule fired this run: its time for the run (TemporalScheduledStartTime, not after the
 * run's start) and the schedule's id (TemporalScheduledById); undefined for a run started otherwise.
 */
export function scheduleFiring(info: WorkflowInfo): { at: string; schedule: string | null } | undefined {
  const attributes = info.typedSearchAttributes.getAll();
  const value = attributes.find((p) => p.key.name === 'TemporalScheduledStartTime')?.value;
  if (!(value instanceof Date)) return undefined;
  const by = attributes.find((p) => p.key.name === 'TemporalScheduledById')?.value;
  return { at: scheduledAt(info), schedule: typeof by === 'string' ? by : null };
}
