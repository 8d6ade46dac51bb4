import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { PageServer } from '../../helpers/page-server';
import { makeTmpDir } from '../../helpers/tmp-dir';

const TASK_QUEUE = 'security-starter-input';
const small = { users: 4, shardSize: 2, sessionsPerUser: 1, catalog: ['synthetic:50'] };

/** The message of a failed workflow's root cause. */
async function failure(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let cause = (err as WorkflowFailedError).cause as (Error & { cause?: Error }) | undefined;
  const messages: string[] = [];
  while (cause) {
    messages.push(cause.message);
    cause = cause.cause as (Error & { cause?: Error }) | undefined;
  }
  return messages.join(' <- ');
}

/** Every file and folder under `dir`, relative, with symlinks listed but not followed. */
function listTree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('what a workflow starter sets cannot reach outside the data root nor delete what it should not', () => {
  let stack: GenerationStack;
  const outside = makeTmpDir('wrapped-etl-outside-');
  const elsewhere = makeTmpDir('wrapped-etl-catalog-root-');

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE, workerEnv: { WRAPPED_ETL_CATALOG_ROOT: elsewhere.dir } });
  });

  afterAll(async () => {
    await stack?.stop();
    outside.cleanup();
    elsewhere.cleanup();
  });

  const run = (
    workflowId: string,
    input: object,
    opts: { memo?: Record<string, unknown>; searchAttributes?: Record<string, unknown[]> } = {},
  ) => stack.env.client.workflow.execute('generateDataset', { taskQueue: TASK_QUEUE, workflowId, args: [input], ...opts } as never);

  function plantGenerations(parent: string, names: string[]): void {
    for (const name of names) {
      fs.mkdirSync(path.join(parent, name), { recursive: true });
      fs.writeFileSync(path.join(parent, name, 'manifest.json'), '{}');
    }
  }

  it('ignores schedule and keepDays in the memo, and a forged TemporalScheduledStartTime', async () => {
    const parent = path.join(stack.dataRoot, 'memo');
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const planted = [`nightly-${today}T000000Z`, 'nightly-20991231T000000Z', 'nightly-20200101T000000Z'];
    plantGenerations(parent, planted);
    const result = (await run(
      'memo-attack',
      { ...small, out: 'memo' },
      {
        memo: { schedule: 'nightly', keepDays: -1 },
        searchAttributes: { TemporalScheduledStartTime: [new Date('2100-01-01T00:00:00Z')] },
      },
    )) as { outDir: string };
    expect(path.basename(result.outDir)).toBe('memo-attack');
    expect(fs.readdirSync(parent).sort()).toEqual([...planted, 'memo-attack'].sort());
  });

  it('names a scheduled run after its start, never a forged future time, and prunes only complete, strictly older generations', async () => {
    const parent = path.join(stack.dataRoot, 'sched');
    plantGenerations(parent, ['nightly-20200101T000000Z', 'nightly-20991231T000000Z']);
    fs.mkdirSync(path.join(parent, 'nightly-20200102T000000Z'));
    fs.mkdirSync(path.join(outside.dir, 'victim'));
    fs.writeFileSync(path.join(outside.dir, 'victim', 'manifest.json'), '{}');
    fs.symlinkSync(path.join(outside.dir, 'victim'), path.join(parent, 'nightly-20200103T000000Z'));
    const before = Date.now();
    // forged a day ahead: a future time, yet well before the planted nightly-2099... folder
    const result = (await run(
      'sched-forged',
      { ...small, out: 'sched', schedule: 'nightly', keepDays: 1 },
      {
        searchAttributes: { TemporalScheduledStartTime: [new Date(before + 24 * 3600_000)] },
      },
    )) as { outDir: string };
    const after = Date.now();
    const folder = path.basename(result.outDir);
    const m = /^nightly-(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(folder)!;
    expect(m, folder).not.toBeNull();
    // named after the run's start as the server recorded it (whole seconds), not after the forged time
    const named = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    expect(named).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(named).toBeLessThanOrEqual(after);
    expect(fs.readdirSync(parent).sort()).toEqual(
      [folder, 'nightly-20200102T000000Z', 'nightly-20200103T000000Z', 'nightly-20991231T000000Z'].sort(),
    );
    expect(fs.existsSync(path.join(outside.dir, 'victim', 'manifest.json'))).toBe(true);
  });

  it('refuses a bad keepDays or schedule at once, naming the field', async () => {
    expect(await failure(run('keep-neg', { ...small, schedule: 'nightly', keepDays: -1 }))).toMatch(
      /invalid input: keepDays: must be between 1/,
    );
    expect(await failure(run('keep-tiny', { ...small, schedule: 'nightly', keepDays: -1e308 }))).toMatch(/keepDays/);
    expect(await failure(run('keep-str', { ...small, schedule: 'nightly', keepDays: '0.001' }))).toMatch(
      /invalid input: keepDays: must be a whole number/,
    );
    expect(await failure(run('keep-alone', { ...small, keepDays: 3 }))).toMatch(/invalid input: keepDays: only goes with schedule/);
    expect(await failure(run('sched-bad', { ...small, schedule: '../x' }))).toMatch(/invalid input: schedule:/);
    expect(await failure(run('sched-future', { ...small, schedule: 'nightly', runId: 'nightly-20991231T000000Z' }))).toMatch(
      /invalid input: runId: .* future/,
    );
  });

  it('refuses out, runId and analyze paths that lead outside through a symbolic link, writing nothing there', async () => {
    fs.symlinkSync(outside.dir, path.join(stack.dataRoot, 'link2'));
    fs.mkdirSync(path.join(stack.dataRoot, 'runs'));
    fs.symlinkSync(outside.dir, path.join(stack.dataRoot, 'runs', 'linked-run'));
    const before = listTree(outside.dir);
    expect(await failure(run('sym-out', { ...small, out: 'link2' }))).toMatch(/invalid input: out: "link2" leads outside the data root/);
    expect(await failure(run('sym-run', { ...small, out: 'runs', runId: 'linked-run' }))).toMatch(
      /invalid input: runId: .* leads outside the data root/,
    );
    const analyze = (input: object) =>
      stack.env.client.workflow.execute('analyzeDataset', {
        taskQueue: TASK_QUEUE,
        workflowId: `sym-analyze-${Object.keys(input).join('-')}`,
        args: [input],
      });
    expect(await failure(analyze({ run: 'link2' }))).toMatch(/invalid input: run: "link2" leads outside/);
    await run('sym-ok', { ...small, out: 'ok' });
    expect(await failure(analyze({ run: 'ok/sym-ok', out: 'link2/wrapped' }))).toMatch(
      /invalid input: out: "link2\/wrapped" leads outside/,
    );
    expect(listTree(outside.dir)).toEqual(before);
  });

  it('refuses a forged continuation whose run folder lies outside the data root', async () => {
    const forged = {
      run: { runDir: outside.dir, params: { ...small, out: outside.dir, runId: 'x' } },
      catalogSha256: '0',
      nextShard: 0,
      progress: { phase: 'shards', shardsDone: 0, shardsTotal: 2, records: 0, bytes: 0 },
    };
    const before = listTree(outside.dir);
    const msg = await failure(
      stack.env.client.workflow.execute('generateDataset', {
        taskQueue: TASK_QUEUE,
        workflowId: 'forged-continuation',
        args: [{}, forged],
      }),
    );
    expect(msg).toMatch(/invalid input: (out|run)/);
    expect(listTree(outside.dir)).toEqual(before);
  });

  it('reads catalog files only under the data root or WRAPPED_ETL_CATALOG_ROOT, and never quotes a refused file', async () => {
    const secret = path.join(outside.dir, 'secret.csv');
    fs.writeFileSync(secret, 'Title,Artist\nTOP-SECRET-LINE,x\n');
    fs.writeFileSync(path.join(elsewhere.dir, 'songs.csv'), 'Title,Artist,Year\nAllowed Song,Band,1999\n');
    fs.writeFileSync(path.join(stack.dataRoot, 'desc.json'), JSON.stringify({ path: secret }));
    for (const [id, spec] of [
      ['cat-passwd', 'csv:/etc/passwd'],
      ['cat-environ', 'csv:/proc/self/environ'],
      ['cat-secret', `csv:${secret}`],
      ['cat-desc', 'source:desc.json'],
    ] as const) {
      const msg = await failure(run(id, { ...small, catalog: [spec] }));
      expect(msg, spec).toMatch(/outside .*not read/);
      expect(msg, spec).not.toMatch(/root:|TOP-SECRET|PATH=|WRAPPED_ETL_DATA_ROOT=/);
    }
    const ok = (await run('cat-root', { ...small, catalog: [`csv:${path.join(elsewhere.dir, 'songs.csv')}`] })) as { totalRecords: number };
    expect(ok.totalRecords).toBeGreaterThan(0);
  });

  it('does not fetch internal addresses for html: sources (no WRAPPED_ETL_FETCH_ALLOW on this worker)', async () => {
    const pages = await new PageServer().start();
    try {
      const msg = await failure(run('ssrf-loopback', { ...small, catalog: [`html:${pages.url('/plain.html')}`] }));
      expect(msg).toMatch(/refused: 127\.0\.0\.1 is a loopback, private, link-local or metadata address/);
      expect(pages.hits).toHaveLength(0);
      expect(fs.existsSync(path.join(stack.dataRoot, 'data', 'ssrf-loopback', '_work', 'http-cache'))).toBe(false);
    } finally {
      await pages.stop();
    }
  });

  it('lets one workflow write a run folder: others with the same runId fail at once naming runId', async () => {
    const input = { users: 400, shardSize: 20, sessionsPerUser: 5, catalog: ['synthetic:100'], runId: 'raced' };
    const outcomes = await Promise.all(
      ['race-a', 'race-b', 'race-c'].map((id) =>
        run(id, input).then(
          () => 'completed',
          (e: WorkflowFailedError) => String(e.cause?.message),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    for (const o of outcomes.filter((o) => o !== 'completed'))
      expect(o).toMatch(/invalid input: runId: .*raced is being written by workflow race-/);
    const dir = path.join(stack.dataRoot, 'data', 'raced');
    expect(fs.existsSync(path.join(dir, '_manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '_work', 'owner.json'))).toBe(false);
    expect(fs.readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
  });

  it('on a full disk (a 2 MB tmpfs) fails at once saying so, where, and how much space is free', async (ctx) => {
    const small = path.join(stack.dataRoot, 'small');
    fs.mkdirSync(small);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', small], { encoding: 'utf8' });
    if (mounted.error || mounted.status !== 0)
      ctx.skip(`mounting a tmpfs needs root with CAP_SYS_ADMIN: ${(mounted.stderr || mounted.error?.message || '').trim()}`);
    try {
      const started = Date.now();
      const msg = await failure(
        run('disk-full', { users: 3000, shardSize: 100, sessionsPerUser: 10, catalog: ['synthetic:200'], out: 'small' }),
      );
      expect(msg).toMatch(
        /the disk is full: no space left to write .*small\/disk-full\/.* \(filesystem .*small: [\d.]+ MB free of 2\.1 MB\)/,
      );
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      spawnSync('umount', [small]);
    }
  });

  it('fails at once naming out for a NUL byte or an overlong path', async () => {
    expect(await failure(run('nul-out', { ...small, out: 'a\0b' }))).toMatch(/invalid input: out: contains a NUL byte/);
    expect(await failure(run('long-out', { ...small, out: 'x'.repeat(5000) }))).toMatch(/invalid input: out: is 5000 bytes long/);
  });
});
