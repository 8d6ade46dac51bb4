import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { AnalyticsActivities, WrappedPartRef, WrappedPlan } from '../../activities/analytics-activities';
import type { WrittenWrapped } from '../../src/analytics/wrapped/write-wrapped';
import { ANALYZE_DATASET, wrappedProgressQuery, type AnalyzeDatasetWorkflow } from '../../workflows/contracts';
import { activitiesPerRun } from '../helpers/cli-process';
import { mockedActivitiesWorker, useLaneServers } from '../helpers/temporal-env';

const TASK_QUEUE = 'workflow-analyze';

/** Activities that only record what the workflow asks of them; `part` decides each part's fate, its records are index + 1. */
function mockActivities(parts: number, part: (ref: WrappedPartRef) => Promise<void> = async () => {}) {
  const seen = { parts: [] as number[], inFlight: 0, maxInFlight: 0, written: [] as WrappedPlan[], checked: 0 };
  const plan = (input: { run: string; parallelism?: number }): WrappedPlan => ({
    runId: 'r',
    runDir: `/mock/${input.run}`,
    outDir: `/mock/${input.run}/wrapped`,
    parts,
    user: null,
    parallelism: input.parallelism ?? 2,
  });
  const activities: AnalyticsActivities = {
    planWrapped: async ({ input }) => plan(input as { run: string; parallelism?: number }),
    checkPlan: async (p) => {
      seen.checked++;
      return p;
    },
    analyzeWrappedPart: async (ref) => {
      seen.parts.push(ref.index);
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      try {
        await part(ref);
      } finally {
        seen.inFlight--;
      }
      return { part: `part-${ref.index}.avro`, users: 1, records: ref.index + 1, reused: false };
    },
    writeWrapped: async (p): Promise<WrittenWrapped> => {
      seen.written.push(p);
      return { outDir: p.outDir, files: {} as WrittenWrapped['files'], users: p.parts, records: 0, cardUser: 1 };
    },
  };
  return { activities, seen };
}

/** records of parts 0..n-1 as the mock counts them */
const recordsOf = (n: number) => (n * (n + 1)) / 2;

describe('analyzeDataset orchestrates against mocked activities', () => {
  /** env, and forced: a server that suggests continue-as-new early (after ~40 events) */
  const servers = useLaneServers();

  /** runs the workflow to its end on a worker of `mock`; the progress query is asked before the worker stops */
  const run = async (mock: ReturnType<typeof mockActivities>, workflowId: string, input: object, on = servers.env) => {
    const worker = await mockedActivitiesWorker(on, TASK_QUEUE, mock.activities);
    return worker.runUntil(async () => {
      const handle = await on.client.workflow.start<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input as Parameters<AnalyzeDatasetWorkflow>[0]],
      });
      const result = await handle.result().catch((e: unknown) => e);
      return { result, progress: await handle.query(wrappedProgressQuery) };
    });
  };

  it('analyses every part once, never more than `parallelism` at a time, then writes the Wrapped once', async () => {
    const mock = mockActivities(9, () => new Promise((r) => setTimeout(r, 20)));
    const { result, progress } = await run(mock, 'wr-lanes', { run: 'data/r', parallelism: 3 });
    expect([...mock.seen.parts].sort((a, b) => a - b)).toEqual([...Array(9).keys()]);
    expect(mock.seen.maxInFlight).toBeLessThanOrEqual(3);
    expect(mock.seen.maxInFlight).toBeGreaterThan(1);
    expect(mock.seen.written).toEqual([expect.objectContaining({ runDir: '/mock/data/r', parts: 9, parallelism: 3 })]);
    expect(result).toMatchObject({ outDir: '/mock/data/r/wrapped', users: 9 });
    expect(progress).toEqual({ phase: 'done', partsDone: 9, partsTotal: 9, records: recordsOf(9) });
  });

  it('fails fast when a part fails for good: the failure says why, nothing is written', async () => {
    const mock = mockActivities(6, async (ref) => {
      if (ref.index === 2) throw ApplicationFailure.nonRetryable('part-2.avro does not match the manifest', 'PartChanged');
    });
    const { result, progress } = await run(mock, 'wr-fail', { run: 'data/r', parallelism: 1 });
    expect(result).toBeInstanceOf(WorkflowFailedError);
    const cause = (result as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toBe('part-2.avro does not match the manifest');
    expect(cause.type).toBe('PartChanged');
    expect(mock.seen.parts).toEqual([0, 1, 2]);
    expect(mock.seen.written).toHaveLength(0);
    expect(progress).toMatchObject({ phase: 'parts', partsDone: 2, partsTotal: 6 });
  });

  it('fails at once on an input the plan refuses, naming the field', async () => {
    const mock = mockActivities(3);
    mock.activities.planWrapped = async () => {
      throw ApplicationFailure.nonRetryable('invalid input: run: "../x" is outside the data root /srv', 'InvalidInput', { field: 'run' });
    };
    const { result } = await run(mock, 'wr-invalid', { run: '../x' });
    expect(result).toBeInstanceOf(WorkflowFailedError);
    const cause = (result as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.message).toBe('invalid input: run: "../x" is outside the data root /srv');
    expect(cause).toMatchObject({ type: 'InvalidInput', details: [{ field: 'run' }] });
    expect(mock.seen.parts).toHaveLength(0);
  });

  it('continues as new when the history grows long: each part once, the plan checked again, progress carried over', async () => {
    const mock = mockActivities(50, () => new Promise((r) => setTimeout(r, 2)));
    const { result, progress } = await run(mock, 'wr-long', { run: 'data/big', parallelism: 4 }, servers.forced);
    expect(result).toMatchObject({ outDir: '/mock/data/big/wrapped', users: 50 });
    expect([...mock.seen.parts].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(mock.seen.written).toHaveLength(1);
    expect(progress).toEqual({ phase: 'done', partsDone: 50, partsTotal: 50, records: recordsOf(50) });
    const runs = await activitiesPerRun(servers.forced.client, 'wr-long');
    expect(runs.length).toBeGreaterThan(1);
    // the first run plans from the input; every continued run checks the plan it carries instead
    expect(runs[0][0]).toBe('planWrapped');
    for (const later of runs.slice(1)) expect(later[0]).toBe('checkPlan');
    expect(mock.seen.checked).toBe(runs.length - 1);
    expect(runs.flat().filter((a) => a === 'analyzeWrappedPart')).toHaveLength(50);
    expect(runs.at(-1)).toContain('writeWrapped');
  });
});
