import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorldWrapped } from '../../../src/analytics/wrapped/world-wrapped';
import { runWrappedPartJob } from '../../../src/analytics/wrapped/part-job';
import { WRAPPED_FILES } from '../../../src/analytics/wrapped/write-wrapped';
import { resolveWorldInput } from '../../../src/config/world-input';
import { openRunAt } from '../../../src/dataset/open-folder';
import { readManifest } from '../../../src/pipeline/manifest';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { runWorldDayJob } from '../../../src/pipeline/world-day-job';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { sha256File } from '../../../src/runtime/atomic-file';
import { BIN, runCli } from '../../helpers/cli-process';
import { fullDiskUnavailable, runOnFullDisk } from '../../helpers/full-disk';
import { freePort } from '../../../bench/free-port';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { worldDayHashes, dayShardsInThread } from '../../helpers/world-files';

/**
 * The fault matrix (docs/durability.md has it as a table): generate, world advance, stream, Wrapped
 * (of a run and of a world) and export, each under SIGKILL, a truncated part, a flipped byte in each
 * kind of checkpoint, a full disk and two concurrent starts, end in a clear failure (exit code or
 * error, naming the file or field) or the right bytes; never a success with wrong output. The cells
 * about file content run here, in process or through the CLI without Temporal; the cells other tests
 * cover are listed in docs/durability.md with their test.
 */
const tmp = makeTmpDir('wrapped-etl-fault-matrix-');
afterAll(() => tmp.cleanup());

const RUN_INPUT = { users: 6, shardSize: 2, sessionsPerUser: 3, seed: 7, catalog: ['synthetic:200'] };
const WORLD_INPUT = { name: 'w', users: 60, shardSize: 30, start: '2025-03-30', seed: 4, catalog: ['synthetic:300'] };

/** Rewrites `file` with `edit` applied to its text, checking that the edit changed something and left valid JSON. */
function editJson(file: string, edit: (text: string) => string): void {
  const before = fs.readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  expect(after.length).toBe(before.length);
  JSON.parse(after);
  fs.writeFileSync(file, after);
}

/** One flipped digit in the number after `"field":` (a flipped byte that leaves the file valid JSON). */
const flipDigit = (field: string) => (text: string) =>
  text.replace(new RegExp(`("${field}":\\s*)(\\d)`), (_, head: string, d: string) => `${head}${(Number(d) + 1) % 10}`);

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes[at] ^= 0x01;
  fs.writeFileSync(file, bytes);
}

function truncate(file: string): void {
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
}

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so the fields after its last ')'
        const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * A Wrapped through the CLI with its output folder `out` on a full disk (its _work/, the analyses, on the real
 * one): it must fail naming one of its files there and that filesystem's free space.
 */
async function wrappedOnFullDisk(out: string, args: string[], env: Record<string, string>) {
  const r = await runOnFullDisk(out, [process.execPath, BIN, ...args], { keep: ['_work'], env, cwd: tmp.dir });
  expect(r.code).not.toBe(0);
  const files = Object.values(WRAPPED_FILES).join('|').replace(/\./g, '\\.');
  expect(r.stderr).toMatch(new RegExp(`the disk is full: no space left to write ${out}/(${files}) \\(filesystem ${out}: 0\\.0 MB free`));
  return r;
}

/** What a run's manifest says of its parts (its runId aside, which names the folder). */
const manifestOf = (runDir: string) => {
  const { parts, totalRecords } = readManifest(new RunLayout(runDir).manifestPath);
  return { parts, totalRecords };
};

async function worldThrough(folder: string, through: string): Promise<string> {
  const dir = path.join(tmp.dir, folder, 'w');
  await createWorld(dir, resolveWorldInput(WORLD_INPUT));
  for (const day of daysToAdvance(dir, through)) await advanceOneDay(dir, day, dayShardsInThread);
  return dir;
}

/** A complete run made unfinished again (as if it had stopped before its manifest), with its layout. */
async function unfinishedRun(name: string): Promise<{ dir: string; layout: RunLayout }> {
  const dir = path.join(tmp.dir, 'runs', name);
  await runInProcess(dir, RUN_INPUT);
  const layout = new RunLayout(dir);
  fs.rmSync(layout.manifestPath);
  fs.rmSync(layout.successPath!, { force: true });
  return { dir, layout };
}

describe('generate', () => {
  let reference: ReturnType<typeof manifestOf>;
  beforeAll(async () => {
    const dir = path.join(tmp.dir, 'runs', 'reference');
    await runInProcess(dir, RUN_INPUT);
    reference = manifestOf(dir);
  }, 120_000);

  it("a flipped digit of a part checkpoint's records (still JSON): the shard is written again, the manifest is the clean run's", async () => {
    const { dir, layout } = await unfinishedRun('checkpoint');
    editJson(layout.partCheckpointPath(1), flipDigit('records'));
    await runInProcess(dir, RUN_INPUT);
    expect(manifestOf(dir)).toEqual(reference);
  });

  it("a truncated part before the manifest: the shard is written again, the manifest is the clean run's", async () => {
    const { dir, layout } = await unfinishedRun('truncated');
    truncate(layout.partPath(2));
    await runInProcess(dir, RUN_INPUT);
    expect(manifestOf(dir)).toEqual(reference);
  });

  it("a flipped digit of the users' checkpoint or the catalog's: recomputed, the same manifest", async () => {
    const { dir, layout } = await unfinishedRun('inputs');
    editJson(layout.usersCheckpointPath, flipDigit('users'));
    editJson(layout.catalogReportPath, flipDigit('songs'));
    await runInProcess(dir, RUN_INPUT);
    expect(manifestOf(dir)).toEqual(reference);
  });

  it("a flipped digit of the run's params (its seed): resuming fails naming the file, nothing is written", async () => {
    const { dir, layout } = await unfinishedRun('params');
    fs.rmSync(layout.partPath(0));
    editJson(layout.paramsPath, flipDigit('seed'));
    const err = await runInProcess(dir, RUN_INPUT).catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('DamagedFile');
    expect((err as Error).message).toContain(`${layout.paramsPath} is damaged: the run's params: its content hashes to`);
    expect(fs.existsSync(layout.partPath(0))).toBe(false);
  });
});

describe('world advance', () => {
  let reference: Record<string, string>;
  beforeAll(async () => {
    reference = worldDayHashes(await worldThrough('reference', '2025-04-01'), { manifests: true });
  }, 120_000);

  it("a flipped digit of a shard checkpoint's records (still JSON) of a day in progress: the shard is simulated again, the same bytes", async () => {
    const dir = await worldThrough('checkpoint', '2025-03-31');
    const day = '2025-04-01';
    await runWorldDayJob({ worldDir: dir, day, shard: 0 });
    await runWorldDayJob({ worldDir: dir, day, shard: 1 });
    editJson(new WorldLayout(dir).day(day).partCheckpointPath(1), flipDigit('records'));
    expect(await advanceOneDay(dir, day, dayShardsInThread)).toMatchObject({ written: true, shardsResumed: 1 });
    expect(worldDayHashes(dir, { manifests: true })).toEqual(reference);
  });

  it('a truncated part of a day in progress: the shard is simulated again, the same bytes', async () => {
    const dir = await worldThrough('truncated', '2025-03-31');
    const day = '2025-04-01';
    await runWorldDayJob({ worldDir: dir, day, shard: 0 });
    truncate(new WorldLayout(dir).day(day).partPath(0));
    expect(await advanceOneDay(dir, day, dayShardsInThread)).toMatchObject({ written: true, shardsResumed: 0 });
    expect(worldDayHashes(dir, { manifests: true })).toEqual(reference);
  });

  it("a flipped digit of the last complete day's shard checkpoint (still JSON): the next day fails naming it and world repair", async () => {
    const dir = await worldThrough('complete-checkpoint', '2025-03-31');
    const checkpoint = new WorldLayout(dir).day('2025-03-31').partCheckpointPath(1);
    editJson(checkpoint, flipDigit('bytes'));
    const err = await runWorldDayJob({ worldDir: dir, day: '2025-04-01', shard: 1 }).catch((e: unknown) => e as Error);
    expect((err as Error).name).toBe('DamagedFile');
    expect((err as Error).message).toContain(`${checkpoint} is damaged: the shard's checkpoint: its content hashes to`);
    expect((err as Error).message).toContain('`wrapped-etl world repair w`');
  });
});

describe('Wrapped of a world', () => {
  const FILES = ['summary.json', 'users.json', 'users.parquet', 'top-items.parquet', 'hourly.parquet', 'report.html'];
  const hashes = (dir: string) => Object.fromEntries(FILES.map((f) => [f, sha256File(path.join(dir, f))]));
  let dir: string;
  let scratch: Record<string, string>;
  beforeAll(async () => {
    dir = await worldThrough('wrapped', '2025-04-02');
    const out = path.join(tmp.dir, 'wrapped-scratch');
    await writeWorldWrapped({ worldDir: dir, outDir: out, fromScratch: true });
    scratch = hashes(out);
  }, 120_000);

  it('a part truncated, or a byte of it flipped, after a snapshot covered its day: fails naming the file and the repair; restored, the same files', async () => {
    // snapshots through the last day
    await writeWorldWrapped({ worldDir: dir, outDir: path.join(tmp.dir, 'wrapped-first') });
    const layout = new WorldLayout(dir);
    const part = layout.day('2025-03-31').partPath(1);
    const saved = fs.readFileSync(part);
    for (const damage of [truncate, (f: string) => flipByte(f, saved.length - 10)]) {
      damage(part);
      const err = await writeWorldWrapped({ worldDir: dir, outDir: path.join(tmp.dir, 'wrapped-damaged') }).catch(
        (e: unknown) => e as Error,
      );
      expect((err as Error).name).toBe('DamagedPart');
      expect((err as Error).message).toContain(`${part} is damaged: `);
      expect((err as Error).message).toContain('Repair: restore it from a copy, or write it again');
      fs.writeFileSync(part, saved);
    }
    const again = await writeWorldWrapped({ worldDir: dir, outDir: path.join(tmp.dir, 'wrapped-restored') });
    expect(again.daysRead).toBe(0);
    expect(hashes(path.join(tmp.dir, 'wrapped-restored'))).toEqual(scratch);
  });

  it('a flipped byte in a snapshot: computed again from the parts, the same files', async () => {
    await writeWorldWrapped({ worldDir: dir, outDir: path.join(tmp.dir, 'wrapped-before') });
    const snapshot = path.join(new WorldLayout(dir).wrappedDir('2025-04-02'), 'shard-00000.json.gz');
    flipByte(snapshot, Math.floor(fs.statSync(snapshot).size / 2));
    const out = path.join(tmp.dir, 'wrapped-snapshot');
    const again = await writeWorldWrapped({ worldDir: dir, outDir: out });
    // from the month-end snapshot before it (2025-03-31), which still checks
    expect(again.daysRead).toBe(2);
    expect(hashes(out)).toEqual(scratch);
  });

  it('through the CLI, a truncated part exits non-zero naming it', async () => {
    const part = new WorldLayout(dir).day('2025-04-01').partPath(0);
    const saved = fs.readFileSync(part);
    truncate(part);
    try {
      const r = await runCli(['wrapped', '--world', dir, '--out', path.join(path.dirname(dir), 'wrapped-cli')], {
        WRAPPED_ETL_DATA_ROOT: path.dirname(dir),
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`${part} is damaged`);
    } finally {
      fs.writeFileSync(part, saved);
    }
  });
  const cliEnv = () => ({ WRAPPED_ETL_DATA_ROOT: path.dirname(dir) });
  /** temporary files (a writer's .<name>.<writer>.tmp) anywhere under `root` */
  const tempFiles = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));

  it("two at once into one folder, both writing snapshots: both complete, the files are a single run's, no temp file is left", async () => {
    // no snapshot yet: both read every day, write the same snapshots and prune the same days
    fs.rmSync(path.dirname(new WorldLayout(dir).wrappedDir('2025-04-02')), { recursive: true, force: true });
    const out = path.join(path.dirname(dir), 'wrapped-twice');
    const runs = await Promise.all([0, 1].map(() => runCli(['wrapped', '--world', dir, '--out', out, '--json'], cliEnv())));
    for (const r of runs) expect(r.stderr).toBe('');
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(hashes(out)).toEqual(scratch);
    expect(tempFiles(out)).toEqual([]);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('SIGKILLed mid-way: nothing under a final name is partial; the next run reuses its snapshots, removes its temp files and writes the same files', async () => {
    fs.rmSync(path.dirname(new WorldLayout(dir).wrappedDir('2025-04-02')), { recursive: true, force: true });
    const out = path.join(path.dirname(dir), 'wrapped-killed');
    fs.mkdirSync(path.join(out, '_work'), { recursive: true });
    const child = spawn(process.execPath, [BIN, 'wrapped', '--world', dir, '--out', out], {
      env: { ...process.env, ...cliEnv() },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // killed as the first shard's analysis is being written: its snapshots are done, the other shard's and the merge are not
    const watcher = fs.watch(path.join(out, '_work'), () => child.kill('SIGKILL'));
    try {
      expect(await exited).toBe('SIGKILL');
    } finally {
      watcher.close();
    }
    expect(FILES.filter((f) => fs.existsSync(path.join(out, f)))).toEqual([]);
    const again = await runCli(['wrapped', '--world', dir, '--out', out, '--json'], cliEnv());
    expect(again.code).toBe(0);
    // the first shard's snapshot of the last day, left by the killed run, stands for every day read
    expect(JSON.parse(again.stdout)).toMatchObject({ daysRead: 0 });
    expect(hashes(out)).toEqual(scratch);
    expect(tempFiles(out)).toEqual([]);
    expect(tempFiles(dir)).toEqual([]);
  });

  it('on a full disk: fails naming the file and its filesystem, writes nothing there; with space, the same files', async (ctx) => {
    const unavailable = fullDiskUnavailable();
    if (unavailable) return ctx.skip(unavailable);
    const out = path.join(path.dirname(dir), 'wrapped-full');
    // the output folder on a full tmpfs, its _work/ (the shards' analyses) on the real disk
    const r = await wrappedOnFullDisk(out, ['wrapped', '--world', dir, '--out', out], cliEnv());
    expect(r.left).toEqual([]);
    expect(tempFiles(out)).toEqual([]);
    const again = await runCli(['wrapped', '--world', dir, '--out', out], cliEnv());
    expect(again.code).toBe(0);
    expect(hashes(out)).toEqual(scratch);
  });
});

describe('Wrapped of a run and export', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = path.join(tmp.dir, 'data', 'r');
    await runInProcess(runDir, RUN_INPUT);
  }, 120_000);

  it("Wrapped of a run: a truncated part fails its part's analysis naming the file (and an earlier analysis of it is not reused)", async () => {
    const dataset = await openRunAt(runDir);
    const ref = dataset.parts[1];
    const partialPath = path.join(tmp.dir, 'partial-1.json');
    const job = { runDir, ref, part: 'part-00001', partialPath };
    expect(await runWrappedPartJob(job)).toMatchObject({ reused: false });
    const file = path.join(runDir, ref.key);
    const saved = fs.readFileSync(file);
    truncate(file);
    try {
      const err = await runWrappedPartJob(job).catch((e: unknown) => e as Error);
      expect((err as Error).name).toBe('DamagedPart');
      expect((err as Error).message).toContain(`${file} is damaged: it is ${Math.floor(saved.length / 2)} bytes`);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });

  it("Wrapped of a run: a part's partial analysis whose body changed but still decodes: analysed again, the same partial", async () => {
    const dataset = await openRunAt(runDir);
    const partialPath = path.join(tmp.dir, 'partial-0.bin');
    const job = { runDir, ref: dataset.parts[0], part: 'part-00000', partialPath };
    await runWrappedPartJob(job);
    const clean = fs.readFileSync(partialPath);
    // its header line kept, its body (V8-serialised) with one more record: what a flipped byte that still decodes leaves
    const newline = clean.indexOf(0x0a) + 1;
    const body = v8.deserialize(clean.subarray(newline)) as { records: number };
    fs.writeFileSync(partialPath, Buffer.concat([clean.subarray(0, newline), v8.serialize({ ...body, records: body.records + 1 })]));
    expect(await runWrappedPartJob(job)).toMatchObject({ reused: false });
    expect(fs.readFileSync(partialPath).equals(clean)).toBe(true);
  });

  describe('Wrapped of a run through the CLI (embedded: its own dev server on free ports, kept under the temporary folder)', () => {
    const OUTPUTS: string[] = Object.values(WRAPPED_FILES);
    const hashes = (dir: string) => Object.fromEntries(OUTPUTS.map((f) => [f, sha256File(path.join(dir, f))]));
    const tempFiles = (root: string) => (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));
    const env = () => ({ WRAPPED_ETL_DATA_ROOT: tmp.dir });
    const wrappedArgs = async (out: string) => [
      'wrapped',
      runDir,
      '--out',
      out,
      '--port',
      String(await freePort()),
      '--ui-port',
      String(await freePort()),
    ];
    const wrapped = async (out: string) => runCli(await wrappedArgs(out), env(), { cwd: tmp.dir });
    let single: Record<string, string>;
    beforeAll(async () => {
      const out = path.join(tmp.dir, 'wrapped-run-single');
      expect((await wrapped(out)).code).toBe(0);
      single = hashes(out);
    }, 120_000);

    it("two at once into one folder: both complete, the files are a single run's, no temp file is left", async () => {
      const out = path.join(tmp.dir, 'wrapped-run-twice');
      const runs = await Promise.all([wrapped(out), wrapped(out)]);
      expect(runs.map((r) => r.code)).toEqual([0, 0]);
      expect(hashes(out)).toEqual(single);
      expect(tempFiles(out)).toEqual([]);
    });

    it("SIGKILLed mid-way: no output under a final name; the next run writes a single run's files and removes the temp files", async () => {
      const out = path.join(tmp.dir, 'wrapped-run-killed');
      fs.mkdirSync(path.join(out, '_work'), { recursive: true });
      const child = spawn(process.execPath, [BIN, ...(await wrappedArgs(out))], {
        cwd: tmp.dir,
        env: { ...process.env, ...env() },
        stdio: 'ignore',
      });
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      // its dev server runs in its own process group and outlives a SIGKILLed CLI: ended here once the test is done
      let server: number | undefined;
      const watcher = fs.watch(path.join(out, '_work'), () => {
        server ??= childrenOf(child.pid!)[0];
        child.kill('SIGKILL');
      });
      try {
        expect(await exited).toBe('SIGKILL');
        expect(OUTPUTS.filter((f) => fs.existsSync(path.join(out, f)))).toEqual([]);
      } finally {
        watcher.close();
        if (server) process.kill(-server, 'SIGKILL');
      }
      expect((await wrapped(out)).code).toBe(0);
      expect(hashes(out)).toEqual(single);
      expect(tempFiles(out)).toEqual([]);
    });

    it("on a full disk: fails at once naming the file and its filesystem, leaves nothing there; with space, a single run's files", async (ctx) => {
      const unavailable = fullDiskUnavailable();
      if (unavailable) return ctx.skip(unavailable);
      const out = path.join(tmp.dir, 'wrapped-run-full');
      // the output folder on a full tmpfs, its _work/ (the parts' analyses) on the real disk
      const r = await wrappedOnFullDisk(out, await wrappedArgs(out), env());
      expect(r.stderr).toContain('then run the same `wrapped-etl wrapped` again');
      expect(r.left).toEqual([]);
      expect((await wrapped(out)).code).toBe(0);
      expect(hashes(out)).toEqual(single);
      expect(tempFiles(out)).toEqual([]);
    });
  });

  it('export: a truncated part exits non-zero naming it, writing no export', async () => {
    const file = new RunLayout(runDir).partPath(0);
    const saved = fs.readFileSync(file);
    truncate(file);
    const out = path.join(tmp.dir, 'all.zip');
    try {
      const r = await runCli(['export', runDir, '--format', 'spotify-extended', '--out', out], { WRAPPED_ETL_DATA_ROOT: tmp.dir });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`${file} is damaged`);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      fs.writeFileSync(file, saved);
    }
  });

  it('export: two at once into one zip: each ends in the whole zip or a refusal, never a torn file or a leftover', async () => {
    const single = path.join(tmp.dir, 'single.zip');
    const both = path.join(tmp.dir, 'both.zip');
    const args = (out: string) => ['export', runDir, '--format', 'spotify-extended', '--out', out];
    expect((await runCli(args(single), { WRAPPED_ETL_DATA_ROOT: tmp.dir })).code).toBe(0);
    const runs = await Promise.all([0, 1].map(() => runCli(args(both), { WRAPPED_ETL_DATA_ROOT: tmp.dir })));
    for (const r of runs) if (r.code !== 0) expect(r.stderr).toMatch(/both\.zip/);
    expect(runs.some((r) => r.code === 0)).toBe(true);
    expect(fs.readFileSync(both).equals(fs.readFileSync(single))).toBe(true);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.includes('both.zip') && f !== 'both.zip')).toEqual([]);
  });

  it('export to a full disk (stdout on /dev/full): exits non-zero saying so', async (ctx) => {
    if (!fs.existsSync('/dev/full')) ctx.skip(true, 'no /dev/full on this system');
    const r = await runCli(
      ['export', runDir, '--format', 'spotify-extended', '--user', '1', '--out', '-'],
      { WRAPPED_ETL_DATA_ROOT: tmp.dir },
      { stdoutFile: '/dev/full' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ENOSPC|no space left/i);
  });
});
