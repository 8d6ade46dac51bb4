import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamActivities, StreamPlan } from '../../activities/stream-activities';
import { resolveStreamInput } from '../../src/config/stream-input';
import { STREAM_WORLD, streamProgressQuery, type StreamWorkflowProgress, type StreamWorldWorkflow } from '../../workflows/contracts';
import { historiesOfChain } from '../helpers/cli-process';
import { mockedActivitiesWorker, startDevServerEnv } from '../helpers/temporal-env';

const TASK_QUEUE = 'workflow-stream-world';

/** A world whose complete days are `ready` (the test adds more): each call publishes the first one not yet published. */
function mockActivities(ready: string[]) {
  const seen = { calls: [] as (string | null)[], published: [] as string[], released: 0 };
  const activities: StreamActivities = {
    planStream: async ({ input }) => ({ ...resolveStreamInput(input), worldDir: '/mock/w' }) satisfies StreamPlan,
    releaseStream: async () => {
      seen.released++;
    },
    streamNextDay: async ({ from }) => {
      seen.calls.push(from);
      // as the real one: from `from` when given, else after the last day published (the topic's checkpoint)
      const after = seen.published.at(-1);
      const day = ready.find((d) => (from !== null ? d >= from : after === undefined || d > after)) ?? null;
      if (day) seen.published.push(day);
      return { day, sent: day ? 100 : 0, skipped: 0 };
    },
  };
  return { activities, seen };
}

describe('streamWorld orchestrates against mocked activities', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('publishes one day per run, continuing as new, and ends when no day waits', async () => {
    const mock = mockActivities(['2025-01-01', '2025-01-02', '2025-01-03']);
    const worker = await mockedActivitiesWorker(env, TASK_QUEUE, mock.activities);
    const input = { world: 'w', brokers: ['k:9092'], topic: 't', from: '2025-01-02' };
    const result = await worker.runUntil(
      env.client.workflow.execute<StreamWorldWorkflow>(STREAM_WORLD, { taskQueue: TASK_QUEUE, workflowId: 'stream-days', args: [input] }),
    );
    expect(result).toEqual({ days: 2, sent: 200, skipped: 0, lastDay: '2025-01-03', waiting: false });
    // `from` only until the first day is out; then the topic's own progress decides
    expect(mock.seen.calls).toEqual(['2025-01-02', null, null]);
    expect(await historiesOfChain(env.client, 'stream-days')).toHaveLength(3);
    // (world, topic) is given up when the stream ends
    expect(mock.seen.released).toBe(1);
  });

  it('with follow, waits for the next day instead of ending', async () => {
    const ready = ['2025-01-01'];
    const mock = mockActivities(ready);
    const worker = await mockedActivitiesWorker(env, TASK_QUEUE, mock.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<StreamWorldWorkflow>(STREAM_WORLD, {
        taskQueue: TASK_QUEUE,
        workflowId: 'stream-follow',
        args: [{ world: 'w', brokers: ['k:9092'], topic: 't', follow: true, pollSeconds: 1 }],
      });
      const until = async (ok: (p: StreamWorkflowProgress) => boolean) => {
        for (let i = 0; i < 200; i++) {
          const p = await handle.query(streamProgressQuery).catch(() => undefined);
          if (p && ok(p)) return p;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error('stream progress did not get there');
      };
      expect(await until((p) => p.days === 1 && p.waiting)).toMatchObject({ lastDay: '2025-01-01' });
      ready.push('2025-01-02');
      expect(await until((p) => p.days === 2)).toMatchObject({ lastDay: '2025-01-02' });
      await handle.terminate('test done');
    });
    expect(mock.seen.published).toEqual(['2025-01-01', '2025-01-02']);
  });
});
