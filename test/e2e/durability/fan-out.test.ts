import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../../cli/temporal/worker';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { historiesOfChain, maxShardsInFlight, partHashes, runCli, waitForProgress } from '../../helpers/cli-process';
import { SUGGEST_CONTINUE_AS_NEW_AT } from '../../helpers/temporal-env';

const TASK_QUEUE = 'durability-fan-out';

describe('sharded fan-out with a bounded history, on a real dev server that suggests continue-as-new early', () => {
  let stack: GenerationStack;
  const workflowIds: string[] = [];

  beforeAll(async () => {
    stack = await startGenerationStack({
      taskQueue: TASK_QUEUE,
      forced: true,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const start = (workflowId: string, input: object) => {
    workflowIds.push(workflowId);
    return stack.start(workflowId, input);
  };
  const generate = (workflowId: string, input: object) => {
    workflowIds.push(workflowId);
    return stack.generate(workflowId, input);
  };
  const small = { users: 60, shardSize: 2, sessionsPerUser: 2, seed: 5, catalog: ['synthetic:200'] };

  it('keeps at most `parallelism` shards in flight, continues as new, and ends byte-identical to a one-lane run', async () => {
    const wide = await generate('fan-wide', { ...small, parallelism: 3 });
    const narrow = await generate('fan-narrow', { ...small, parallelism: 1 });
    expect(wide.totalRecords).toBeGreaterThan(0);
    expect(partHashes(wide.outDir)).toEqual(partHashes(narrow.outDir));
    expect(Object.keys(partHashes(wide.outDir))).toHaveLength(30);

    const chain = await historiesOfChain(stack.env.client, 'fan-wide');
    expect(chain.length).toBeGreaterThan(1);
    for (const history of chain) {
      expect(maxShardsInFlight(history)).toBeLessThanOrEqual(3);
      // bounded: the suggestion point plus what the lanes in flight add while draining
      expect(history.events!.length).toBeLessThan(SUGGEST_CONTINUE_AS_NEW_AT + 3 * 6 + 20);
    }
    expect(Math.max(...chain.map(maxShardsInFlight))).toBe(3);
    // a continued run carries only where to go on from, not the list of finished shards
    const firstRun = await stack.env.client.workflow
      .getHandle('fan-wide', chain[1].events![0].workflowExecutionStartedEventAttributes!.continuedExecutionRunId!)
      .describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(String(firstRun.memo?.summary)).not.toMatch(/failed|cancelled/);
    const carried = chain[1].events![0].workflowExecutionStartedEventAttributes!.input!.payloads!;
    const continuation = JSON.parse(Buffer.from(carried[1].data!).toString());
    expect(Object.keys(continuation).sort()).toEqual(['catalogSha256', 'nextShard', 'progress', 'run']);
  });

  it('resumes a terminated run from the Web UI-style input {"resume": ...}: same folder, identical parts', async () => {
    const handle = await start('fan-terminated', { ...small, parallelism: 1 });
    await waitForProgress(handle, (p) => p.shardsDone >= 5);
    await handle.terminate('operator pressed the button');
    const outDir = path.join(stack.dataRoot, 'data', 'fan-terminated');
    expect(fs.existsSync(path.join(outDir, '_manifest.json'))).toBe(false);
    expect(fs.existsSync(path.join(outDir, '_SUCCESS'))).toBe(false);
    const resumed = await generate('fan-terminated-resumed', { resume: 'fan-terminated', parallelism: 1 });
    expect(resumed.outDir).toBe(outDir);
    expect(partHashes(outDir)).toEqual(partHashes(path.join(stack.dataRoot, 'data', 'fan-narrow')));
    expect(JSON.parse(fs.readFileSync(resumed.manifest, 'utf8')).params.resume).toBeNull();
  });

  it('writes the manifest last, then _SUCCESS: it lists every part, and no part is newer than it', async () => {
    const result = await generate('fan-manifest', { ...small, users: 10, parallelism: 2 });
    expect(result.manifest).toBe(path.join(result.outDir, '_manifest.json'));
    const manifestTime = fs.statSync(result.manifest).mtimeMs;
    expect(fs.statSync(path.join(result.outDir, '_SUCCESS')).mtimeMs).toBeGreaterThanOrEqual(manifestTime);
    const manifest = JSON.parse(fs.readFileSync(result.manifest, 'utf8'));
    expect(manifest.parts).toHaveLength(5);
    for (const part of manifest.parts) expect(fs.statSync(path.join(result.outDir, part.file)).mtimeMs).toBeLessThanOrEqual(manifestTime);
    expect(fs.readdirSync(result.outDir, { recursive: true }).filter((f) => String(f).includes('.tmp'))).toEqual([]);
  });

  it('reuses valid checkpoints and recomputes a part whose bytes no longer match', async () => {
    const first = await generate('fan-checkpoint', { ...small, users: 8, parallelism: 2 });
    const before = partHashes(first.outDir);
    fs.writeFileSync(path.join(first.outDir, 'avro', 'part-00001.avro'), 'corrupted');
    fs.rmSync(first.manifest);
    const again = await generate('fan-checkpoint-2', { ...small, users: 8, parallelism: 2, runId: 'fan-checkpoint' });
    expect(partHashes(again.outDir)).toEqual(before);
  });

  it('tells the Web UI and `status` what the run is: memo summary, output folder, progress', async () => {
    const result = await generate('fan-memo', { ...small, users: 4 });
    const desc = await stack.env.client.workflow.getHandle('fan-memo').describe();
    expect(desc.memo).toMatchObject({
      runId: 'fan-memo',
      outDir: result.outDir,
      progress: { phase: 'done', shardsDone: 2, shardsTotal: 2, records: result.totalRecords },
    });
    expect(String(desc.memo!.summary)).toMatch(/4 users x 2 sessions, seed 5, 2 shards of 2/);

    const status = await runCli(['status', 'fan-memo', '--json', '--address', stack.env.address]);
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toEqual({
      workflowId: 'fan-memo',
      status: 'COMPLETED',
      progress: { phase: 'done', shardsDone: 2, shardsTotal: 2, records: result.totalRecords, bytes: expect.any(Number) },
      outDir: result.outDir,
    });
    const missing = await runCli(['status', 'no-such-run', '--address', stack.env.address]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no generation with workflow id "no-such-run"/);
  });

  it('fails the run, naming the shard and the cause, when a shard cannot succeed', async () => {
    const handle = await start('fan-fatal', { ...small, users: 40, sessionsPerUser: 20, parallelism: 1 });
    await waitForProgress(handle, (p) => p.shardsDone >= 2);
    const outDir = path.join(stack.dataRoot, 'data', 'fan-fatal');
    fs.rmSync(path.join(outDir, '_work', 'catalog.avro'));
    const err = await handle.result().catch((e) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(err.cause.message).toMatch(/^shard \d+ \(part-\d{5}\) failed: .*catalog\.avro is missing/);
    const status = await runCli(['status', 'fan-fatal', '--address', stack.env.address]);
    expect(status.stdout).toMatch(/fan-fatal: FAILED/);
    expect(status.stdout).toMatch(/resume/);
  });

  it('rejects, without retrying, output folders outside the data root and resumes of nothing', async () => {
    for (const out of ['../x', '/etc', 'a/../../x']) {
      const workflowId = `fan-escape-${workflowIds.length}`;
      const err = await generate(workflowId, { out }).catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(err.cause.message).toMatch(/invalid input: out: .* is outside the data root/);
      expect(fs.existsSync(path.resolve(stack.dataRoot, out, workflowId))).toBe(false);
    }
    const nothing = await generate('fan-resume-nothing', { resume: 'never-ran' }).catch((e) => e);
    expect(nothing.cause.message).toMatch(/invalid input: resume: no generation to resume at .*never-ran/);
    const differs = await generate('fan-resume-differs', { resume: 'fan-memo', seed: 6 }).catch((e) => e);
    expect(differs.cause.message).toMatch(/invalid input: seed: the generation being resumed has 5, the input says 6/);
    const clash = await generate('fan-clash', { ...small, users: 5, runId: 'fan-memo' }).catch((e) => e);
    expect(clash.cause.message).toMatch(/fan-memo holds a generation with other params \(users differs\)/);
  });

  it('replays every recorded history deterministically (Worker.runReplayHistories)', async () => {
    const histories = [];
    for (const workflowId of workflowIds) {
      for (const history of await historiesOfChain(stack.env.client, workflowId)) histories.push({ workflowId, history });
    }
    expect(histories.length).toBeGreaterThan(workflowIds.length);
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
  });
});
