import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { PlaybackContextDeriver } from '../../../src/simulation/playback-context';
import { flattenListeningRecord, listeningParquetColumns } from '../../../src/formats/parquet/listening-parquet';
import { ParquetFileWriter } from '../../../src/formats/parquet/parquet-file-writer';
import { SeededRandom } from '../../../src/simulation/seeded-random';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { makeTmpDir } from '../../helpers/tmp-dir';

function* syntheticRecords(n: number): Generator<ListeningRecord & { session: number }> {
  const rng = new SeededRandom(3, 'parquet-writer-test');
  for (let i = 0; i < n; i++) {
    const start = 1_735_689_600_000 + i * 200_000;
    yield {
      user_id: 1 + Math.floor(i / 500), user_location: { latitude: rng.uniform(-60, 60), longitude: rng.uniform(-170, 170), country: rng.pick(['SE', 'NO', 'JP']), city: `City ${rng.int(1, 50)}`, timezone: 'Europe/Oslo' },
      interaction: rng.pick(['played', 'skipped', 'paused']), song_name: `Song ${rng.int(1, 900)} ✓`, artist: `Artist ${rng.int(1, 90)}`, genre: rng.pick(['pop', 'rock']),
      year: rng.int(1960, 2025), popularity: rng.int(0, 100), danceability: rng.next(), energy: rng.next(), length_seconds: rng.int(90, 400),
      listening_time: { start_time: start, end_time: start + rng.int(2000, 300_000) }, personality: 'The nomad', session: Math.floor(i / 40),
    };
  }
}

async function write(file: string, rows: Iterable<Record<string, unknown>>, fastPath: boolean, version: 1 | 2): Promise<void> {
  const w = await ParquetFileWriter.open(file, listeningParquetColumns(version), { fastPath, rowGroupSize: 10_000 });
  for (const row of rows) await w.append(row);
  await w.commit();
}

describe('Parquet writer (parquetjs-lite with a flat fast path)', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());

  it('writes byte-identical files with and without the fast path, v1 and v2 columns', async () => {
    const v1 = [...syntheticRecords(12_345)].map(flattenListeningRecord);
    const deriver = new PlaybackContextDeriver(3);
    const v2 = [...syntheticRecords(12_345)].map((r, i) => flattenListeningRecord({ ...r, ...deriver.next(r, r.session), session_id: i % 7 === 0 ? null : `u${r.user_id}-s${r.session}` }));
    for (const [version, rows] of [[1, v1], [2, v2]] as const) {
      const fast = path.join(tmp.dir, `fast-v${version}.parquet`);
      const slow = path.join(tmp.dir, `slow-v${version}.parquet`);
      await write(fast, rows, true, version);
      await write(slow, rows, false, version);
      expect(fs.readFileSync(fast).equals(fs.readFileSync(slow))).toBe(true);
    }
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const [row] = (await c.runAndReadAll(`select count(*)::int n, count(session_id)::int sessions, sum(year)::int year_sum, max(song_name) song
      from read_parquet('${path.join(tmp.dir, 'fast-v2.parquet')}')`)).getRowObjectsJson();
    expect(row).toEqual({
      n: 12_345, sessions: v2.filter((r) => r.session_id !== null).length, year_sum: v1.reduce((s, r) => s + (r.year as number), 0),
      song: v1.map((r) => r.song_name as string).sort().pop(),
    });
  });

  it('says which required column is missing, and leaves no file behind on abort', async () => {
    const file = path.join(tmp.dir, 'broken.parquet');
    const w = await ParquetFileWriter.open(file, listeningParquetColumns(1));
    const [first, second] = [...syntheticRecords(2)].map(flattenListeningRecord);
    await w.append(first);
    expect(() => w.append({ ...second, artist: null })).toThrow(/missing required field: artist/);
    expect(fs.existsSync(file)).toBe(false);
    w.abort();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('broken'))).toEqual([]);
  });
});
