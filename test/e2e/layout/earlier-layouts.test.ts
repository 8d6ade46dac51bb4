import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realismOfRun } from '../../../src/analytics/realism/run-realism';
import { profileRun } from '../../../src/analytics/profile/run-profile';
import { writeWorldWrapped } from '../../../src/analytics/wrapped/world-wrapped';
import { readManifest } from '../../../src/pipeline/manifest';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { worldStatus } from '../../../src/pipeline/world-store';
import { sha256File } from '../../../src/runtime/atomic-file';
import { dayEventsInOrder } from '../../../src/stream/day-events';
import {
  ADVANCE_WORLD,
  ANALYZE_DATASET,
  CREATE_WORLD,
  type AdvanceWorldWorkflow,
  type AnalyzeDatasetWorkflow,
  type CreateWorldWorkflow,
  type GenerationResult,
} from '../../../workflows/contracts';
import { runCli } from '../../helpers/cli-process';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { worldDayHashes } from '../../helpers/world-files';

/**
 * Runs and worlds written before the engine-ready layout (test/fixtures/legacy-layout, written by
 * commit b297936: parts and manifest.json at a run's root, a world's days as dt=YYYY-MM-DD/ folders)
 * still resume, advance, analyse, export and stream, keeping their layout, with the same bytes and
 * figures as a run or world of this version made from the same input.
 */
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'legacy-layout');
const TASK_QUEUE = 'e2e-earlier-layouts';
/** the input the fixtures were written with */
const RUN_INPUT = {
  users: 6,
  shardSize: 3,
  sessionsPerUser: 2,
  seed: 5,
  catalog: ['synthetic:40'],
  from: '2025-01-01',
  to: '2025-01-31',
  format: ['avro', 'parquet'],
  schemaVersion: 2,
};
const WORLD_INPUT = {
  name: 'legacy-world',
  users: 4,
  shardSize: 2,
  start: '2025-03-01',
  seed: 5,
  catalog: ['synthetic:40'],
  format: ['avro', 'parquet'],
  schemaVersion: 2,
};

/** sha256 of every file under `dir`, by relative path */
const filesOf = (dir: string) =>
  Object.fromEntries(
    (fs.readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => [f, sha256File(path.join(dir, f))]),
  );

/** a Wrapped summary without the folder it names */
const summaryOf = (file: string) => ({ ...JSON.parse(fs.readFileSync(file, 'utf8')), runDir: undefined });

describe('runs and worlds of earlier versions (flat layout)', () => {
  let stack: GenerationStack;
  let legacyRun: string;
  let legacyWorld: string;
  let current: GenerationResult;
  let currentWorld: string;
  const workflow = () => stack.env.client.workflow;
  const analyze = (workflowId: string, input: object) =>
    workflow().execute<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, { taskQueue: TASK_QUEUE, workflowId, args: [input as never] });
  const advance = (workflowId: string, input: object) =>
    workflow().execute<AdvanceWorldWorkflow>(ADVANCE_WORLD, { taskQueue: TASK_QUEUE, workflowId, args: [input as never] });

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE });
    legacyRun = path.join(stack.dataRoot, 'data', 'legacy-run');
    legacyWorld = path.join(stack.dataRoot, 'data', 'legacy-world');
    fs.cpSync(path.join(FIXTURES, 'legacy-run'), legacyRun, { recursive: true });
    fs.cpSync(path.join(FIXTURES, 'legacy-world'), legacyWorld, { recursive: true });
    // the same input in this version's layout, under another folder (same run and world names)
    current = await stack.generate('current-run', { ...RUN_INPUT, out: 'now', runId: 'legacy-run' });
    await workflow().execute<CreateWorldWorkflow>(CREATE_WORLD, {
      taskQueue: TASK_QUEUE,
      workflowId: 'current-world',
      args: [{ ...WORLD_INPUT, out: 'now' } as never],
    });
    await advance('current-world-advance', { world: 'legacy-world', out: 'now', days: 3 });
    currentWorld = path.join(stack.dataRoot, 'now', 'legacy-world');
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('are found flat, and this version writes the engine-ready layout', () => {
    expect(new RunLayout(legacyRun).style).toBe('flat');
    expect(new RunLayout(legacyRun).manifestPath).toBe(path.join(legacyRun, 'manifest.json'));
    expect(new WorldLayout(legacyWorld).style).toBe('flat');
    expect(new WorldLayout(legacyWorld).completeDays()).toEqual(['2025-03-01', '2025-03-02']);
    expect(current.manifest).toBe(path.join(current.outDir, '_manifest.json'));
    expect(fs.readdirSync(current.outDir).sort()).toEqual(['_SUCCESS', '_manifest.json', '_work', 'avro', 'parquet']);
    expect(fs.readdirSync(currentWorld).sort()).toEqual(['_days', '_state', '_work', 'avro', 'parquet', 'world.json']);
    // the parts are the same bytes in either layout
    const sums = (m: string) => readManifest(m).parts.map((p) => [p.sha256, p.parquet?.sha256]);
    expect(sums(current.manifest)).toEqual(sums(path.join(legacyRun, 'manifest.json')));
  });

  it('resumes a run stopped halfway flat, to the bytes the earlier version wrote', async () => {
    const dir = path.join(stack.dataRoot, 'data', 'legacy-resumed');
    fs.cpSync(path.join(FIXTURES, 'legacy-run'), dir, { recursive: true });
    // what a run stopped after its first shard left: no second part, no manifest
    const params = JSON.parse(fs.readFileSync(path.join(dir, '_work', 'params.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, '_work', 'params.json'), JSON.stringify({ ...params, runId: 'legacy-resumed' }, null, 2) + '\n');
    for (const f of ['part-00001.avro', 'part-00001.parquet', 'manifest.json', '_work/parts/part-00001.json']) fs.rmSync(path.join(dir, f));
    const resumed = await stack.generate('legacy-resume', { resume: 'legacy-resumed' });
    expect(resumed.outDir).toBe(dir);
    expect(resumed.manifest).toBe(path.join(dir, 'manifest.json'));
    expect(fs.existsSync(path.join(dir, 'avro'))).toBe(false);
    expect(fs.existsSync(path.join(dir, '_SUCCESS'))).toBe(false);
    const parts = ['part-00000.avro', 'part-00000.parquet', 'part-00001.avro', 'part-00001.parquet'];
    const original = filesOf(legacyRun);
    const now = filesOf(dir);
    for (const f of parts) expect(now[f]).toBe(original[f]);
    expect(readManifest(resumed.manifest).parts).toEqual(readManifest(path.join(legacyRun, 'manifest.json')).parts);
  });

  it('analyses a flat run as it analyses the same run in this layout: wrapped, realism, profile, export', async () => {
    const flat = await analyze('legacy-wrapped', { run: 'data/legacy-run', out: 'wrapped-flat', user: 2 });
    const now = await analyze('current-wrapped', { run: 'now/legacy-run', out: 'wrapped-now', user: 2 });
    expect(flat.records).toBeGreaterThan(0);
    // the same files, but for the folder the summary names
    const outputs = (dir: string) =>
      Object.fromEntries(Object.entries(filesOf(dir)).filter(([f]) => !f.startsWith('_work') && f !== 'summary.json'));
    const [flatDir, nowDir] = [path.join(stack.dataRoot, 'wrapped-flat'), path.join(stack.dataRoot, 'wrapped-now')];
    expect(outputs(flatDir)).toEqual(outputs(nowDir));
    expect(Object.keys(outputs(flatDir))).toEqual(['hourly.parquet', 'report.html', 'top-items.parquet', 'users.json', 'users.parquet']);
    expect(summaryOf(path.join(flatDir, 'summary.json'))).toEqual(summaryOf(path.join(nowDir, 'summary.json')));
    expect(now.records).toBe(flat.records);

    const [flatRealism, nowRealism] = [await realismOfRun(legacyRun), await realismOfRun(current.outDir)];
    expect({ ...flatRealism, runDir: undefined }).toEqual({ ...nowRealism, runDir: undefined });
    const [flatProfile, nowProfile] = [await profileRun(legacyRun), await profileRun(current.outDir)];
    expect(flatProfile.perUser).toHaveLength(6);
    expect({ ...flatProfile, runDir: undefined }).toEqual({ ...nowProfile, runDir: undefined });

    const zips: string[] = [];
    for (const [run, zip] of [
      [legacyRun, 'flat.zip'],
      [current.outDir, 'now.zip'],
    ]) {
      const out = path.join(stack.dataRoot, zip);
      const r = await runCli(['export', run, '--format', 'spotify-extended', '--out', out, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ users: 6 });
      zips.push(sha256File(out));
    }
    expect(zips[0]).toBe(zips[1]);
  });

  it('advances a flat world flat, to the bytes a world of this version writes, and reads its days for Wrapped and streams', async () => {
    const advanced = await advance('legacy-world-advance', { world: 'legacy-world', out: 'data', days: 1 });
    expect(advanced).toMatchObject({ first: '2025-03-03', last: '2025-03-03', days: 1 });
    expect(fs.existsSync(path.join(legacyWorld, 'dt=2025-03-03', 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(legacyWorld, 'avro'))).toBe(false);
    expect(fs.existsSync(path.join(legacyWorld, '_days'))).toBe(false);
    expect(worldStatus(legacyWorld, '2025-03-03')).toMatchObject({ daysComplete: 3, lastCompleteDay: '2025-03-03', daysBehind: 0 });
    const hashes = worldDayHashes(currentWorld);
    expect(Object.keys(hashes)).toHaveLength(3 * 2);
    expect(worldDayHashes(legacyWorld)).toEqual(hashes);

    // Wrapped of the world, and the stream's reading of each day (the stream itself: test/e2e/stream)
    const flat = await writeWorldWrapped({ worldDir: legacyWorld, outDir: path.join(stack.dataRoot, 'world-wrapped-flat') });
    const now = await writeWorldWrapped({ worldDir: currentWorld, outDir: path.join(stack.dataRoot, 'world-wrapped-now') });
    expect(flat).toMatchObject({ through: '2025-03-03', daysRead: 3 });
    expect(summaryOf(flat.files.summary)).toEqual(summaryOf(now.files.summary));
    expect(sha256File(flat.files.users)).toBe(sha256File(now.files.users));
    for (const day of ['2025-03-01', '2025-03-02', '2025-03-03']) {
      const events = await dayEventsInOrder(new WorldLayout(legacyWorld), day);
      expect(events.length).toBeGreaterThan(0);
      expect(events).toEqual(await dayEventsInOrder(new WorldLayout(currentWorld), day));
    }
  });
});
