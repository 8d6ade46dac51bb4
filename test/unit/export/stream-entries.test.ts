import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { runExportPartJob } from '../../../src/export/export-part-job';
import { entryFiles, historyFiles, HISTORY_LAYOUTS, type HistoryFile } from '../../../src/export/history-files';
import { openRun, readUserRecords, toStreams, SPOTIFY_FORMATS, type StoredRecord } from '../../../src/export/spotify-export';
import { StreamEntries, UserColumns } from '../../../src/export/stream-entries';
import { makeTmpDir } from '../../helpers/tmp-dir';

const SEED = 5;
const HOUR = 3_600_000;

/** The reference: toStreams' objects through JSON.stringify (historyFiles), as the export wrote them before its own renderer. */
const reference = (records: StoredRecord[], format: (typeof SPOTIFY_FORMATS)[number], max: number) =>
  [...historyFiles(toStreams(records, SEED, format), HISTORY_LAYOUTS[format], max)].map(asText);
const asText = (f: HistoryFile) => ({ name: f.name, streams: f.streams, text: Buffer.from(f.data).toString('utf8') });

function columnsOf(records: StoredRecord[]): UserColumns {
  const u = new UserColumns();
  u.clear(records[0].user_id);
  for (const r of records) {
    u.start.push(r.listening_time.start_time);
    u.end.push(r.listening_time.end_time);
    u.country.push(r.user_location.country);
    u.city.push(r.user_location.city);
    u.interaction.push(r.interaction);
    u.title.push(r.song_name);
    u.artist.push(r.artist);
    if (r.album !== undefined) u.album.push(r.album);
    if (r.session_id === undefined) continue;
    u.device.push(r.device!);
    u.reasonStart.push(r.reason_start!);
    u.reasonEnd.push(r.reason_end!);
    const flag = (b: boolean | null | undefined) => (b === null || b === undefined ? NaN : b ? 1 : 0);
    u.shuffle.push(flag(r.shuffle));
    u.offline.push(flag(r.offline));
    u.incognito.push(flag(r.incognito_mode));
  }
  return u;
}

/** Strings JSON must escape or encode in more than one byte each, and times a Date renders in other forms. */
const TITLES = ['plain', 'quote " and \\ backslash', 'tab\tnew\nline\u0001', 'Björk – Jóga', '東京 🎧', 'lone \ud800 surrogate', ''];
const START = Date.UTC(2024, 11, 31, 23, 0, 0, 250);

function trickyRecords(v2: boolean): StoredRecord[] {
  return TITLES.flatMap((title, i) => {
    // out of order by start; two streams end at the same millisecond; one ends before it starts; one past year 9999 and one before 1970
    const start = i === 5 ? 253_402_300_800_000 + 1234 : i === 6 ? -86_400_500 : START + (7 - i) * HOUR + i * 997;
    const end = i === 3 ? start - 5_000 : i === 1 || i === 2 ? START + 9 * HOUR : start + 183_456.5;
    const r: StoredRecord = {
      user_id: 7,
      user_location: {
        country: i === 4 ? 'JP' : 'SE',
        city: i === 4 ? 'Tōkyō "centre"' : 'Malmö',
        latitude: 0,
        longitude: 0,
        timezone: 'UTC',
      },
      interaction: (['played', 'skipped', 'paused', 'repeated'] as const)[i % 4],
      song_name: title,
      artist: i % 2 ? `Artist ${i} "quoted"` : 'Åsa',
      genre: 'pop',
      year: 2020,
      popularity: 50,
      danceability: 0.5,
      energy: 0.5,
      length_seconds: 200,
      listening_time: { start_time: start, end_time: end },
      personality: 'explorer',
      ...(v2 && {
        album: i === 0 ? '' : `Album ${title}`,
        session_id: `u7-s${i}`,
        device: i % 3 ? 'android' : 'osx',
        reason_start: 'clickrow',
        reason_end: i % 2 ? 'fwdbtn' : 'trackdone',
        shuffle: i % 2 === 0,
        offline: i === 4,
        incognito_mode: false,
      }),
    };
    return [r];
  }).map((r) => r);
}

describe('StreamEntries: the export written as bytes from columns, as JSON.stringify writes it', () => {
  for (const v2 of [false, true])
    for (const format of SPOTIFY_FORMATS)
      it(`${format}, schema ${v2 ? 'v2' : 'v1'}: escapes, multi-byte text, ties, negative and far times give the same files`, () => {
        const records = trickyRecords(v2);
        const sorted = [...records].sort((a, b) => a.listening_time.start_time - b.listening_time.start_time);
        for (const max of [1 << 20, 2_000]) {
          const entries = new StreamEntries(SEED, format);
          const fast = [...entryFiles(entries.render(columnsOf(records)), HISTORY_LAYOUTS[format], max)].map(asText);
          expect(fast).toEqual(reference(sorted, format, max));
        }
      });
});

describe("runExportPartJob: every user's files the same bytes as toStreams and JSON.stringify give", () => {
  const tmp = makeTmpDir();
  const runs = { v1: path.join(tmp.dir, 'v1'), v2: path.join(tmp.dir, 'v2') };
  const INPUT = { users: 5, shardSize: 2, sessionsPerUser: 12, seed: SEED, catalog: ['synthetic:150'], travelShare: 0.3 };

  beforeAll(async () => {
    await runInProcess(runs.v1, { ...INPUT, schemaVersion: 1 });
    await runInProcess(runs.v2, { ...INPUT, schemaVersion: 2 });
  }, 60_000);
  afterAll(() => tmp.cleanup());

  for (const version of ['v1', 'v2'] as const)
    for (const format of SPOTIFY_FORMATS)
      it(`${version}, ${format}`, async () => {
        const runDir = runs[version];
        const dataset = await openRun(runDir);
        let users = 0;
        for (let shard = 0; shard < dataset.parts.length; shard++) {
          for (const made of await runExportPartJob({ runDir, shard, format, maxFileBytes: 40_000, forZip: false })) {
            const { records } = await readUserRecords(runDir, made.userId);
            const files = made.files.map((f) => ({ name: f.relPath, text: Buffer.from(f.data).toString('utf8') }));
            expect(files).toEqual(reference(records, format, 40_000).map(({ name, text }) => ({ name, text })));
            expect(made.streams).toBe(records.length);
            users++;
          }
        }
        expect(users).toBe(INPUT.users);
      });
});
