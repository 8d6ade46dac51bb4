import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePart, WRAPPED_FIELDS } from '../../../src/analytics/wrapped/analyze-part';
import { partColumns } from '../../../src/dataset/part-ref';
import { writePartial } from '../../../src/analytics/wrapped/part-job';
import { resolveWrappedInput } from '../../../src/config/wrapped-input';
import type { UserWrapped, WrappedSummary } from '../../../src/analytics/wrapped/wrapped-types';
import { writeWrapped } from '../../../src/analytics/wrapped/write-wrapped';
import { AvroContainerWriter } from '../../../src/formats/avro/container-writer';
import { LISTENING_HISTORY_SCHEMA, schemaType } from '../../../src/formats/avro/schemas';
import type { Interaction, ListeningRecord } from '../../../src/domain/listening-record';
import { makeTmpDir } from '../../helpers/tmp-dir';

const SE = { latitude: 59.33, longitude: 18.07, country: 'SE', city: 'Stockholm', timezone: 'Europe/Stockholm' };
const US = { latitude: 40.71, longitude: -74.01, country: 'US', city: 'New York', timezone: 'America/New_York' };
const JP = { latitude: 35.68, longitude: 139.69, country: 'JP', city: 'Tokyo', timezone: 'Asia/Tokyo' };

function rec(
  user: number,
  loc: typeof SE,
  artist: string,
  song: string,
  genre: string,
  interaction: Interaction,
  startIso: string,
  ms: number,
): ListeningRecord {
  const start = Date.parse(startIso);
  return {
    user_id: user,
    user_location: loc,
    interaction,
    song_name: song,
    artist,
    genre,
    year: 2020,
    popularity: 50,
    danceability: 0.5,
    energy: 0.5,
    length_seconds: 200,
    listening_time: { start_time: start, end_time: start + ms },
    personality: user === 1 ? 'The replayer' : 'The nomad',
  };
}

// hours in the comments are local clock hours
const RECORDS = [
  rec(1, SE, 'A', 'a', 'pop', 'played', '2025-01-10T19:00:00Z', 180_000), // 20 (UTC+1)
  rec(1, SE, 'A', 'a', 'pop', 'played', '2025-01-10T19:03:00Z', 180_000), // 20
  rec(1, SE, 'B', 'b', 'pop', 'skipped', '2025-01-10T19:06:00Z', 10_000), // 20
  rec(1, SE, 'C', 'c', 'rock', 'repeated', '2025-07-10T06:30:00Z', 400_000), // 08 (summer time, UTC+2)
  rec(1, SE, 'B', 'b2', 'pop', 'played', '2025-07-10T06:37:00Z', 200_000), // 08
  rec(2, US, 'A', 'a', 'pop', 'played', '2025-01-10T01:00:00Z', 180_000), // 20 (UTC-5)
  rec(2, JP, 'D', 'd', 'jazz', 'skipped', '2025-03-01T12:00:00Z', 5_000), // 21 in Tokyo
  rec(2, US, 'D', 'd', 'jazz', 'played', '2025-03-09T07:30:00Z', 240_000), // 03: daylight saving started at 07:00Z
];

describe('Wrapped figures of hand-made records', () => {
  const tmp = makeTmpDir();
  const part = path.join(tmp.dir, 'run', 'part-00000.avro');
  let users: UserWrapped[];
  let summary: WrappedSummary;
  let outDir: string;

  beforeAll(async () => {
    const w = new AvroContainerWriter<ListeningRecord>(part, schemaType(LISTENING_HISTORY_SCHEMA), { syncMarker: Buffer.alloc(16, 7) });
    for (const r of RECORDS) w.append(r);
    const part0 = w.commit();
    const inferred = (userId: number) => {
      let n = 0;
      return {
        add: () => void n++,
        finish: () => ({ personality: `inferred for ${userId} from ${n}`, axes: { FE: 0.5, TN: -0.25, LV: 0.1, CU: -1 } }),
      };
    };
    const ref = { store: path.dirname(part), key: 'part-00000.avro', ...part0, manifest: 'none', repair: 'none' };
    const analysis = analyzePart(partColumns(fs.readFileSync(part), ref, WRAPPED_FIELDS), 'part-00000.avro', inferred);
    const partial = path.join(tmp.dir, 'partial.json');
    writePartial(partial, 'hand-made', analysis);
    outDir = path.join(tmp.dir, 'wrapped');
    const written = await writeWrapped({ outDir, runId: 'hand', runDir: path.dirname(part), partials: [partial], cardUser: 2 });
    expect(written.cardUser).toBe(2);
    users = JSON.parse(fs.readFileSync(written.files.users, 'utf8'));
    summary = JSON.parse(fs.readFileSync(written.files.summary, 'utf8'));
  });
  afterAll(() => tmp.cleanup());

  it('computes each user’s minutes, tops, distinct counts, skip rate and busiest local hour', () => {
    const [u1, u2] = users;
    expect(u1).toMatchObject({
      user_id: 1,
      home_country: 'SE',
      home_city: 'Stockholm',
      personality: 'The replayer',
      records: 5,
      plays: 4,
      minutes: 16.17,
      distinct_songs: 4,
      distinct_artists: 3,
      skip_rate: 0.2,
      most_active_local_hour: 8,
    });
    expect(u1.top_songs.map((s) => s.song)).toEqual(['a', 'c', 'b2', 'b']);
    expect(u1.top_songs[0]).toEqual({ song: 'a', artist: 'A', plays: 2, minutes: 6 });
    expect(u1.top_artists.map((a) => [a.name, a.plays])).toEqual([
      ['A', 2],
      ['C', 1],
      ['B', 1],
    ]);
    expect(u1.top_genres.map((g) => g.name)).toEqual(['pop', 'rock']);
    expect(u1.minutes_by_local_hour[20]).toBe(6.17);
    expect(u1.minutes_by_local_hour[8]).toBe(10);
    expect(u1.inferred).toEqual({ personality: 'inferred for 1 from 5', axes: { FE: 0.5, TN: -0.25, LV: 0.1, CU: -1 } });

    expect(u2).toMatchObject({
      user_id: 2,
      home_country: 'US',
      home_city: 'New York',
      records: 3,
      plays: 2,
      skip_rate: 0.3333,
      most_active_local_hour: 3,
    });
    expect(u2.minutes_by_local_hour[21]).toBe(0.08);
  });

  it('sums the run and each country where the streams were played', () => {
    expect(summary.global).toMatchObject({ records: 8, plays: 6, users: 2, minutes: 23.25, skip_rate: 0.25 });
    expect(summary.global.top_songs.map((s) => `${s.artist}/${s.song}`)).toEqual(['A/a', 'C/c', 'D/d', 'B/b2', 'B/b']);
    expect(summary.global.top_artists[0]).toEqual({ name: 'A', plays: 3, minutes: 9 });
    expect(summary.global.minutes_by_local_hour[20]).toBe(9.17);
    // Monday first: Fri 10 Jan 20h in Stockholm, Thu 9 Jan 20h and Sun 9 Mar 03h in New York, Thu 10 Jul 08h, Sat 1 Mar 21h in Tokyo
    const grid = summary.global.streams_by_local_weekday_hour;
    expect([grid[4][20], grid[3][20], grid[6][3], grid[3][8], grid[5][21]]).toEqual([3, 1, 1, 2, 1]);
    expect(grid.flat().reduce((a, b) => a + b)).toBe(8);
    expect(Object.keys(summary.countries)).toEqual(['JP', 'SE', 'US']);
    expect(summary.countries.JP).toMatchObject({ records: 1, plays: 0, users: 1, minutes: 0.08 });
    expect(summary.countries.US).toMatchObject({ records: 2, users: 1, minutes: 7 });
    expect(summary.countries.US.minutes_by_local_hour[3]).toBe(4);
    expect(summary.personality_inference).toEqual({ users: 2, matches: 0 });
  });

  it('writes the same figures as Parquet, and a report with user 2’s card', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const q = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson();
    const f = (name: string) => `'${path.join(outDir, name)}'`;
    expect(await q(`select user_id, minutes, top_songs, axis_cu from read_parquet(${f('users.parquet')}) order by user_id`)).toEqual([
      { user_id: 1, minutes: 16.17, top_songs: ['a', 'c', 'b2', 'b'], axis_cu: -1 },
      { user_id: 2, minutes: 7.08, top_songs: ['d', 'a'], axis_cu: -1 },
    ]);
    expect(
      await q(`select name, plays from read_parquet(${f('top-items.parquet')}) where scope = 'global' and kind = 'artist' order by rank`),
    ).toEqual([
      { name: 'A', plays: '3' },
      { name: 'C', plays: '1' },
      { name: 'D', plays: '1' },
      { name: 'B', plays: '1' },
    ]);
    expect(await q(`select minutes from read_parquet(${f('hourly.parquet')}) where country = 'US' and hour = 3`)).toEqual([{ minutes: 4 }]);
    const html = fs.readFileSync(path.join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('data-field="user-id">2<');
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});

describe('analyzeDataset input', () => {
  it('names the field that is wrong and keeps paths under the data root', () => {
    expect(() => resolveWrappedInput({}, '/data')).toThrow(/run: must be the run folder/);
    expect(() => resolveWrappedInput({ run: '../etc' }, '/data')).toThrow(/run: "..\/etc" is outside the data root/);
    expect(() => resolveWrappedInput({ run: 'r', user: 0 }, '/data')).toThrow(/user: must be a user id/);
    expect(() => resolveWrappedInput({ run: 'r', colour: 1 }, '/data')).toThrow(/colour: unknown field/);
    expect(resolveWrappedInput({ run: 'runs/a' }, '/data')).toEqual({
      runDir: '/data/runs/a',
      outDir: '/data/runs/a/wrapped',
      user: null,
      parallelism: 4,
    });
  });
});
