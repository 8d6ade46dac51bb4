import * as fs from 'node:fs';
import * as path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../../src/runtime/storage/s3-store';
import { STAGING_DIR } from '../../../src/runtime/storage/staged-place';
import { GENERATE_DATASET, type GenerateDatasetWorkflow, type GenerationResult } from '../../../workflows/contracts';
import { historiesOfChain, killWorkers, replayFailures, spawnWorker, waitForProgress, type WorkerProcess } from '../../helpers/cli-process';
import { useS3Server } from '../../helpers/s3-server';
import { startDevServerEnv } from '../../helpers/temporal-env';
import { makeTmpDir } from '../../helpers/tmp-dir';

const BUCKET = 'fleet';
/** enough small shards that each of two workers gets some, and a run lasts long enough to be hit mid-way */
const INPUT = { users: 160, shardSize: 5, sessionsPerUser: 5, seed: 23, parallelism: 4, catalog: ['synthetic:300'], runId: 'r' };
const SHARDS = 32;

describe('many workers, one bucket run: `wrapped-etl worker` processes with their own data roots (standing for machines)', () => {
  let env: TestWorkflowEnvironment;
  let workerEnv: Record<string, string>;
  const tmp = makeTmpDir('wrapped-etl-s3-workers-');
  const workers: WorkerProcess[] = [];
  let referenceRun: Promise<{ manifest: Manifest; objects: Map<string, Buffer> }> | undefined;
  const s3 = useS3Server([BUCKET], (server) => {
    workerEnv = { ...server.env, WRAPPED_ETL_S3_ALLOW: BUCKET };
  });

  interface Manifest {
    params: { out: string };
    totalRecords: number;
    parts: { file: string; sha256: string; records: number }[];
  }

  /** a worker on its own "machine": data root tmp/<name> */
  const worker = (taskQueue: string, name: string, extra: Record<string, string> = {}) => {
    const w = spawnWorker({ address: env.address, taskQueue, dataRoot: path.join(tmp.dir, name), env: { ...workerEnv, ...extra } });
    workers.push(w);
    return w;
  };
  const start = (taskQueue: string, workflowId: string, prefix: string) =>
    env.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
      taskQueue,
      workflowId,
      args: [{ ...INPUT, out: `s3://${BUCKET}/${prefix}` }],
    });
  /** the run's objects, by key below s3://fleet/<prefix>/r */
  const objectsOf = async (prefix: string) => {
    const store = new S3Store({ bucket: BUCKET, prefix: `${prefix}/r` }, s3.server.client);
    const out = new Map<string, Buffer>();
    for (const key of await store.list('')) out.set(key, await store.read(key));
    return out;
  };
  const manifestOf = (objects: Map<string, Buffer>) => JSON.parse(objects.get('_manifest.json')!.toString()) as Manifest;
  /** the manifest, its params' `out` aside (each run was asked to go to its own prefix) */
  const comparable = (m: Manifest) => ({ ...m, params: { ...m.params, out: '' } });
  /** the worker process (by pid) that ran each completed generateShard attempt */
  const shardWorkers = async (workflowId: string) =>
    (await historiesOfChain(env.client, workflowId)).flatMap((h) => {
      const started = new Map<string, string>();
      const pids: number[] = [];
      for (const e of h.events ?? []) {
        const s = e.activityTaskStartedEventAttributes;
        if (s) started.set(String(s.scheduledEventId), s.identity ?? '');
        const done = e.activityTaskCompletedEventAttributes;
        if (done) {
          const scheduled = h.events!.find((x) => String(x.eventId) === String(done.scheduledEventId));
          if (scheduled?.activityTaskScheduledEventAttributes?.activityType?.name === 'generateShard')
            pids.push(Number(started.get(String(done.scheduledEventId))!.split('@')[0]));
        }
      }
      return pids;
    });
  const expectSameRun = async (prefix: string) => {
    const reference = await referenceOf();
    const objects = await objectsOf(prefix);
    expect(comparable(manifestOf(objects))).toEqual(comparable(reference.manifest));
    // the same objects, and byte for byte the parts, their checkpoints, the catalog, the users files and _SUCCESS
    // (params.json holds `out`, catalog-report.json the staging path of the worker that made it)
    expect([...objects.keys()]).toEqual([...reference.objects.keys()]);
    const named = ['_manifest.json', '_work/params.json', '_work/catalog-report.json'];
    for (const [key, bytes] of objects) if (!named.includes(key)) expect(bytes.equals(reference.objects.get(key)!), key).toBe(true);
  };

  beforeAll(async () => {
    env = await startDevServerEnv({ forced: true });
  });

  afterEach(async () => {
    await killWorkers(workers);
  });

  afterAll(async () => {
    await env?.teardown();
    tmp.cleanup();
  });

  /** the one-worker run every other test compares with, made once by whichever test needs it first (each test runs alone) */
  const referenceOf = () =>
    (referenceRun ??= (async () => {
      worker('fleet-one', 'one');
      const result = (await (await start('fleet-one', 'one', 'one')).result()) as GenerationResult;
      expect(result.outDir).toBe(`s3://${BUCKET}/one/r`);
      const objects = await objectsOf('one');
      return { manifest: manifestOf(objects), objects };
    })());

  it('one worker writes the reference run into the bucket', async () => {
    expect((await referenceOf()).manifest.parts).toHaveLength(SHARDS);
  }, 180_000);

  it('two workers with separate data roots share one run: both write shards, the run equals the one-worker run', async () => {
    const reference = await referenceOf();
    const ws = [
      worker('fleet-two', 'a', { WRAPPED_ETL_SHARD_DELAY_MS: '100' }),
      worker('fleet-two', 'b', { WRAPPED_ETL_SHARD_DELAY_MS: '100' }),
    ];
    const result = (await (await start('fleet-two', 'two', 'two')).result()) as GenerationResult;
    expect(result.totalRecords).toBe(reference.manifest.totalRecords);
    await expectSameRun('two');
    const pids = await shardWorkers('two');
    expect(pids).toHaveLength(SHARDS);
    for (const w of ws) expect(pids.filter((pid) => pid === w.child.pid).length, w.output()).toBeGreaterThan(0);
    // the run's staging folder is gone from the worker that wrote the manifest; the other keeps its copies of the catalog and users
    const staged = ['a', 'b'].map((n) => fs.existsSync(path.join(tmp.dir, n, STAGING_DIR, BUCKET, 'two', 'r')));
    expect(staged.filter((s) => !s)).toHaveLength(1);
    expect(await replayFailures(env.client, ['two'])).toEqual([]);
  }, 240_000);

  it('SIGKILL one of two workers mid-run: the other completes it, equal to the one-worker run, nothing half-written left', async () => {
    const reference = await referenceOf();
    const delay = { WRAPPED_ETL_SHARD_DELAY_MS: '150' };
    const [a, b] = [worker('fleet-kill', 'c', delay), worker('fleet-kill', 'd', delay)];
    const handle = await start('fleet-kill', 'kill', 'kill');
    const atKill = await waitForProgress(handle, (p) => p.shardsDone >= 8, 120_000);
    expect(atKill.shardsDone).toBeLessThan(SHARDS);
    a.child.kill('SIGKILL');
    expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const result = (await handle.result()) as GenerationResult;
    expect(result.totalRecords).toBe(reference.manifest.totalRecords);
    await expectSameRun('kill');
    const pids = await shardWorkers('kill');
    expect(pids).toHaveLength(SHARDS);
    // the survivor finished the run: it wrote every shard not done before the kill
    expect(pids.filter((pid) => pid === b.child.pid).length, b.output()).toBeGreaterThanOrEqual(SHARDS - atKill.shardsDone);
    // no object but the run's (a killed worker's unfinished multipart upload is no object)
    const listed = await s3.server.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'kill/' }));
    expect((listed.Contents ?? []).map((o) => o.Key!.slice('kill/r/'.length)).sort()).toEqual([...reference.objects.keys()]);
    expect(await replayFailures(env.client, ['kill'])).toEqual([]);
  }, 300_000);
});
