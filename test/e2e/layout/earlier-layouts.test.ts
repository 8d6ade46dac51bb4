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
import { dayMessagesInOrder } from '../../../src/stream/day-events';
import { singleObjectFraming } from '../../../src/formats/avro/message-framing';
import { schemaType } from '../../../src/formats/avro/schemas';
import { listeningHistorySchemaFile } from '../../../src/formats/listening-history-versions';
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
    // the fixtures were written by an earlier simulation too, so this version's parts are compared by place, not bytes
    expect(readManifest(current.manifest).parts.map((p) => p.file)).toEqual(['avro/part-00000.avro', 'avro/part-00001.avro']);
  });

  it('resumes a run stopped halfway flat, keeping the part the earlier version wrote', async () => {
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
    for (const f of parts.slice(0, 2)) expect(now[f]).toBe(original[f]);
    const manifestParts = readManifest(resumed.manifest).parts;
    expect(manifestParts[0]).toEqual(readManifest(path.join(legacyRun, 'manifest.json')).parts[0]);
    expect(manifestParts.map((p) => [p.sha256, p.parquet?.sha256])).toEqual([
      [now['part-00000.avro'], now['part-00000.parquet']],
      [now['part-00001.avro'], now['part-00001.parquet']],
    ]);
  });

  it('analyses a flat run: wrapped, realism, profile and export read every record it holds', async () => {
    const flat = await analyze('legacy-wrapped', { run: 'data/legacy-run', out: 'wrapped-flat', user: 2 });
    const now = await analyze('current-wrapped', { run: 'now/legacy-run', out: 'wrapped-now', user: 2 });
    // the fixtures come from an earlier simulation: each layout's run is checked against its own manifest
    expect(flat.records).toBe(readManifest(path.join(legacyRun, 'manifest.json')).totalRecords);
    expect(now.records).toBe(readManifest(current.manifest).totalRecords);
    const outputs = (dir: string) =>
      Object.fromEntries(Object.entries(filesOf(dir)).filter(([f]) => !f.startsWith('_work') && f !== 'summary.json'));
    const [flatDir, nowDir] = [path.join(stack.dataRoot, 'wrapped-flat'), path.join(stack.dataRoot, 'wrapped-now')];
    expect(Object.keys(outputs(flatDir))).toEqual(['hourly.parquet', 'report.html', 'top-items.parquet', 'users.json', 'users.parquet']);
    expect(Object.keys(outputs(nowDir))).toEqual(Object.keys(outputs(flatDir)));

    const [flatRealism, nowRealism] = [await realismOfRun(legacyRun), await realismOfRun(current.outDir)];
    expect(Object.keys(flatRealism).sort()).toEqual(Object.keys(nowRealism).sort());
    const [flatProfile, nowProfile] = [await profileRun(legacyRun), await profileRun(current.outDir)];
    expect(flatProfile.perUser).toHaveLength(6);
    expect(nowProfile.perUser).toHaveLength(6);

    // every stream of each run is exported, whichever layout holds it
    for (const [run, manifest, zip] of [
      [legacyRun, path.join(legacyRun, 'manifest.json'), 'flat.zip'],
      [current.outDir, current.manifest, 'now.zip'],
    ]) {
      const r = await runCli(['export', run, '--format', 'spotify-extended', '--out', path.join(stack.dataRoot, zip), '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ users: 6, streams: readManifest(manifest).totalRecords });
    }
  });

  it('advances a flat world flat, and reads its days for Wrapped and streams', async () => {
    const advanced = await advance('legacy-world-advance', { world: 'legacy-world', out: 'data', days: 1 });
    expect(advanced).toMatchObject({ first: '2025-03-03', last: '2025-03-03', days: 1 });
    expect(fs.existsSync(path.join(legacyWorld, 'dt=2025-03-03', 'manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(legacyWorld, 'avro'))).toBe(false);
    expect(fs.existsSync(path.join(legacyWorld, '_days'))).toBe(false);
    expect(worldStatus(legacyWorld, '2025-03-03')).toMatchObject({ daysComplete: 3, lastCompleteDay: '2025-03-03', daysBehind: 0 });
    const hashes = worldDayHashes(currentWorld);
    expect(Object.keys(hashes)).toHaveLength(3 * 2);
    expect(Object.keys(worldDayHashes(legacyWorld))).toEqual(Object.keys(hashes));

    // Wrapped of the world, and the stream's reading of each day (the stream itself: test/e2e/stream)
    const flat = await writeWorldWrapped({ worldDir: legacyWorld, outDir: path.join(stack.dataRoot, 'world-wrapped-flat') });
    const now = await writeWorldWrapped({ worldDir: currentWorld, outDir: path.join(stack.dataRoot, 'world-wrapped-now') });
    expect(flat).toMatchObject({ through: '2025-03-03', daysRead: 3 });
    expect(now).toMatchObject({ through: '2025-03-03', daysRead: 3 });
    const type = schemaType(listeningHistorySchemaFile(1));
    const framing = singleObjectFraming(type);
    for (const day of ['2025-03-01', '2025-03-02', '2025-03-03']) {
      const legacy = await dayMessagesInOrder(new WorldLayout(legacyWorld), day, type, framing);
      const now = await dayMessagesInOrder(new WorldLayout(currentWorld), day, type, framing);
      expect(legacy.count).toBeGreaterThan(0);
      expect(now.count).toBeGreaterThan(0);
    }
  });
});
