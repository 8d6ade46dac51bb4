import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListeningRecordV2, PartEvent } from '../../../src/formats/listening-history-versions';
import { PlaybackContextDeriver } from '../../../src/simulation/playback-context';
import { ColumnarParquetWriter } from '../../../src/formats/parquet/columnar-parquet-writer';
import { listeningParquetColumns, listeningParquetShredder, listeningRowKey } from '../../../src/formats/parquet/listening-parquet';
import { SongTable } from '../../../src/simulation/song-table';
import type { RowShredder } from '../../../src/formats/parquet/flat-column';
import { SeededRandom } from '../../../src/simulation/seeded-random';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { loadPageCodec } from '../../../src/formats/parquet/page-codecs';
import type { ParquetCodec } from '../../../src/formats/parquet/parquet-codec';

function* syntheticRecords(n: number): Generator<ListeningRecord & { session: number }> {
  const rng = new SeededRandom(3, 'parquet-writer-test');
  for (let i = 0; i < n; i++) {
    const start = 1_735_689_600_000 + i * 200_000;
    yield {
      user_id: 1 + Math.floor(i / 500),
      user_location: {
        latitude: rng.uniform(-60, 60),
        longitude: rng.uniform(-170, 170),
        country: rng.pick(['SE', 'NO', 'JP']),
        city: `City ${rng.int(1, 50)}`,
        timezone: 'Europe/Oslo',
      },
      interaction: rng.pick(['played', 'skipped', 'paused']),
      song_name: `Song ${rng.int(1, 900)} ✓`,
      artist: `Artist ${rng.int(1, 90)}`,
      genre: rng.pick(['pop', 'rock']),
      year: rng.int(1960, 2025),
      popularity: rng.int(0, 100),
      danceability: rng.next(),
      energy: rng.next(),
      length_seconds: rng.int(90, 400),
      listening_time: { start_time: start, end_time: start + rng.int(2000, 300_000) },
      personality: 'The nomad',
      session: Math.floor(i / 40),
    };
  }
}

function v2Records(n: number): ListeningRecordV2[] {
  const deriver = new PlaybackContextDeriver(3);
  return [...syntheticRecords(n)].map((r, i) => ({
    ...r,
    ...deriver.next(r, r.session),
    session_id: i % 7 === 0 ? null : `u${r.user_id}-s${r.session}`,
    album: `album ${i % 13}`,
    release_date: i % 11 === 0 ? null : 20_000 + i,
  }));
}

/** Records as a part receives them: events naming their song by number, and the catalog of those songs (one a record). */
function asEvents(records: Iterable<ListeningRecord | ListeningRecordV2>): { events: PartEvent[]; songs: SongTable } {
  const all = [...records];
  const songs = SongTable.fromSongs(
    all.map((r) => ({
      title: r.song_name,
      artist: r.artist,
      album: 'album' in r ? r.album : '',
      genre: r.genre,
      year: r.year,
      popularity: r.popularity,
      danceability: r.danceability,
      energy: r.energy,
      length_seconds: r.length_seconds,
    })),
  );
  return { events: all.map((r, i) => ({ ...r, song: i }) as unknown as PartEvent), songs };
}

/** As a part is written: through the listening events' shredder (`generic`: each column's value function instead). */
function write(
  file: string,
  records: Iterable<ListeningRecord | ListeningRecordV2>,
  version: 1 | 2,
  codec?: ParquetCodec,
  generic = false,
): void {
  const { events, songs } = asEvents(records);
  const shredder = generic ? undefined : listeningParquetShredder(version);
  const w = ColumnarParquetWriter.open(file, listeningParquetColumns(version, songs), {
    rowGroupRows: 4096,
    codec,
    shredder,
    rowKey: listeningRowKey,
  });
  for (const e of events) w.append(e);
  w.commit();
}

describe('Parquet part writer (hyparquet-writer)', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());
  const query = async (sql: string) =>
    (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll(sql).then((r) => r.getRowObjectsJson());

  it('writes the same bytes for the same rows, and DuckDB reads every value with its type', async () => {
    const records = v2Records(12_345);
    const a = path.join(tmp.dir, 'a.parquet');
    const b = path.join(tmp.dir, 'b.parquet');
    write(a, records, 2);
    write(b, records, 2);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);

    const types = await query(`select column_name, column_type from (describe select * from read_parquet('${a}'))`);
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.column_type]))).toMatchObject({
      user_id: 'INTEGER',
      user_location_latitude: 'FLOAT',
      song_name: 'VARCHAR',
      listening_time_start_time: 'TIMESTAMP WITH TIME ZONE',
      shuffle: 'BOOLEAN',
      session_id: 'VARCHAR',
    });
    const [row] = await query(`select count(*)::int n, count(session_id)::int sessions, sum(year)::int year_sum, max(song_name) song,
      min(epoch_ms(listening_time_start_time))::bigint first_ms, sum(user_location_latitude::double)::double lat_sum from read_parquet('${a}')`);
    expect(row).toEqual({
      n: 12_345,
      sessions: records.filter((r) => r.session_id !== null).length,
      year_sum: records.reduce((s, r) => s + r.year, 0),
      song: records
        .map((r) => r.song_name)
        .sort()
        .pop(),
      first_ms: String(records[0].listening_time.start_time),
      lat_sum: records.reduce((s, r) => s + Math.fround(r.user_location.latitude), 0),
    });
  });

  it('dictionary-encodes strings and records statistics and true sizes per row group, which a filter uses', async () => {
    const file = path.join(tmp.dir, 'stats.parquet');
    write(file, syntheticRecords(20_000), 1);
    const meta =
      await query(`select row_group_id::int rg, path_in_schema col, encodings, stats_min_value lo, stats_max_value hi, stats_null_count::int null_count,
      total_compressed_size::int packed, total_uncompressed_size::int raw, coalesce(dictionary_page_offset, data_page_offset)::int "offset"
      from parquet_metadata('${file}')`);
    expect(new Set(meta.map((m) => m.rg)).size).toBe(5);
    const col = (name: string, rg = 0) => meta.find((m) => m.col === name && m.rg === rg)!;
    expect(col('song_name').encodings).toContain('RLE_DICTIONARY');
    expect(col('user_id', 1)).toMatchObject({ lo: '9', hi: '17', null_count: 0 });
    // the uncompressed size is the pages' own: SNAPPY shrinks the song dictionary; timestamps are delta-packed, uncompressed
    expect(col('song_name').raw).toBeGreaterThan((col('song_name').packed as number) * 1.1);
    expect(col('listening_time_start_time')).toMatchObject({ encodings: 'DELTA_BINARY_PACKED' });
    expect(col('listening_time_start_time').raw).toBe(col('listening_time_start_time').packed);
    // statistics on every column, strings in byte order
    expect(col('listening_time_start_time', 1)).toMatchObject({ lo: expect.stringMatching(/^2025-01-/), null_count: 0 });
    expect(col('song_name')).toMatchObject({ lo: 'Song 1 ✓', hi: 'Song 99 ✓', null_count: 0 });
    // a filter on one user reads one row group: the others' pages can be garbage
    const wanted = meta.find((m) => m.col === 'user_id' && Number(m.lo) <= 30 && Number(m.hi) >= 30)!.rg;
    const bytes = fs.readFileSync(file);
    for (const m of meta.filter((m) => m.rg !== wanted)) bytes.fill(0xff, m.offset as number, (m.offset as number) + (m.packed as number));
    const pruned = path.join(tmp.dir, 'pruned.parquet');
    fs.writeFileSync(pruned, bytes);
    expect(await query(`select count(*)::int n, min(song_name) is not null ok from read_parquet('${pruned}') where user_id = 30`)).toEqual([
      { n: 500, ok: true },
    ]);
    await expect(query(`select count(*)::int n from read_parquet('${pruned}') where user_id = 3`)).rejects.toThrow();
  });

  it('reads back every value, PLAIN where a dictionary would not pay, timestamps of any order', async () => {
    const records = v2Records(9_001).map((r, i) => ({
      ...r,
      song_name: `unique song ${i}`, // all distinct: PLAIN
      listening_time: i % 1000 === 0 ? { start_time: 0, end_time: 8_000_000_000_000 } : r.listening_time, // big jumps both ways
    }));
    const file = path.join(tmp.dir, 'all.parquet');
    write(file, records, 2);
    const meta = await query(`select path_in_schema col, encodings from parquet_metadata('${file}') where row_group_id = 0`);
    expect(meta.find((m) => m.col === 'song_name')!.encodings).toBe('PLAIN');
    const { events, songs } = asEvents(records);
    const columns = listeningParquetColumns(2, songs);
    const rows = await query(
      `select ${columns.map((c) => (c.type === 'TIMESTAMP_MILLIS_UTC' ? `epoch_ms(${c.name})::bigint ${c.name}` : c.name)).join(', ')} from read_parquet('${file}')`,
    );
    const json = (v: unknown, type: string) =>
      v === undefined || v === null
        ? null
        : type === 'FLOAT'
          ? Math.fround(v as number)
          : type === 'TIMESTAMP_MILLIS_UTC' || type === 'INT32'
            ? String(v)
            : v;
    expect(
      rows.map((row) =>
        columns.map((c) =>
          c.type === 'FLOAT' ? Number(row[c.name]) : c.type === 'INT32' && row[c.name] !== null ? String(row[c.name]) : row[c.name],
        ),
      ),
    ).toEqual(events.map((e, i) => columns.map((c) => json(c.value ? c.value(e) : c.ofKey(i), c.type))));
  });

  it('writes ZSTD pages on request: the same values, smaller, the same bytes each time', async () => {
    const records = v2Records(10_000);
    const [snappy, zstd, again] = ['snappy.parquet', 'zstd.parquet', 'zstd-again.parquet'].map((f) => path.join(tmp.dir, f));
    write(snappy, records, 2);
    expect(() => write(zstd, records, 2, 'zstd')).toThrow(/zstd codec is not loaded/);
    await loadPageCodec('zstd');
    write(zstd, records, 2, 'zstd');
    write(again, records, 2, 'zstd');
    expect(fs.readFileSync(zstd).equals(fs.readFileSync(again))).toBe(true);
    const codecs = await query(`select distinct compression from parquet_metadata('${zstd}') order by 1`);
    expect(codecs.map((c) => c.compression)).toEqual(['UNCOMPRESSED', 'ZSTD']);
    expect(fs.statSync(zstd).size).toBeLessThan(fs.statSync(snappy).size);
    const all = (file: string) =>
      query(
        `select * exclude (listening_time_start_time, listening_time_end_time), epoch_ms(listening_time_start_time)::bigint t from read_parquet('${file}')`,
      );
    expect(await all(zstd)).toEqual(await all(snappy));
  });

  it("writes the same bytes through the events' shredder as through the columns' value functions", () => {
    for (const version of [1, 2] as const) {
      const records = version === 1 ? [...syntheticRecords(9_000)] : v2Records(9_000);
      const [fast, generic] = ['fast', 'generic'].map((f) => path.join(tmp.dir, `${f}-v${version}.parquet`));
      write(fast, records, version);
      write(generic, records, version, undefined, true);
      expect(fs.readFileSync(fast).equals(fs.readFileSync(generic))).toBe(true);
    }
    const columns = listeningParquetColumns(1, asEvents(syntheticRecords(1)).songs);
    const partial = path.join(tmp.dir, 'partial.parquet');
    const open = (shredder: RowShredder<PartEvent>) => ColumnarParquetWriter.open(partial, columns, { shredder, rowKey: listeningRowKey });
    expect(() => open((slot) => (slot('user_id'), () => {}))).toThrow(
      /the row shredder does not fill user_location_latitude, .*personality$/,
    );
    expect(() => open((slot) => (slot('user'), () => {}))).toThrow(/fills user, which is not a column/);
    expect(() => open((slot) => (slot('artist'), () => {}))).toThrow(/fills artist, which takes its value from the row key/);
    expect(() => ColumnarParquetWriter.open(partial, columns, { shredder: listeningParquetShredder(1) })).toThrow(
      /columns song_name, artist, .* take their value from the row key, but the writer has no rowKey/,
    );
  });

  it('says which required column is missing, and leaves no file behind on abort', () => {
    const file = path.join(tmp.dir, 'broken.parquet');
    const { events, songs } = asEvents(syntheticRecords(2));
    const w = ColumnarParquetWriter.open(file, listeningParquetColumns(1, songs), {
      shredder: listeningParquetShredder(1),
      rowKey: listeningRowKey,
    });
    w.append(events[0]);
    expect(() => w.append({ ...events[1], personality: null as unknown as string })).toThrow(/missing required field: personality/);
    expect(fs.existsSync(file)).toBe(false);
    w.abort();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('broken'))).toEqual([]);
  });
});
