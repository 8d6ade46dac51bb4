import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationActivities } from '../../activities/generation-activities';
import type { ShardRef } from '../../activities/types';
import { WORKFLOWS_PATH } from '../../cli/temporal/worker';
import { resolveGenerationInput } from '../../src/config/generation-input';
import { GENERATE_DATASET, progressQuery, type GenerateDatasetWorkflow } from '../../workflows/contracts';
import { startDevServerEnv } from '../helpers/temporal-env';

const TASK_QUEUE = 'workflow-generate';

/** Activities that only record what the workflow asks of them; `shard` decides each shard's fate. */
function mockActivities(shard: (ref: ShardRef) => Promise<void>) {
  const seen = { shards: [] as number[], inFlight: 0, maxInFlight: 0, manifests: 0 };
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
      } finally {
        seen.inFlight--;
      }
      return { shard: ref.shard, records: 10, bytes: 100, reused: false };
    },
    finalizeManifest: async (ref) => {
      seen.manifests++;
      return { manifest: `${ref.runDir}/manifest.json`, totalRecords: 0, parts: 0, bytes: 0 };
    },
    pruneGenerations: async () => ({ deleted: [] }),
  };
  return { activities, seen };
}

describe('generateDataset orchestrates against mocked activities', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  const run = async (mock: ReturnType<typeof mockActivities>, workflowId: string, input: object) => {
    const worker = await Worker.create({ connection: env.nativeConnection, namespace: env.namespace, taskQueue: TASK_QUEUE, workflowsPath: WORKFLOWS_PATH, activities: mock.activities });
    return worker.runUntil(async () => {
      const result = await env.client.workflow.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
      // queries need the worker, so ask before it stops
      return { result, progress: await env.client.workflow.getHandle(workflowId).query(progressQuery) };
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
});
