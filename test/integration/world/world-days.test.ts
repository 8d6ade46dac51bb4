import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readContainer } from '../../../src/formats/avro/read-container';
import { sha256File } from '../../../src/runtime/atomic-file';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { runWorldDayJob } from '../../../src/pipeline/world-day-job';
import { dayStartMs } from '../../../src/domain/days';
import { resolveWorldInput } from '../../../src/config/world-input';
import { readManifest } from '../../../src/pipeline/manifest';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance, worldStatus } from '../../../src/pipeline/world-store';
import { DAY_MS } from '../../../src/domain/time-units';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { dayShardsInThread } from '../../helpers/world-files';

const tmp = makeTmpDir('wrapped-etl-world-');
afterAll(() => tmp.cleanup());

const input = { name: 'w', users: 120, shardSize: 50, start: '2025-03-28', seed: 7, catalog: ['synthetic:800'] };

async function newWorld(folder: string): Promise<string> {
  const dir = path.join(tmp.dir, folder, 'w');
  await createWorld(dir, resolveWorldInput(input));
  return dir;
}

/** Every file of every day partition of the world's AVRO dataset (avro/dt=*), relative path -> sha256. */
function partitionHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const avroDir = new WorldLayout(dir).formatDir('avro');
  for (const day of new WorldLayout(dir).completeDays()) {
    const dayDir = path.join(avroDir, `dt=${day}`);
    for (const f of fs.readdirSync(dayDir)) out[`dt=${day}/${f}`] = sha256File(path.join(dayDir, f));
  }
  return out;
}

describe('a world advanced day by day', () => {
  it('gives byte-identical partitions whether advanced one day at a time or all at once', async () => {
    const one = await newWorld('one');
    const all = await newWorld('all');
    for (let i = 0; i < 5; i++) {
      const [day] = daysToAdvance(one, daysToAdvance(one, '2025-12-31')[0]);
      expect((await advanceOneDay(one, day, dayShardsInThread)).written).toBe(true);
    }
    for (const day of daysToAdvance(all, '2025-04-01')) await advanceOneDay(all, day, dayShardsInThread);
    const a = partitionHashes(one);
    expect(Object.keys(a)).toHaveLength(5 * 3);
    expect(partitionHashes(all)).toEqual(a);
    expect(worldStatus(one, '2025-04-03')).toMatchObject({ lastCompleteDay: '2025-04-01', daysComplete: 5, daysBehind: 2, users: 120 });
  });

  it('keeps every event within its day, carries listener memory across days, and never rewrites a day', async () => {
    const dir = path.join(tmp.dir, 'one', 'w');
    const layout = new WorldLayout(dir);
    const seenBefore = new Map<number, Set<string>>();
    let replayedFromEarlierDays = 0;
    for (const day of layout.completeDays()) {
      const start = dayStartMs(day);
      for (const part of readManifest(layout.day(day).manifestPath).parts) {
        for await (const r of readContainer<ListeningRecord>(layout.day(day).pathOf(part.file))) {
          expect(r.listening_time.start_time).toBeGreaterThanOrEqual(start);
          expect(r.listening_time.end_time).toBeLessThanOrEqual(start + DAY_MS);
          const key = `${r.artist}\u0001${r.song_name}`;
          if (seenBefore.get(r.user_id)?.has(`${key}\u0002past`)) replayedFromEarlierDays++;
          let seen = seenBefore.get(r.user_id);
          if (!seen) seenBefore.set(r.user_id, (seen = new Set()));
          seen.add(key);
        }
      }
      for (const seen of seenBefore.values()) for (const k of [...seen]) if (!k.endsWith('\u0002past')) seen.add(`${k}\u0002past`);
    }
    expect(replayedFromEarlierDays).toBeGreaterThan(100);

    const before = partitionHashes(dir);
    const again = await advanceOneDay(dir, '2025-03-30', dayShardsInThread);
    expect(again).toMatchObject({ written: false });
    expect(partitionHashes(dir)).toEqual(before);
  });

  it('resumes a day that failed halfway from the shards it had finished', async () => {
    const one = path.join(tmp.dir, 'one', 'w');
    const crashed = path.join(tmp.dir, 'all', 'w');
    const day = '2025-04-02';
    await runWorldDayJob({ worldDir: crashed, day, shard: 1 });
    // a torn write of shard 2: a part file without its checkpoint
    fs.writeFileSync(new WorldLayout(crashed).day(day).partPath(2), 'torn');
    const outcome = await advanceOneDay(crashed, day, dayShardsInThread);
    expect(outcome).toMatchObject({ written: true, shardsResumed: 1 });
    await advanceOneDay(one, day, dayShardsInThread);
    expect(partitionHashes(crashed)).toEqual(partitionHashes(one));
  });
});
