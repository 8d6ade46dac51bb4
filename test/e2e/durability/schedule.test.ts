import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerationResult } from '../../../workflows/contracts';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { runCli } from '../../helpers/cli-process';

const TASK_QUEUE = 'durability-schedule';

/** Asks `ask` every 100 ms until its answer satisfies `done` (a condition the test waits on, bounded at 60 s). */
async function until<T>(ask: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await ask();
    if (done(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`still not there after 60 s: ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('wrapped-etl schedule, against a real dev server', () => {
  let stack: GenerationStack;
  const cli = (...args: string[]) => runCli(['schedule', ...args, '--address', stack.env.address], { WRAPPED_ETL_TASK_QUEUE: TASK_QUEUE });

  beforeAll(async () => {
    // no worker yet: the first triggered run stays running until the test starts one (overlap check below)
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE, deferWorker: true });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates, lists, describes, pauses, unpauses, triggers and deletes; a run is named after its scheduled time and prunes old ones', async () => {
    const nightlyDir = path.join(stack.dataRoot, 'nightly');
    for (const old of ['nightly-20200101T020000Z', 'nightly-20200102T020000Z', 'other-20200101T020000Z', 'nightly-notes']) {
      fs.mkdirSync(path.join(nightlyDir, old), { recursive: true });
      // complete generations only: nightly-20200102T020000Z has no manifest, so it stays
      if (old !== 'nightly-20200102T020000Z') fs.writeFileSync(path.join(nightlyDir, old, 'manifest.json'), '{}');
    }
    const created = await cli(
      'create',
      'nightly',
      '--cron',
      '0 2 * * *',
      '--users',
      '60',
      '--shard-size',
      '5',
      '--sessions-per-user',
      '5',
      '--catalog',
      'synthetic:200',
      '--out',
      'nightly',
      '--keep-days',
      '3',
    );
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/Created schedule nightly/);
    expect(created.stdout).toMatch(/cron: +0 2 \* \* \* \(UTC\)/);
    expect(created.stdout).toMatch(/next runs: +\d{4}-\d{2}-\d{2}T02:00:00\.000Z/);

    expect((await cli('list')).stdout).toMatch(/^nightly\tACTIVE\t0 2 \* \* \*\tnext \d{4}-/m);
    const listed = await cli('list', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      schedules: [{ name: 'nightly', state: 'ACTIVE', cron: '0 2 * * *', nextRun: expect.stringMatching(/T02:00:00\.000Z$/) }],
    });
    const describedJson = JSON.parse((await cli('describe', 'nightly', '--json')).stdout);
    expect(describedJson).toMatchObject({
      name: 'nightly',
      state: 'ACTIVE',
      cron: '0 2 * * *',
      keepDays: 3,
      input: { users: 60, out: 'nightly' },
      runsTaken: 0,
    });
    expect((await cli('pause', 'nightly', '--note', 'maintenance')).stdout).toMatch(/Paused nightly/);
    expect((await cli('describe', 'nightly')).stdout).toMatch(/^nightly: PAUSED \(maintenance\)/);
    expect((await cli('unpause', 'nightly')).stdout).toMatch(/Unpaused nightly/);
    const described = (await cli('describe', 'nightly')).stdout;
    expect(described).toMatch(/^nightly: ACTIVE/);
    expect(described).toMatch(/keep days: +3/);
    expect(described).toMatch(/overlap: +SKIP/);

    const before = Date.now();
    expect((await cli('trigger', 'nightly')).stdout).toMatch(/Triggered nightly/);
    const handle = stack.env.client.schedule.getHandle('nightly');
    const workflowId = (
      await until(
        () => handle.describe(),
        (d) => d.info.recentActions.length === 1,
      )
    ).info.recentActions[0]!.action.workflow.workflowId;
    expect(workflowId).toMatch(/^nightly-/);
    // a second trigger while the first run still runs (no worker has taken it yet) is skipped (overlap policy SKIP)
    expect((await cli('trigger', 'nightly')).stdout).toMatch(/Triggered nightly/);
    await until(
      () => handle.describe(),
      (d) => d.info.numActionsSkippedOverlap === 1,
    );
    await stack.startWorker();
    const result = (await stack.env.client.workflow.getHandle(workflowId).result()) as GenerationResult;
    const after = await handle.describe();
    expect(after.info.recentActions).toHaveLength(1);
    expect(after.info.numActionsSkippedOverlap).toBe(1);

    const folder = path.basename(result.outDir);
    expect(folder).toMatch(/^nightly-\d{8}T\d{6}Z$/);
    const stamp = folder.slice('nightly-'.length);
    const scheduledAt = Date.parse(
      `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
    );
    expect(scheduledAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(scheduledAt).toBeLessThanOrEqual(Date.now());
    expect(path.dirname(result.outDir)).toBe(nightlyDir);
    expect(fs.existsSync(result.manifest)).toBe(true);
    expect(fs.readdirSync(nightlyDir).sort()).toEqual(
      [folder, 'nightly-20200102T020000Z', 'nightly-notes', 'other-20200101T020000Z'].sort(),
    );

    expect((await cli('delete', 'nightly')).stdout).toMatch(/Deleted schedule nightly/);
    expect((await cli('list')).stdout).toBe('no schedules\n');
    expect((await cli('list', '--json')).stdout).toBe('{"schedules":[]}\n');
    const gone = await cli('describe', 'nightly');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no schedule named "nightly"/);
  });

  it('status of a FAILED generation exits 1 and says how to go on once', async () => {
    await stack.startWorker();
    const handle = await stack.env.client.workflow.start('generateDataset', {
      taskQueue: TASK_QUEUE,
      workflowId: 'doomed',
      args: [{ users: -1 }],
    });
    await expect(handle.result()).rejects.toThrow();
    const status = await runCli(['status', 'doomed', '--address', stack.env.address]);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^doomed: FAILED\n/);
    expect(status.stdout.match(/wrapped-etl resume doomed/g)).toHaveLength(1);
    const json = await runCli(['status', 'doomed', '--json', '--address', stack.env.address]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ workflowId: 'doomed', status: 'FAILED' });
  });

  it('rejects bad schedule commands before they reach the server', async () => {
    const noCron = await cli('create', 'x');
    expect(noCron.code).toBe(2);
    expect(noCron.stderr).toMatch(/--cron is required/);
    const runId = await cli('create', 'x', '--cron', '0 2 * * *', '--run-id', 'fixed');
    expect(runId.stderr).toMatch(/--run-id does not go with a schedule/);
    const badUsers = await cli('create', 'x', '--cron', '0 2 * * *', '--users=-1');
    expect(badUsers.stderr).toMatch(/users: must be between 1/);
    const badName = await cli('create', '../x', '--cron', '0 2 * * *');
    expect(badName.stderr).toMatch(/schedule name/);
    const keep = await cli('create', 'x', '--cron', '0 2 * * *', '--keep-days', '0');
    expect(keep.stderr).toMatch(/--keep-days needs a whole number/);
  });
});
