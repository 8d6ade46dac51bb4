import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { WorldActivities, WorldPlan } from '../../activities/world-activities';
import { ADVANCE_WORLD, type AdvanceWorldWorkflow } from '../../workflows/contracts';
import { activitiesPerRun } from '../helpers/cli-process';
import { mockedActivitiesWorker, useLaneServers } from '../helpers/temporal-env';

const TASK_QUEUE = 'workflow-advance-world';

/** Activities that record what the workflow asks of them, for a world of `shards` shards whose next day is 2025-02-27. */
function mockActivities(shards: number, parallelism: number) {
  const seen = { shards: [] as string[], finished: [] as { day: string; last: boolean }[], inFlight: 0, maxInFlight: 0, released: 0 };
  const plan = (days: number): WorldPlan => ({ name: 'w', worldDir: '/mock/w', shards, parallelism, first: '2025-02-27', days });
  const activities: Partial<WorldActivities> = {
    planWorldAdvance: async ({ input }) => plan((input as { days: number }).days),
    checkWorld: async (ref) => ({ name: ref.name, worldDir: ref.worldDir, shards, parallelism }),
    advanceWorldShard: async (ref) => {
      // a day's manifest comes only after all its shards: no shard of a finished day runs again
      expect(seen.finished.map((f) => f.day)).not.toContain(ref.day);
      seen.shards.push(`${ref.day}/${ref.shard}`);
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      await new Promise((r) => setTimeout(r, 5));
      seen.inFlight--;
      return { shard: ref.shard, records: 10, reused: false };
    },
    finishWorldDay: async ({ day, last }) => {
      seen.finished.push({ day, last });
      return { day, records: 10 * shards };
    },
    releaseWorld: async () => {
      seen.released++;
    },
  };
  return { activities, seen };
}

async function runAdvance(env: TestWorkflowEnvironment, mock: ReturnType<typeof mockActivities>, workflowId: string, days: number) {
  const worker = await mockedActivitiesWorker(env, TASK_QUEUE, mock.activities);
  return worker.runUntil(
    env.client.workflow.execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, { taskQueue: TASK_QUEUE, workflowId, args: [{ world: 'w', days }] }),
  );
}

describe('advanceWorld orchestrates against mocked activities', () => {
  /** env, and forced: a server that suggests continue-as-new early (after ~40 events) */
  const servers = useLaneServers();

  it('writes one day per run, in order, continuing as new between days', async () => {
    const mock = mockActivities(3, 2);
    const result = await runAdvance(servers.env, mock, 'wf-days', 4);
    expect(result).toEqual({ world: 'w', worldDir: '/mock/w', first: '2025-02-27', last: '2025-03-02', days: 4, records: 120 });
    expect(mock.seen.finished).toEqual([
      { day: '2025-02-27', last: false },
      { day: '2025-02-28', last: false },
      { day: '2025-03-01', last: false },
      { day: '2025-03-02', last: true },
    ]);
    expect(mock.seen.shards).toHaveLength(12);
    expect(mock.seen.maxInFlight).toBeLessThanOrEqual(2);
    const runs = await activitiesPerRun(servers.env.client, 'wf-days');
    expect(runs).toHaveLength(4);
    for (const run of runs) expect(run.filter((a) => a === 'finishWorldDay')).toHaveLength(1);
    // the first run plans; the continued ones check the world they carry instead
    expect(runs[0][0]).toBe('planWorldAdvance');
    for (const run of runs.slice(1)) expect(run[0]).toBe('checkWorld');
    expect(mock.seen.released).toBe(0);
  });

  it('continues as new within a day when the history grows long, each shard run once', async () => {
    const mock = mockActivities(40, 4);
    const result = await runAdvance(servers.forced, mock, 'wf-long-day', 2);
    expect(result.days).toBe(2);
    expect([...mock.seen.shards].sort()).toEqual(
      ['2025-02-27', '2025-02-28'].flatMap((day) => Array.from({ length: 40 }, (_, s) => `${day}/${s}`)).sort(),
    );
    const runs = await activitiesPerRun(servers.forced.client, 'wf-long-day');
    // more runs than days: some days took several runs, and still one manifest per day
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.flat().filter((a) => a === 'finishWorldDay')).toHaveLength(2);
  });

  it('writes nothing when the world is there already', async () => {
    const mock = mockActivities(3, 2);
    mock.activities.planWorldAdvance = async () => ({
      name: 'w',
      worldDir: '/mock/w',
      shards: 3,
      parallelism: 2,
      first: '2025-02-27',
      days: 0,
    });
    const result = await runAdvance(servers.env, mock, 'wf-none', 1);
    expect(result).toEqual({ world: 'w', worldDir: '/mock/w', first: null, last: null, days: 0, records: 0 });
    expect(mock.seen.shards).toEqual([]);
  });
});
