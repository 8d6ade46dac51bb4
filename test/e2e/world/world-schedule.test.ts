import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScheduleOverlapPolicy, WorkflowFailedError, type ScheduleHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADVANCE_WORLD, CREATE_WORLD, type AdvanceWorldWorkflow, type CreateWorldWorkflow } from '../../../workflows/contracts';
import { runCli } from '../../helpers/cli-process';
import { worldDayHashes } from '../../helpers/world-files';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';

const TASK_QUEUE = 'e2e-world-schedule';
const INPUT = { users: 60, shardSize: 20, parallelism: 2, start: '2025-05-01', seed: 11, catalog: ['synthetic:500'] };

describe('a world on a schedule', () => {
  let stack: GenerationStack;
  const cli = (...args: string[]) =>
    runCli([...args, '--address', stack.env.address], { WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE, WRAPPED_ETL_DATA_ROOT: stack.dataRoot });
  const workflow = () => stack.env.client.workflow;

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE, threads: 2 });
    for (const name of ['w', 'ref', 'fast']) {
      await workflow().execute<CreateWorldWorkflow>(CREATE_WORLD, {
        taskQueue: TASK_QUEUE,
        workflowId: `create-${name}`,
        args: [{ ...INPUT, name }],
      });
    }
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('advances one day per run; missed runs catch up day by day, in order, never two at once', async () => {
    const created = await cli('schedule', 'create', 'nightly-w', '--world', 'w', '--cron', '0 2 * * *', '--catch-up-window', '3', '--json');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'nightly-w', overlap: 'BUFFER_ALL', input: { world: 'w', days: 1 } });
    const handle = stack.env.client.schedule.getHandle('nightly-w');
    expect((await handle.describe()).policies.catchupWindow).toBe(3 * 86_400_000);

    // three nights that were missed: each run is one day, the next missing one
    const now = Date.now();
    await handle.backfill({
      start: new Date(now - 3.5 * 86_400_000),
      end: new Date(now - 0.5 * 86_400_000),
      overlap: ScheduleOverlapPolicy.BUFFER_ALL,
    });
    const deadline = Date.now() + 120_000;
    let d = await handle.describe();
    while ((d.info.recentActions.length < 3 || d.info.runningActions.length > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      d = await handle.describe();
    }
    expect(d.info.recentActions).toHaveLength(3);

    // runs in order of their scheduled time, each starting after the one before had closed, one day each
    const runs = await Promise.all(
      d.info.recentActions.map(async (a) => {
        const h = workflow().getHandle(a.action.workflow.workflowId);
        const result = (await h.result()) as Awaited<ReturnType<AdvanceWorldWorkflow>>;
        const first = await workflow().getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).describe();
        const last = await h.describe();
        return { scheduledAt: a.scheduledAt.getTime(), result, started: first.startTime.getTime(), closed: last.closeTime!.getTime() };
      }),
    );
    runs.sort((a, b) => a.scheduledAt - b.scheduledAt);
    expect(runs.map((r) => [r.result.days, r.result.first])).toEqual([
      [1, '2025-05-01'],
      [1, '2025-05-02'],
      [1, '2025-05-03'],
    ]);
    for (let i = 1; i < runs.length; i++) expect(runs[i].started).toBeGreaterThanOrEqual(runs[i - 1].closed);

    const status = await runCli(['world', 'status', 'w', '--json'], { WRAPPED_ETL_DATA_ROOT: stack.dataRoot });
    expect(JSON.parse(status.stdout)).toMatchObject({ lastCompleteDay: '2025-05-03', daysComplete: 3, nextDay: '2025-05-04', users: 60 });

    // the same bytes as three days in one advance
    await workflow().execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, {
      taskQueue: TASK_QUEUE,
      workflowId: 'ref-3',
      args: [{ world: 'ref', days: 3 }],
    });
    const scheduled = worldDayHashes(path.join(stack.dataRoot, 'data', 'w'));
    expect(Object.keys(scheduled)).toHaveLength(9);
    expect(scheduled).toEqual(worldDayHashes(path.join(stack.dataRoot, 'data', 'ref')));
    await handle.delete();
  });

  it('advances a world once a day however often a schedule made elsewhere fires it, a catch-up burst included; by hand it advances as before', async () => {
    // as `temporal schedule create --interval 2s` or the Web UI's Create Schedule makes it: no wrapped-etl check at create
    const fired = await stack.env.client.schedule.create({
      scheduleId: 'raw-2s',
      spec: { intervals: [{ every: '2s' }] },
      action: {
        type: 'startWorkflow',
        workflowType: ADVANCE_WORLD,
        workflowId: 'raw-2s-wf',
        taskQueue: TASK_QUEUE,
        args: [{ world: 'fast', days: 1 }],
      },
    });
    /** once the schedule has taken `runs` runs in all: paused, and how each of its recent runs (the server keeps 10) ended */
    const outcomes = async (handle: ScheduleHandle, runs: number) => {
      const deadline = Date.now() + 120_000;
      const taken = async () => (await handle.describe()).info.numActionsTaken;
      while ((await taken()) < runs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      await handle.pause('counted');
      const d = await handle.describe();
      const ended = await Promise.all(
        d.info.recentActions.map(async (a) => {
          const at = a.scheduledAt.toISOString();
          try {
            const result = (await workflow().getHandle(a.action.workflow.workflowId).result()) as Awaited<ReturnType<AdvanceWorldWorkflow>>;
            return { at, days: result.days, first: result.first };
          } catch (err) {
            const cause = (err as WorkflowFailedError).cause as Error & { type?: string };
            return { at, refused: cause?.type, message: cause?.message };
          }
        }),
      );
      return { taken: d.info.numActionsTaken, ended };
    };
    const { taken, ended: runs } = await outcomes(fired, 5);
    expect(runs.length).toBe(taken);
    const wrote = runs.filter((r) => r.days !== undefined);
    expect(wrote).toEqual([{ at: wrote[0].at, days: 1, first: '2025-05-01' }]);
    for (const r of runs.filter((r) => r.days === undefined)) {
      expect(r.refused).toBe('AdvanceTooSoon');
      expect(r.message).toMatch(
        new RegExp(
          `^world fast: this run \\(schedule raw-2s, scheduled at ${r.at.replace(/[.]/g, '\\.')}\\) comes \\d+ s after the advance schedule raw-2s scheduled at ${wrote[0].at.replace(/[.]/g, '\\.')} \\(workflow raw-2s-wf-[^,]+, from day 2025-05-01\\); a schedule advances a world by at most one day per day .*so this run writes nothing`,
        ),
      );
    }
    const status = async () =>
      JSON.parse((await runCli(['world', 'status', 'fast', '--json'], { WRAPPED_ETL_DATA_ROOT: stack.dataRoot })).stdout) as {
        daysComplete: number;
      };
    expect((await status()).daysComplete).toBe(1);

    // runs missed while the server was down come at once (here a backfill of 20 s three days ago, 10 or 11 runs): one writes a day
    const threeDaysAgo = Date.now() - 3 * 86_400_000;
    await fired.backfill({
      start: new Date(threeDaysAgo),
      end: new Date(threeDaysAgo + 20_000),
      overlap: ScheduleOverlapPolicy.BUFFER_ALL,
    });
    const caughtUp = await outcomes(fired, taken + 10);
    expect(caughtUp.taken).toBeGreaterThanOrEqual(taken + 10);
    const backfilled = caughtUp.ended.filter((r) => Date.parse(r.at) < threeDaysAgo + 60_000);
    expect(backfilled.length).toBeGreaterThanOrEqual(9);
    expect(backfilled.filter((r) => r.days !== undefined)).toEqual([{ at: backfilled[0].at, days: 1, first: '2025-05-02' }]);
    expect(backfilled.filter((r) => r.refused === 'AdvanceTooSoon')).toHaveLength(backfilled.length - 1);
    expect((await status()).daysComplete).toBe(2);
    await fired.delete();

    // an advance started by hand is no schedule's: it goes on at once, as often as asked
    for (const id of ['by-hand-1', 'by-hand-2'])
      expect(
        await workflow().execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, { taskQueue: TASK_QUEUE, workflowId: id, args: [{ world: 'fast' }] }),
      ).toMatchObject({ days: 1 });
    expect((await status()).daysComplete).toBe(4);
  });

  it('refuses a second advance of a world a running workflow holds, and takes it over once that one is terminated', async () => {
    // a running holder no worker serves: Temporal says RUNNING until it is terminated
    const holder = await workflow().start('parked', { taskQueue: 'nobody-serves-this', workflowId: 'someone-else' });
    const owner = path.join(stack.dataRoot, 'data', 'ref', '_work', 'owner.json');
    const now = new Date().toISOString();
    fs.writeFileSync(owner, JSON.stringify({ workflowId: 'someone-else', host: 'h', pid: 1, since: now, renewedAt: now }));
    const advance = (workflowId: string) =>
      workflow()
        .execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, { taskQueue: TASK_QUEUE, workflowId, args: [{ world: 'ref' }] })
        .then(
          (r) => r,
          (e: unknown) => e as Error & { cause?: Error },
        );
    const err = (await advance('second')) as Error & { cause?: Error };
    expect(err?.cause?.message).toMatch(/world ref: .* is being written by workflow someone-else .*one advance at a time per world/);
    await holder.terminate('test: the holder is gone');
    expect(await advance('after-holder')).toMatchObject({ days: 1 });
  });

  it('checks a world schedule at create: a cron that never fires or fires more than daily, a missing world, an out outside', async () => {
    const refused = async (args: string[], pattern: RegExp) => {
      const r = await cli('schedule', 'create', 'bad', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(pattern);
    };
    await refused(['--world', 'w', '--cron', '@every 1s'], /--cron "@every 1s" fires every 1 s; a world advances by one day per run/);
    await refused(['--world', 'w', '--cron', '*/5 * * * *'], /fires every 300 s/);
    await refused(['--world', 'w', '--cron', '0 0 31 2 *'], /--cron "0 0 31 2 \*" never fires/);
    await refused(['--cron', '0 0 31 2 *', '--users', '5'], /never fires/);
    await refused(
      ['--world', 'nonexistent', '--cron', '0 2 * * *'],
      /invalid input: world: no world nonexistent in data .*create it first/,
    );
    await refused(['--world', 'w', '--out', '/etc', '--cron', '0 2 * * *'], /invalid input: out: .*outside the data root/);
    // checked where the world lives: the worker's data root, not the CLI's (here an empty folder)
    const elsewhere = fs.mkdtempSync(path.join(stack.dataRoot, '..', 'cli-root-'));
    const remote = await runCli(['schedule', 'create', 'remote-w', '--world', 'w', '--cron', '0 2 * * *', '--address', stack.env.address], {
      WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE,
      WRAPPED_ETL_DATA_ROOT: elsewhere,
    });
    expect(remote.code).toBe(0);
    expect(remote.stdout).toContain(`checked on a worker: world w is at ${path.join(stack.dataRoot, 'data', 'w')}, next day 2025-05-`);
    await stack.env.client.schedule.getHandle('remote-w').delete();
    const missing = await runCli(
      ['schedule', 'create', 'bad', '--world', 'elsewhere', '--cron', '0 2 * * *', '--address', stack.env.address],
      {
        WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE,
        WRAPPED_ETL_DATA_ROOT: elsewhere,
      },
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/invalid input: world: no world elsewhere in data \(no world.json\): create it first/);
    // nothing was left behind by the refusals
    const left: string[] = [];
    for await (const sch of stack.env.client.schedule.list()) left.push(sch.scheduleId);
    expect(left).not.toContain('bad');
  });

  it('rejects generation flags with --world before reaching the server', async () => {
    const r = await cli('schedule', 'create', 'x', '--world', 'w', '--cron', '0 2 * * *', '--users', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--users does not go with --world/);
    const bad = await cli('schedule', 'create', 'x', '--world', '../w', '--cron', '0 2 * * *');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/world: must be 1-128 letters/);
  });
});
