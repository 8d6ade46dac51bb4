import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { InputError } from '../../../src/domain/errors';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { readRunParams } from '../../../src/pipeline/run-params';
import { claimRun, type RunOwner } from '../../../src/pipeline/run-owner';
import { resolveStep } from '../../../src/pipeline/steps/resolve-step';
import { keepOwning, ownedRunRef, verifyRunRef } from '../../../src/pipeline/steps/run-ownership';
import { NO_SHARD_FAULTS } from '../../../src/pipeline/steps/shard-faults';
import type { GenerationStepDeps } from '../../../src/pipeline/steps/step-deps';
import { inProcessContext, type StepContext } from '../../../src/pipeline/steps/step-context';
import { RunTakenOver } from '../../../src/pipeline/steps/step-errors';
import type { RunRef } from '../../../src/pipeline/steps/step-refs';
import { inlineJobs } from '../../../src/runtime/thread-job';
import { makeTmpDir } from '../../helpers/tmp-dir';

const INPUT = { users: 12, sessionsPerUser: 3, shardSize: 5, seed: 4, catalog: ['synthetic:300'], out: '.' };

describe('the resolve step and the run reference checks', () => {
  const tmp = makeTmpDir();
  const logLines: string[] = [];
  const deps: GenerationStepDeps = {
    dataRoot: () => tmp.dir,
    jobs: inlineJobs,
    sourceAccess: {},
    faults: NO_SHARD_FAULTS,
    log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
  };
  const as = (ownerId: string, holderAlive?: StepContext['holderAlive']): StepContext => ({
    ...inProcessContext(),
    ownerId,
    holderAlive,
  });
  const ownerOf = (runDir: string): RunOwner => JSON.parse(fs.readFileSync(path.join(runDir, '_work', 'owner.json'), 'utf8'));
  const refused = async (promise: Promise<unknown>, field: string, problem: RegExp) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).problem).toMatch(problem);
  };
  /** the log lines with message `msg`, parsed; forgotten once read */
  const logged = (msg: string) => {
    const lines = logLines.splice(0).map((l) => JSON.parse(l) as Record<string, unknown>);
    return lines.filter((l) => l.msg === msg);
  };
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(() => tmp.cleanup());

  it('records a new run, claims it for its owner and refuses another owner or other params in the same folder', async () => {
    const ref = await resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'new' }, workflowId: 'wf-a' });
    expect(ref).toEqual({ params: expect.objectContaining({ runId: 'new', users: 12, resume: null }), runDir: path.join(tmp.dir, 'new') });
    expect(readRunParams(new RunLayout(ref.runDir))).toEqual(ref.params);
    expect(ownerOf(ref.runDir).workflowId).toBe('wf-a');
    expect(logged('generation resolved')).toEqual([
      expect.objectContaining({ runId: 'new', runDir: ref.runDir, location: ref.runDir, users: 12, shards: 3, resumed: false }),
    ]);
    // the same input again, by the same owner (a retried activity): the same run
    expect(await resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'new' }, workflowId: 'wf-a' })).toEqual(ref);

    await refused(
      resolveStep(deps, as('wf-b'), { input: { ...INPUT, runId: 'new' }, workflowId: 'wf-b' }),
      'runId',
      /is being written by workflow wf-a .*; give another runId, wait until it ends, or, if it stopped, resume it with "resume": "new"/,
    );
    await refused(
      resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'new', users: 13 }, workflowId: 'wf-a' }),
      'runId',
      /holds a generation with other params \(users differs\); give another runId, or resume it with "resume": "new"/,
    );
    expect(ownerOf(ref.runDir).workflowId).toBe('wf-a');
  });

  it('takes a folder over at once when its holder is found gone, and never when it is found running', async () => {
    const runDir = path.join(tmp.dir, 'held');
    claimRun(runDir, 'wf-gone');
    const input = { ...INPUT, runId: 'held' };
    await refused(
      resolveStep(
        deps,
        as('wf-b', async () => true),
        { input, workflowId: 'wf-b' },
      ),
      'runId',
      /workflow wf-gone/,
    );
    await resolveStep(
      deps,
      as('wf-b', async () => false),
      { input, workflowId: 'wf-b' },
    );
    expect(ownerOf(runDir).workflowId).toBe('wf-b');
  });

  it('resumes with the recorded params, taking the folder over, and refuses a differing field or nothing to resume', async () => {
    const first = await resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'resumed' }, workflowId: 'wf-a' });
    const paramsFile = new RunLayout(first.runDir).paramsPath;
    const recordedInode = fs.statSync(paramsFile).ino;
    logLines.length = 0;

    await refused(
      resolveStep(deps, as('wf-b'), { input: { resume: 'resumed', out: '.', users: 13 }, workflowId: 'wf-b' }),
      'users',
      /^the generation being resumed has 12, the input says 13; leave it out to keep the recorded value$/,
    );
    // fields the input repeats with the recorded values are fine; `resume` itself is no difference
    const resumed = await resolveStep(deps, as('wf-b'), { input: { resume: 'resumed', out: '.', users: 12 }, workflowId: 'wf-b' });
    expect(resumed).toEqual(first);
    expect(logged('generation resolved')).toEqual([expect.objectContaining({ runId: 'resumed', resumed: true })]);
    expect(ownerOf(first.runDir).workflowId).toBe('wf-b');
    // the recorded params stay as they were: not written again
    expect(fs.statSync(paramsFile).ino).toBe(recordedInode);

    await refused(
      resolveStep(deps, as('wf-c'), { input: { resume: 'never-ran', out: '.' }, workflowId: 'wf-c' }),
      'resume',
      /^no generation to resume at .*never-ran \(no _work\/params.json\); start a new one instead$/,
    );
  });

  it('names a scheduled run after the time it was scheduled for', async () => {
    const ref = await resolveStep(deps, as('wf-s'), {
      input: { ...INPUT, schedule: 'nightly' },
      workflowId: 'wf-s',
      scheduledAt: '2026-01-02T03:04:05.000Z',
    });
    expect(ref.params.runId).toBe('nightly-20260102T030405Z');
    expect(fs.existsSync(path.join(tmp.dir, 'nightly-20260102T030405Z', '_work', 'params.json'))).toBe(true);
    // started by hand (no scheduled time): named after the worker's clock
    const before = Math.floor(Date.now() / 1000) * 1000;
    const now = await resolveStep(deps, as('wf-n'), { input: { ...INPUT, schedule: 'nightly' }, workflowId: 'wf-n' });
    const stamp = /^nightly-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(now.params.runId)!;
    const named = Date.parse(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`);
    expect(named).toBeGreaterThanOrEqual(before);
    expect(named).toBeLessThanOrEqual(Date.now());
  });

  it('refuses every forged part of a run reference', async () => {
    const ref = await resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'checked' }, workflowId: 'wf-a' });
    expect((await verifyRunRef(deps, ref)).run.runDir).toBe(ref.runDir);
    const notARef = /^not a run reference$/;
    for (const forged of [
      null,
      'checked',
      { ...ref, runDir: 7 },
      { ...ref, params: null },
      { ...ref, params: 'x' },
      { runDir: ref.runDir },
    ]) {
      await expect(verifyRunRef(deps, forged as unknown as RunRef), JSON.stringify(forged)).rejects.toThrow(
        expect.objectContaining({ field: 'run', problem: expect.stringMatching(notARef) }),
      );
    }
    await expect(verifyRunRef(deps, { ...ref, location: 's3://bucket/checked' })).rejects.toThrow(
      expect.objectContaining({ problem: '"s3://bucket/checked" is not the location its params name' }),
    );
    fs.writeFileSync(new RunLayout(ref.runDir).paramsPath, JSON.stringify({ ...ref.params, seed: 5 }));
    await expect(verifyRunRef(deps, ref)).rejects.toThrow(
      expect.objectContaining({ problem: `${ref.runDir} does not hold a generation with these params` }),
    );
  });

  it('keeps owning a run while a step works, renewing its claim until stopped, and stops renewing once taken over', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const ref = await resolveStep(deps, as('wf-a'), { input: { ...INPUT, runId: 'kept' }, workflowId: 'wf-a' });
    await expect(ownedRunRef(deps, as('wf-a'), ref)).resolves.toBeDefined();
    const claimedAt = Date.parse(ownerOf(ref.runDir).renewedAt);
    const stop = keepOwning(deps, as('wf-a'), ref);
    // renewed when a tenth of the lease (10 min) has passed at a 30 s tick
    await vi.advanceTimersByTimeAsync(90_000);
    expect(Date.parse(ownerOf(ref.runDir).renewedAt)).toBe(claimedAt + 90_000);
    stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(Date.parse(ownerOf(ref.runDir).renewedAt)).toBe(claimedAt + 90_000);

    const keep = keepOwning(deps, as('wf-a'), ref);
    claimRun(ref.runDir, 'wf-b', { takeOver: true });
    logLines.length = 0;
    await vi.advanceTimersByTimeAsync(30_000);
    keep();
    expect(ownerOf(ref.runDir).workflowId).toBe('wf-b');
    expect(logLines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        runId: 'kept',
        msg: 'run folder taken over; this attempt finishes its file and stops',
        err: expect.objectContaining({ message: expect.stringMatching(/is being written by workflow wf-b/) }),
      }),
    ]);
    await expect(ownedRunRef(deps, as('wf-a'), ref)).rejects.toThrow(RunTakenOver);
    await expect(ownedRunRef(deps, as('wf-a'), ref)).rejects.toThrow(
      /is being written by workflow wf-b .*, which took it over; this run stops/,
    );
  });
});
