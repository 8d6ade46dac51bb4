import type { WorkflowInfo } from '@temporalio/workflow';
import type { GenerationMemo, ScheduledRun } from './contracts';

/** "2026-11-29T02:00:00.000Z" -> "20261129T020000Z" */
export function compactTime(iso: string): string {
  return `${iso.slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** The schedule's name comes from the memo `schedule create` puts on the action; the time from the search attribute the server sets. */
export function scheduledRun(info: WorkflowInfo, memo: GenerationMemo): ScheduledRun | null {
  if (!memo.schedule) return null;
  const pair = info.typedSearchAttributes.getAll().find((p) => p.key.name === 'TemporalScheduledStartTime');
  const value = pair?.value;
  const at = value instanceof Date ? value : new Date(info.startTime);
  const scheduledAt = at.toISOString();
  return { schedule: memo.schedule, scheduledAt, runId: `${memo.schedule}-${compactTime(scheduledAt)}`, keepDays: memo.keepDays ?? null };
}
