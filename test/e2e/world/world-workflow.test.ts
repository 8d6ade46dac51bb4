import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveWorldInput } from '../../../src/config/world-input';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { ADVANCE_WORLD, CREATE_WORLD, type AdvanceWorldWorkflow, type CreateWorldWorkflow } from '../../../workflows/contracts';
import { runCli } from '../../helpers/cli-process';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { worldDayHashes, dayShardsInThread } from '../../helpers/world-files';

const TASK_QUEUE = 'e2e-world';
const INPUT = { name: 'w', users: 120, shardSize: 30, parallelism: 2, start: '2025-03-28', seed: 7, catalog: ['synthetic:800'] };

describe('worlds on Temporal', () => {
  let stack: GenerationStack;
  const local = makeTmpDir('wrapped-etl-world-local-');
  const workflow = () => stack.env.client.workflow;
  const create = (workflowId: string, input: object) =>
    workflow().execute<CreateWorldWorkflow>(CREATE_WORLD, { taskQueue: TASK_QUEUE, workflowId, args: [input as never] });
  const advance = (workflowId: string, input: object) =>
    workflow().execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, { taskQueue: TASK_QUEUE, workflowId, args: [input as never] });

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE, threads: 2 });
  });
  afterAll(async () => {
    await stack?.stop();
    local.cleanup();
  });

  it('advances through the worker to the same bytes as the in-process path, in one go or day by day', async () => {
    const created = await create('create-w', { ...INPUT, out: 'a' });
    expect(created).toMatchObject({ name: 'w', worldDir: path.join(stack.dataRoot, 'a', 'w'), users: 120, shards: 4, existed: false });
    // creating it again the same way is a no-op
    expect(await create('create-w-again', { ...INPUT, out: 'a' })).toMatchObject({ existed: true });
    const all = await advance('advance-a', { world: 'w', out: 'a', days: 4 });
    expect(all).toMatchObject({ world: 'w', first: '2025-03-28', last: '2025-03-31', days: 4 });

    await create('create-b', { ...INPUT, out: 'b' });
    for (let i = 0; i < 4; i++) expect((await advance(`advance-b-${i}`, { world: 'w', out: 'b' })).days).toBe(1);

    const inProcess = path.join(local.dir, 'w');
    await createWorld(inProcess, resolveWorldInput({ ...INPUT, out: 'a' }));
    for (const day of daysToAdvance(inProcess, '2025-03-31')) await advanceOneDay(inProcess, day, dayShardsInThread);

    const expected = worldDayHashes(inProcess, { manifests: true });
    expect(Object.keys(expected)).toHaveLength(4 * 5);
    expect(worldDayHashes(created.worldDir, { manifests: true })).toEqual(expected);
    // b's manifests name its own folder (params.out): its parts are the same bytes
    expect(worldDayHashes(path.join(stack.dataRoot, 'b', 'w'))).toEqual(worldDayHashes(inProcess));
    expect(await advance('advance-none', { world: 'w', out: 'a', through: '2025-03-31' })).toMatchObject({
      days: 0,
      first: null,
      last: null,
    });
    expect(worldDayHashes(created.worldDir, { manifests: true })).toEqual(expected);
  });

  it('world advance and status from the CLI against a remote server', async () => {
    const env = { WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE, WRAPPED_ETL_DATA_ROOT: stack.dataRoot };
    const r = await runCli(['world', 'advance', 'w', '--out', 'a', '--days', '2', '--json', '--address', stack.env.address], env);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ world: 'w', first: '2025-04-01', last: '2025-04-02', days: 2 });
    const status = await runCli(['world', 'status', 'w', '--out', 'a', '--json'], { ...env });
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: 'w',
      users: 120,
      lastCompleteDay: '2025-04-02',
      daysComplete: 6,
      nextDay: '2025-04-03',
    });
  });

  it('a terminated advance gives the world up at once; a terminated creation stops writing within seconds', async () => {
    const start = (type: string, workflowId: string, input: object) =>
      workflow().start(type, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
    const worldDir = path.join(stack.dataRoot, 't', 'w');
    await create('create-t', { ...INPUT, out: 't' });
    const long = await start(ADVANCE_WORLD, 'advance-t-long', { world: 'w', out: 't', days: 60 });
    const owner = path.join(worldDir, '_work', 'owner.json');
    while (!fs.existsSync(owner) || !fs.readFileSync(owner, 'utf8').includes('advance-t-long'))
      await new Promise((r) => setTimeout(r, 100));
    await long.terminate('test: terminated, not cancelled');
    // the next advance asks Temporal about the holder instead of waiting out its 10-minute lease
    expect(await advance('advance-t-next', { world: 'w', out: 't', days: 1 })).toMatchObject({ days: 1 });

    const bigDir = path.join(stack.dataRoot, 'big', 'w');
    const big = await start(CREATE_WORLD, 'create-big', { ...INPUT, out: 'big', users: 100_000_000, shardSize: 20_000 });
    const written = () => {
      let bytes = 0;
      const walk = (dir: string): void => {
        for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) walk(p);
          else bytes += fs.statSync(p, { throwIfNoEntry: false })?.size ?? 0;
        }
      };
      walk(bigDir);
      return bytes;
    };
    const first = written();
    while (written() <= first + 1_000_000) await new Promise((r) => setTimeout(r, 100));
    const terminatedAt = Date.now();
    await big.terminate('test: terminated mid-write');
    let [last, lastGrowth] = [written(), Date.now()];
    while (Date.now() - lastGrowth < 5000) {
      await new Promise((r) => setTimeout(r, 200));
      const now = written();
      if (now !== last) [last, lastGrowth] = [now, Date.now()];
    }
    const afterMs = Math.max(0, lastGrowth - terminatedAt);
    console.log(`world creation wrote for ${afterMs} ms after its workflow was terminated`);
    // the activity hears of the termination at its next heartbeat (at most a second apart) and stops its pool thread
    expect(afterMs).toBeLessThan(10_000);
  });

  it('keeps world folders from workflow input under the data root', async () => {
    const refused = async (run: Promise<unknown>, pattern: RegExp) => {
      const err = await run.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(String((err as WorkflowFailedError).cause?.message)).toMatch(pattern);
    };
    await refused(advance('bad-out', { world: 'w', out: '../..' }), /invalid input: out: .*outside the data root/);
    await refused(advance('bad-name', { world: '../w' }), /invalid input: world: must be 1-128 letters/);
    await refused(advance('bad-field', { world: 'w', out: 'a', path: '/etc' }), /invalid input: path: is not a field of a world advance/);
    await refused(create('bad-create-out', { ...INPUT, out: '/etc' }), /invalid input: out: .*outside the data root/);
    // bounds and field names: `through` as far as `days` may go, a bad world name named as `name`
    await refused(
      advance('far-through', { world: 'w', out: 'a', through: '9999-12-31' }),
      /^invalid input: through: 9999-12-31 is \d+ days from the world's next day .* at most 3660 days/,
    );
    for (const name of ['..', 'a/b'])
      await refused(create(`bad-name-${name.length}`, { ...INPUT, name }), /^invalid input: name: must be 1-128/);
    const outside = makeTmpDir('wrapped-etl-outside-');
    try {
      fs.symlinkSync(outside.dir, path.join(stack.dataRoot, 'link'));
      await refused(create('bad-create-link', { ...INPUT, out: 'link' }), /through a symbolic link/);
      expect(fs.readdirSync(outside.dir)).toEqual([]);
    } finally {
      outside.cleanup();
    }
    // a forged continuation is checked like an input
    await refused(
      workflow().execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, {
        taskQueue: TASK_QUEUE,
        workflowId: 'forged',
        args: [
          { world: 'w' },
          {
            plan: { name: 'x', worldDir: '/etc', shards: 1, parallelism: 1, first: '2025-01-01', days: 1 },
            dayIndex: 0,
            nextShard: 0,
            progress: { phase: 'shards', day: null, daysDone: 0, daysTotal: 1, shardsDone: 0, shardsTotal: 1, shardsReused: 0, records: 0 },
          },
        ],
      }),
      /invalid input: world: .*outside the data root/,
    );
  });
});
