import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../../src/runtime/atomic-file';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { ThreadPool } from '../../../src/runtime/thread-pool';
import { usersThreadJob } from '../../../src/pipeline/thread-jobs';
import { resolveGenerationInput } from '../../../src/config/generation-input';
import { runUsersJob, type UsersProgress } from '../../../src/pipeline/users-job';
import { MARK_DIR_ENV, whichThreadJob } from '../../helpers/thread-marker-job';
import { makeTmpDir } from '../../helpers/tmp-dir';

describe('the users file written by a pool thread', () => {
  const tmp = makeTmpDir();
  const pool = new ThreadPool(1);

  afterAll(async () => {
    await pool.close();
    tmp.cleanup();
  });

  const layoutOf = (name: string) => new RunLayout(`${tmp.dir}/${name}`);

  it('is byte-identical to the one written in this thread, and reports progress as it goes', async () => {
    const params = resolveGenerationInput({ users: 120_000, shardSize: 1000, seed: 5, countries: { SE: 1, JP: 2 } }, 'w');
    const here = layoutOf('here');
    const local = runUsersJob({ params, runDir: here.runDir });

    const there = layoutOf('there');
    const progress: UsersProgress[] = [];
    const result = await pool.run(usersThreadJob, { params, runDir: there.runDir }, 'users file', (p) => progress.push(p)).result;

    expect(result).toEqual(local);
    expect(result.users).toBe(120_000);
    expect(sha256File(there.usersPath)).toBe(sha256File(here.usersPath));
    expect(sha256File(there.usersOffsetsPath)).toBe(sha256File(here.usersOffsetsPath));
    // at most one report every 100 ms, but always the first and the job's final state
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toEqual({ users: 120_000, shardsDone: 120, shards: 120 });
    expect(progress.map((p) => p.users)).toEqual([...progress.map((p) => p.users)].sort((a, b) => a - b));
  });

  it('stops on cancel, leaving no users file, and the pool goes on with the next job', async () => {
    const params = resolveGenerationInput({ users: 5_000_000, shardSize: 1000, seed: 5 }, 'w');
    const layout = layoutOf('cancelled');
    let seen = 0;
    const task = pool.run(usersThreadJob, { params, runDir: layout.runDir }, 'users file', () => {
      if (++seen === 1) cancel();
    });
    const cancel = task.cancel;
    await expect(task.result).rejects.toThrow('users file cancelled');
    expect(seen).toBe(1);
    expect(fs.existsSync(layout.usersPath)).toBe(false);
    expect(fs.existsSync(layout.usersOffsetsPath)).toBe(false);

    const small = resolveGenerationInput({ users: 10, shardSize: 4 }, 'w');
    expect((await pool.run(usersThreadJob, { params: small, runDir: layoutOf('after').runDir }, 'users file').result).users).toBe(10);
  });

  it('starts every thread and loads the job modules on warm, before any job, then runs the jobs on those threads', async () => {
    const marks = makeTmpDir();
    process.env[MARK_DIR_ENV] = marks.dir;
    const warmed = new ThreadPool(2);
    try {
      warmed.warm([whichThreadJob.module, '/no/such/module']);
      warmed.warm([]);
      // no job is queued: only warm can have started the threads that load the module
      const loadedBy = () => fs.readdirSync(marks.dir).map((f) => Number(f.replace('loaded-by-', '')));
      const deadline = Date.now() + 60_000;
      while (loadedBy().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const warmThreads = loadedBy();
      expect(warmThreads).toHaveLength(2);
      const ran = await Promise.all([1, 2, 3, 4].map((i) => warmed.run(whichThreadJob, null, `job ${i}`).result));
      expect(warmThreads).toEqual(expect.arrayContaining([...new Set(ran)]));
      // the second warm started no third thread, and no job loaded the module again
      expect(loadedBy().sort()).toEqual(warmThreads.sort());
    } finally {
      await warmed.close();
      delete process.env[MARK_DIR_ENV];
      marks.cleanup();
    }
  });

  it('ends its idle threads on releaseIdle, and the next job runs on a new one', async () => {
    const one = new ThreadPool(1);
    try {
      const first = await one.run(whichThreadJob, null, 'job 1').result;
      expect(await one.run(whichThreadJob, null, 'job 2').result).toBe(first);
      await one.releaseIdle();
      const next = await one.run(whichThreadJob, null, 'job 3').result;
      expect(next).not.toBe(first);
    } finally {
      await one.close();
    }
  });

  it('rejects with the thread error when the model refuses the params', async () => {
    const params = { ...resolveGenerationInput({ users: 10 }, 'w'), personalities: { 'The nobody': 1 } };
    await expect(pool.run(usersThreadJob, { params, runDir: layoutOf('bad').runDir }, 'users file').result).rejects.toThrow(
      /personalities: unknown personality "The nobody"/,
    );
  });
});
