import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorldWrapped } from '../../../src/analytics/wrapped/world-wrapped';
import { resolveWorldInput } from '../../../src/config/world-input';
import { runWorldDayJob } from '../../../src/pipeline/world-day-job';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { sha256File } from '../../../src/runtime/atomic-file';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('wrapped-etl-world-wrapped-');
const worldDir = path.join(tmp.dir, 'data', 'w');
const FILES = ['summary.json', 'users.json', 'users.parquet', 'top-items.parquet', 'hourly.parquet', 'report.html'];
const hashes = (dir: string) => Object.fromEntries(FILES.map((f) => [f, sha256File(path.join(dir, f))]));

beforeAll(async () => {
  await createWorld(
    worldDir,
    resolveWorldInput({ name: 'w', users: 80, shardSize: 30, start: '2025-01-25', seed: 3, catalog: ['synthetic:700'] }),
  );
  for (const day of daysToAdvance(worldDir, '2025-02-07')) {
    await advanceOneDay(worldDir, day, async (jobs) => {
      const out = [];
      for (const job of jobs) out.push(await runWorldDayJob(job));
      return out;
    });
  }
}, 300_000);
afterAll(() => tmp.cleanup());

describe('continuous Wrapped of a world', () => {
  it('after day 14, from snapshots and one more day, equals Wrapped over the 14 partitions from scratch', async () => {
    const week = await writeWorldWrapped({ worldDir, through: '2025-01-31', outDir: path.join(tmp.dir, 'week') });
    expect(week.daysRead).toBe(7);
    const day13 = await writeWorldWrapped({ worldDir, through: '2025-02-06', outDir: path.join(tmp.dir, 'day13') });
    expect(day13.daysRead).toBe(6);
    const incremental = await writeWorldWrapped({ worldDir, outDir: path.join(tmp.dir, 'incremental') });
    expect(incremental).toMatchObject({ through: '2025-02-07', daysRead: 1, users: 80 });
    const scratch = await writeWorldWrapped({ worldDir, through: '2025-02-07', outDir: path.join(tmp.dir, 'scratch'), fromScratch: true });
    expect(scratch.daysRead).toBe(14);
    expect(hashes(path.join(tmp.dir, 'incremental'))).toEqual(hashes(path.join(tmp.dir, 'scratch')));

    const summary = JSON.parse(fs.readFileSync(path.join(tmp.dir, 'scratch', 'summary.json'), 'utf8'));
    const days = fs.readdirSync(path.join(worldDir, '_days')).filter((d) => d.startsWith('dt='));
    expect(days).toHaveLength(14);
    const recordsInParts = days.reduce(
      (n, d) => n + JSON.parse(fs.readFileSync(path.join(worldDir, '_days', d, '_manifest.json'), 'utf8')).totalRecords,
      0,
    );
    expect(summary.global.records).toBe(recordsInParts);

    // the card user's timeline: the end of January and the last day
    expect(incremental.timeline.map((p) => p.day)).toEqual(['2025-01-31', '2025-02-07']);
    expect(incremental.timeline[0].top_songs.length).toBeGreaterThan(0);
    const report = fs.readFileSync(incremental.files.report, 'utf8');
    expect(report).toContain('id="timeline"');
    expect(report).toContain('data-day="2025-01-31"');
    // a month-end snapshot stays; the others before the last are dropped
    expect(fs.readdirSync(path.join(worldDir, '_wrapped')).sort()).toEqual(['dt=2025-01-31', 'dt=2025-02-07']);
  });
});
