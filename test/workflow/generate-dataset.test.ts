import { ApplicationFailure, Context } from '@temporalio/activity';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import type { GenerationActivities } from '../../activities/generation-activities';
import type { ShardRef } from '../../src/pipeline/steps/step-refs';
import { WORKFLOWS_PATH } from '../../cli/temporal/worker';
import { resolveGenerationInput } from '../../src/config/generation-input';
import { GENERATE_DATASET, progressQuery, type GenerateDatasetWorkflow } from '../../workflows/contracts';
import { activitiesPerRun } from '../helpers/cli-process';
import { useLaneServers } from '../helpers/temporal-env';

const TASK_QUEUE = 'workflow-generate';

/** Activities that only record what the workflow asks of them; `shard` decides each shard's fate. */
function mockActivities(shard: (ref: ShardRef) => Promise<void>) {
  const seen = { shards: [] as number[], inFlight: 0, maxInFlight: 0, manifests: 0, cancelled: 0 };
  const activities: GenerationActivities = {
    resolveParams: async ({ input, workflowId }) => ({ params: resolveGenerationInput(input, workflowId), runDir: `/mock/${workflowId}` }),
    checkRun: async (ref) => ref,
    ingestCatalog: async (ref) => ({ path: `${ref.runDir}/catalog.avro`, songs: 10, sha256: 'catalog' }),
    assignUsers: async (ref) => ({ path: `${ref.runDir}/users.jsonl`, users: ref.params.users }),
    generateShard: async (ref) => {
      seen.shards.push(ref.shard);
      seen.maxInFlight = Math.max(seen.maxInFlight, ++seen.inFlight);
      try {
        await shard(ref);
      } catch (err) {
        if (Context.current().cancellationSignal.aborted) seen.cancelled++;
        throw err;
      } finally {
        seen.inFlight--;
      }
      return { shard: ref.shard, records: 10, bytes: 100, reused: false };
    },
    finalizeManifest: async (ref) => {
      seen.manifests++;
      return { manifest: `${ref.runDir}/_manifest.json`, totalRecords: 0, parts: 0, bytes: 0 };
    },
    pruneGenerations: async () => ({ deleted: [] }),
  };
  return { activities, seen };
}

describe('generateDataset orchestrates against mocked activities', () => {
  /** env, and forced: a server that suggests continue-as-new early (after ~40 events) */
  const servers = useLaneServers();

  const workerOf = (mock: ReturnType<typeof mockActivities>, on = servers.env) =>
    Worker.create({
      connection: on.nativeConnection,
      namespace: on.namespace,
      taskQueue: TASK_QUEUE,
      workflowsPath: WORKFLOWS_PATH,
      activities: mock.activities,
    });

  const run = async (mock: ReturnType<typeof mockActivities>, workflowId: string, input: object) => {
    const worker = await workerOf(mock);
    return worker.runUntil(async () => {
      const result = await servers.env.client.workflow.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
      });
      // queries need the worker, so ask before it stops
      return { result, progress: await servers.env.client.workflow.getHandle(workflowId).query(progressQuery) };
    });
  };

  it('runs every shard once, never more than `parallelism` at a time, and the manifest last', async () => {
    const mock = mockActivities(() => new Promise((r) => setTimeout(r, 20)));
    const { result, progress } = await run(mock, 'wf-lanes', { users: 23, shardSize: 2, parallelism: 3 });
    expect([...mock.seen.shards].sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(mock.seen.maxInFlight).toBeLessThanOrEqual(3);
    expect(mock.seen.maxInFlight).toBeGreaterThan(1);
    expect(mock.seen.manifests).toBe(1);
    expect(result.outDir).toBe('/mock/wf-lanes');
    expect(progress).toMatchObject({ phase: 'done', shardsDone: 12, shardsTotal: 12, records: 120 });
  });

  it('fails fast when a shard fails for good: no manifest, the failure names the shard', async () => {
    const mock = mockActivities(async (ref) => {
      if (ref.shard === 1) throw ApplicationFailure.nonRetryable('disk on fire', 'Boom');
    });
    const failed = await run(mock, 'wf-fail', { users: 8, shardSize: 2, parallelism: 1 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WorkflowFailedError);
    expect(String((failed as WorkflowFailedError).cause?.message)).toMatch(/shard 1 \(part-00001\) failed: disk on fire/);
    expect(mock.seen.manifests).toBe(0);
    expect(mock.seen.shards).not.toContain(3);
  });

  it('continues as new when the history grows long: each shard once, the run checked again, one manifest', async () => {
    const mock = mockActivities(() => new Promise((r) => setTimeout(r, 2)));
    const worker = await workerOf(mock, servers.forced);
    const result = await worker.runUntil(
      servers.forced.client.workflow.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'wf-long',
        args: [{ users: 60, shardSize: 1, parallelism: 4 }],
      }),
    );
    expect(result.outDir).toBe('/mock/wf-long');
    expect([...mock.seen.shards].sort((a, b) => a - b)).toEqual([...Array(60).keys()]);
    expect(mock.seen.manifests).toBe(1);
    const runs = await activitiesPerRun(servers.forced.client, 'wf-long');
    expect(runs.length).toBeGreaterThan(1);
    // the first run resolves the input; every continued run checks the run it carries instead
    expect(runs[0].slice(0, 3)).toEqual(['resolveParams', 'ingestCatalog', 'assignUsers']);
    for (const later of runs.slice(1)) expect(later[0]).toBe('checkRun');
    expect(runs.flat().filter((a) => a === 'generateShard')).toHaveLength(60);
    expect(runs.at(-1)).toContain('finalizeManifest');
  });

  it('on cancel, stops the shards in flight and ends only after they stopped: no manifest, the memo says how to resume', async () => {
    const mock = mockActivities(async () => {
      const ctx = Context.current();
      for (;;) {
        ctx.heartbeat();
        await ctx.sleep(50);
      }
    });
    const worker = await workerOf(mock);
    const { failure, inFlightAtEnd, memo } = await worker.runUntil(async () => {
      const handle = await servers.env.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'wf-cancel',
        args: [{ users: 10, shardSize: 1, parallelism: 3 }],
      });
      while (mock.seen.inFlight < 3) await new Promise((r) => setTimeout(r, 20));
      await handle.cancel();
      const failure = await handle.result().catch((e: unknown) => e);
      return { failure, inFlightAtEnd: mock.seen.inFlight, memo: (await handle.describe()).memo };
    });
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(inFlightAtEnd).toBe(0);
    expect(mock.seen.cancelled).toBe(3);
    expect(mock.seen.shards).toHaveLength(3);
    expect(mock.seen.manifests).toBe(0);
    expect(String(memo?.summary)).toMatch(/^cancelled at shards: 0\/10 shards.*resume with: wrapped-etl resume wf-cancel$/);
  });
});
