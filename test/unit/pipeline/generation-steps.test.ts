import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/domain/errors';
import { prepareRun, runInProcess } from '../../../src/pipeline/in-process-run';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { readRunParams } from '../../../src/pipeline/run-params';
import { claimRun } from '../../../src/pipeline/run-owner';
import { createGenerationSteps } from '../../../src/pipeline/steps/generation-steps';
import { NO_SHARD_FAULTS, type ShardFaults } from '../../../src/pipeline/steps/shard-faults';
import { inProcessContext } from '../../../src/pipeline/steps/step-context';
import { MissingRunFile, RunTakenOver, StepCancelled } from '../../../src/pipeline/steps/step-errors';
import { inlineJobs } from '../../../src/runtime/thread-job';
import { ThreadPool } from '../../../src/runtime/thread-pool';
import { makeTmpDir } from '../../helpers/tmp-dir';

const INPUT = { users: 12, sessionsPerUser: 3, shardSize: 5, seed: 4, catalog: ['synthetic:300'] };

describe('the generation steps, run in process', () => {
  const tmp = makeTmpDir();
  const pool = new ThreadPool(1);
  /** steps whose log lines (info and up) go into `lines`, parsed */
  const loggedSteps = (lines: Record<string, unknown>[], faults: Partial<ShardFaults> = {}, jobs = inlineJobs) =>
    createGenerationSteps({
      dataRoot: () => tmp.dir,
      jobs,
      sourceAccess: {},
      faults: { ...NO_SHARD_FAULTS, ...faults },
      log: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
  afterAll(async () => {
    await pool.close();
    tmp.cleanup();
  });

  it('write the same parts in this thread and in a pool thread, record the run as the worker does and give it up at the end', async () => {
    const here = await runInProcess(path.join(tmp.dir, 'here'), INPUT);
    const there = await runInProcess(path.join(tmp.dir, 'there'), INPUT, { jobs: pool });
    expect(there.parts.map((p) => p.sha256)).toEqual(here.parts.map((p) => p.sha256));
    expect(here.parts).toHaveLength(3);
    expect(here.params).toMatchObject({ out: '.', runId: 'here' });
    const layout = new RunLayout(path.join(tmp.dir, 'here'));
    expect(readRunParams(layout)).toEqual(here.params);
    expect(fs.existsSync(path.join(layout.workDir, 'owner.json'))).toBe(false);
  });

  it('reuse valid checkpoints and redo a part that no longer matches its checkpoint', async () => {
    const run = await prepareRun(path.join(tmp.dir, 'here'), INPUT);
    const { steps, ctx, catalogSha256, ...ref } = run;
    const layout = new RunLayout(ref.runDir);
    const usersInode = fs.statSync(layout.usersPath).ino;
    expect(await steps.users(ctx, ref)).toEqual({ path: layout.usersPath, users: 12 });
    expect(fs.statSync(layout.usersPath).ino).toBe(usersInode);
    expect(await steps.shard(ctx, { ...ref, shard: 1, catalogSha256 })).toMatchObject({ shard: 1, reused: true });
    const part = new RunLayout(ref.runDir).partPath(1);
    const before = fs.readFileSync(part);
    fs.appendFileSync(part, 'x');
    expect(await steps.shard(ctx, { ...ref, shard: 1, catalogSha256 })).toMatchObject({ shard: 1, reused: false });
    expect(fs.readFileSync(part)).toEqual(before);
  });

  it('stop a cancelled shard, refuse forged run references and a folder another owner took over', async () => {
    const { steps, ctx, catalogSha256, ...ref } = await prepareRun(path.join(tmp.dir, 'steps'), INPUT);
    const controller = new AbortController();
    const cancelled = inProcessContext(controller.signal);
    const shard = steps.shard(cancelled, { ...ref, shard: 0, catalogSha256 });
    controller.abort();
    await expect(shard).rejects.toThrow(new StepCancelled('shard 0 cancelled'));

    const forged = { ...ref, params: { ...ref.params, users: 13 } };
    await expect(steps.shard(ctx, { ...forged, shard: 0, catalogSha256 })).rejects.toThrow(InputError);
    await expect(steps.manifest(ctx, { ...ref, runDir: tmp.dir })).rejects.toThrow(
      /invalid input: run: .* is not the folder its params name/,
    );

    claimRun(ref.runDir, 'another-workflow', { takeOver: true });
    await expect(steps.shard(ctx, { ...ref, shard: 0, catalogSha256 })).rejects.toThrow(RunTakenOver);
  });

  it('write the users again when they no longer match their checkpoint, and refuse a shard whose run files are missing', async () => {
    const { steps, ctx, catalogSha256, ...ref } = await prepareRun(path.join(tmp.dir, 'users'), INPUT);
    const layout = new RunLayout(ref.runDir);
    const users = fs.readFileSync(layout.usersPath);
    fs.appendFileSync(layout.usersPath, 'x');
    const lines: Record<string, unknown>[] = [];
    const logging = loggedSteps(lines);
    expect(await logging.users(ctx, ref)).toEqual({ path: layout.usersPath, users: 12 });
    expect(fs.readFileSync(layout.usersPath)).toEqual(users);
    expect(lines).toEqual([
      expect.objectContaining({
        runId: 'users',
        step: 'users',
        checkpoint: layout.usersCheckpointPath,
        msg: 'users files do not match their checkpoint (sha256): written again',
      }),
      expect.objectContaining({ runId: 'users', step: 'users', users: 12, msg: 'users assigned' }),
    ]);
    // the checkpoint written with them vouches for them next time
    const usersInode = fs.statSync(layout.usersPath).ino;
    expect(await steps.users(ctx, ref)).toEqual({ path: layout.usersPath, users: 12 });
    expect(fs.statSync(layout.usersPath).ino).toBe(usersInode);
    // a cancelled run stops its users job
    fs.rmSync(layout.usersCheckpointPath);
    const controller = new AbortController();
    controller.abort();
    await expect(steps.users(inProcessContext(controller.signal), ref)).rejects.toThrow(new StepCancelled('users assignment cancelled'));

    fs.rmSync(layout.usersOffsetsPath);
    await expect(steps.shard(ctx, { ...ref, shard: 0, catalogSha256 })).rejects.toThrow(
      new MissingRunFile(`${layout.usersOffsetsPath} is missing, so no attempt can succeed; start a new generation`),
    );
  });

  it('fail shard attempts where the test harness injects faults: mid-write, after the part is written, or cancelled while delayed', async () => {
    const { ctx, catalogSha256, ...ref } = await prepareRun(path.join(tmp.dir, 'faults'), INPUT);
    const layout = new RunLayout(ref.runDir);
    const lines: Record<string, unknown>[] = [];
    const withFaults = (faults: Partial<ShardFaults>) =>
      loggedSteps(lines, { failsThisAttempt: () => true, cancelAfterMs: 60_000, label: 'FAULTS=on', ...faults }, pool);

    const midWrite = withFaults({ cancelAfterMs: 0 }).shard(ctx, { ...ref, shard: 0, catalogSha256 });
    await expect(midWrite).rejects.toThrow(/^injected failure mid-shard \(FAULTS=on\)$/);
    await expect(midWrite).rejects.toHaveProperty('cause.message', 'shard 0 cancelled');
    expect(fs.existsSync(layout.partPath(0))).toBe(false);

    // the injected failure replaces the job's error; only the step's own failures are logged
    expect(lines).toEqual([]);
    await expect(withFaults({}).shard(ctx, { ...ref, shard: 0, catalogSha256 })).rejects.toThrow(
      /^injected failure after the part was written \(FAULTS=on\)$/,
    );
    expect(lines).toEqual([
      expect.objectContaining({
        shard: 0,
        msg: 'shard failed',
        err: expect.objectContaining({ message: 'injected failure after the part was written (FAULTS=on)' }),
      }),
    ]);
    lines.length = 0;
    const healthy = withFaults({ failsThisAttempt: () => false });
    expect(await healthy.shard(ctx, { ...ref, shard: 0, catalogSha256 })).toMatchObject({ shard: 0, reused: true });

    const controller = new AbortController();
    const delayed = withFaults({ delayMs: 60_000 }).shard(inProcessContext(controller.signal), { ...ref, shard: 1, catalogSha256 });
    controller.abort();
    await expect(delayed).rejects.toThrow(new StepCancelled('shard 1 cancelled'));
    expect(fs.existsSync(layout.partPath(1))).toBe(false);

    // held: waits while the harness holds it, cancellable, and starts once released
    const holding = new AbortController();
    const heldShard = withFaults({ failsThisAttempt: () => false, held: () => true }).shard(inProcessContext(holding.signal), {
      ...ref,
      shard: 1,
      catalogSha256,
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(layout.partPath(1))).toBe(false);
    holding.abort();
    await expect(heldShard).rejects.toThrow(new StepCancelled('shard 1 cancelled'));
    let releases = 0;
    const released = withFaults({ failsThisAttempt: () => false, held: () => releases++ < 3 });
    expect(await released.shard(ctx, { ...ref, shard: 2, catalogSha256 })).toMatchObject({ shard: 2, reused: false });
    expect(releases).toBe(4);

    lines.length = 0;
    const written = await healthy.shard(ctx, { ...ref, shard: 1, catalogSha256 });
    expect(written).toMatchObject({ shard: 1, reused: false, bytes: fs.statSync(layout.partPath(1)).size });
    expect(lines).toEqual([
      expect.objectContaining({ runId: 'faults', shard: 1, records: written.records, bytes: written.bytes, msg: 'shard written' }),
    ]);
  });
});
