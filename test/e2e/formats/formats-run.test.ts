import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import * as avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as exportCommand } from '../../../cli/commands/export';
import { UsageError } from '../../../cli/usage-error';
import { loadSchemaJson } from '../../../src/formats/avro/schemas';
import type { ListeningRecordV2 } from '../../../src/formats/listening-history-versions';
import type { SpotifyBasicStream, SpotifyExtendedStream } from '../../../src/export/spotify-export';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import type { GenerationResult } from '../../../workflows/contracts';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { ensurePythonTools, pythonEnv } from '../../helpers/test-tools';
import { readRun, sha256 } from '../../helpers/read-run';

const TASK_QUEUE = 'it-formats';
const V1 = loadSchemaJson('listening-history.avsc');
const V2 = loadSchemaJson('listening-history-v2.avsc');
const BASE = { users: 24, shardSize: 10, sessionsPerUser: 3, seed: 11, parallelism: 2, catalog: ['synthetic:300'], travelShare: 0.2 };

function readWith<T>(file: string, readerSchema?: avro.Schema): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    avro
      .createFileDecoder(file, readerSchema ? { readerSchema } : undefined)
      .on('data', (r: T) => out.push(r))
      .on('end', () => resolve(out))
      .on('error', reject);
  });
}

const plain = <T>(x: T): T => JSON.parse(JSON.stringify(x));

describe('Parquet, schema v2, Spotify exports and independent readers on real runs', () => {
  let stack: GenerationStack;
  let duck: DuckDBConnection;
  let v1: GenerationResult; // avro + parquet, schema v1
  let v2: GenerationResult; // avro + parquet, schema v2
  let avroOnly: GenerationResult;
  let v1Serial: GenerationResult; // as v1, one shard at a time

  const generate = (workflowId: string, input: object) => stack.generate(workflowId, input);

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE });
    [v1, v2, avroOnly, v1Serial] = await Promise.all([
      generate('fmt-v1', { ...BASE, format: ['avro', 'parquet'] }),
      generate('fmt-v2', { ...BASE, format: 'avro,parquet', schemaVersion: 2 }),
      generate('fmt-avro', BASE),
      generate('fmt-v1-serial', { ...BASE, format: ['avro', 'parquet'], parallelism: 1 }),
    ]);
    duck = await (await DuckDBInstance.create(':memory:')).connect();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const q = async (sql: string) => (await duck.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];

  it('writes a Parquet part beside each AVRO part, listed with its checksum in the manifest', async () => {
    for (const run of [v1, v2]) {
      const { manifest, perPart } = await readRun(run.outDir);
      expect(manifest.parts.map((p) => p.parquet?.file)).toEqual([
        'parquet/part-00000.parquet',
        'parquet/part-00001.parquet',
        'parquet/part-00002.parquet',
      ]);
      for (const [i, part] of manifest.parts.entries()) {
        const file = path.join(run.outDir, part.parquet!.file);
        expect(part.parquet!.sha256).toBe(sha256(file));
        expect(part.parquet!.bytes).toBe(fs.statSync(file).size);
        expect(part.parquet!.records).toBe(perPart[i]);
        expect(await q(`select count(*)::int n from read_parquet('${file}')`)).toEqual([{ n: perPart[i] }]);
      }
      expect(fs.readdirSync(run.outDir, { recursive: true }).filter((f) => String(f).endsWith('.tmp'))).toEqual([]);
    }
    const { manifest } = await readRun(avroOnly.outDir);
    expect(manifest.parts.every((p) => p.parquet === undefined)).toBe(true);
    expect(fs.readdirSync(avroOnly.outDir, { recursive: true }).filter((f) => String(f).endsWith('.parquet'))).toEqual([]);
    expect(fs.existsSync(path.join(avroOnly.outDir, 'parquet'))).toBe(false);
    // writing Parquet too leaves the AVRO bytes alone, and Parquet bytes do not depend on parallelism
    expect((await readRun(v1.outDir)).manifest.parts.map((p) => p.sha256)).toEqual(manifest.parts.map((p) => p.sha256));
    const parquetHashes = async (dir: string) => (await readRun(dir)).manifest.parts.map((p) => p.parquet!.sha256);
    expect(await parquetHashes(v1Serial.outDir)).toEqual(await parquetHashes(v1.outDir));
  });

  it('gives DuckDB the same row counts and column sums as the AVRO', async () => {
    for (const run of [v1, v2]) {
      const { records } = await readRun(run.outDir);
      const sum = (f: (r: ListeningRecord) => number) => records.reduce((s, r) => s + f(r), 0);
      const [row] = await q(`select count(*)::bigint n, sum(user_id)::bigint uid, sum(year)::bigint yr, sum(popularity)::bigint pop,
          sum(length_seconds)::bigint len, sum(epoch_ms(listening_time_start_time))::bigint st, sum(epoch_ms(listening_time_end_time))::bigint et,
          sum(user_location_latitude::double) lat, sum(energy::double) energy, count(distinct user_location_country)::int countries,
          count(distinct song_name || artist)::int songs, count(*) filter (where interaction = 'skipped')::int skipped
        from read_parquet('${run.outDir}/parquet/*.parquet')`);
      expect(Number(row.n)).toBe(records.length);
      expect(Number(row.uid)).toBe(sum((r) => r.user_id));
      expect(Number(row.yr)).toBe(sum((r) => r.year));
      expect(Number(row.pop)).toBe(sum((r) => r.popularity));
      expect(Number(row.len)).toBe(sum((r) => r.length_seconds));
      expect(Number(row.st)).toBe(sum((r) => r.listening_time.start_time));
      expect(Number(row.et)).toBe(sum((r) => r.listening_time.end_time));
      expect(row.lat as number).toBeCloseTo(
        sum((r) => r.user_location.latitude),
        3,
      );
      expect(row.energy as number).toBeCloseTo(
        sum((r) => r.energy),
        3,
      );
      expect(row.countries).toBe(new Set(records.map((r) => r.user_location.country)).size);
      expect(row.songs).toBe(new Set(records.map((r) => r.song_name + r.artist)).size);
      expect(row.skipped).toBe(records.filter((r) => r.interaction === 'skipped').length);
    }
  });

  it('flattens nested records into columns like user_location_country, row for row', async () => {
    const rows = await q(`select * exclude (file_row_number), epoch_ms(listening_time_start_time) st, epoch_ms(listening_time_end_time) et
      from read_parquet('${v2.outDir}/parquet/part-00001.parquet', file_row_number = true) order by file_row_number limit 5`);
    const avroRows = (await readWith<ListeningRecordV2>(path.join(v2.outDir, 'avro', 'part-00001.avro'))).slice(0, 5);
    rows.forEach((row, i) => {
      const r = avroRows[i];
      expect(row).toMatchObject({
        user_id: r.user_id,
        user_location_country: r.user_location.country,
        user_location_city: r.user_location.city,
        user_location_timezone: r.user_location.timezone,
        song_name: r.song_name,
        artist: r.artist,
        interaction: r.interaction,
        personality: r.personality,
        session_id: r.session_id,
        device: r.device,
        reason_end: r.reason_end,
        shuffle: r.shuffle,
      });
      expect([Number(row.st), Number(row.et)]).toEqual([r.listening_time.start_time, r.listening_time.end_time]);
      expect(row.user_location_latitude as number).toBeCloseTo(r.user_location.latitude, 4);
    });
    // DuckDB reads the listening period as UTC timestamps, not integers (v1 and v2 Parquet alike)
    for (const run of [v1, v2]) {
      const [types] = await q(`select any_value(typeof(listening_time_start_time)) st, any_value(typeof(listening_time_end_time)) et,
        strftime(min(listening_time_start_time), '%Y') y from read_parquet('${run.outDir}/parquet/part-00000.parquet')`);
      expect(types).toEqual({ st: 'TIMESTAMP WITH TIME ZONE', et: 'TIMESTAMP WITH TIME ZONE', y: expect.stringMatching(/^20\d\d$/) });
    }
  });

  it('writes schema v2 on request, with playback context derived from each session', async () => {
    const { manifest, records } = await readRun(v2.outDir);
    expect(manifest.schema).toEqual(V2);
    // the header of a v2 part keeps its logical types and defaults; a v1 part keeps the seed's bare schema
    const header = (file: string) =>
      JSON.stringify(
        execFileSync(process.execPath, [path.resolve(__dirname, '../../../bin/wrapped-etl.js'), 'inspect', file, '--schema'], {
          encoding: 'utf8',
        }),
      );
    expect(header(path.join(v2.outDir, 'avro', 'part-00000.avro'))).toContain('timestamp-millis');
    expect(header(path.join(v1.outDir, 'avro', 'part-00000.avro'))).not.toContain('timestamp-millis');
    expect((await readRun(v1.outDir)).manifest.schema).toEqual(V1);
    const rs = records as unknown as ListeningRecordV2[];
    for (const r of rs) {
      expect(r.session_id).toMatch(new RegExp(`^u${r.user_id}-s\\d+$`));
      // playback is a state machine: a stream played through ends with trackdone, an early end never does
      if (r.interaction === 'skipped' || r.interaction === 'paused') expect(r.reason_end).not.toBe('trackdone');
      else expect(r.reason_end).toBe('trackdone');
    }
    const sessions = new Map<string, ListeningRecordV2[]>();
    for (const r of rs) sessions.set(r.session_id!, [...(sessions.get(r.session_id!) ?? []), r]);
    // sessions per user are heavy-tailed around sessionsPerUser, numbered 0.. without holes
    const perUser = new Map<number, Set<number>>();
    for (const id of sessions.keys()) {
      const [, user, n] = /^u(\d+)-s(\d+)$/.exec(id)!.map(Number);
      perUser.set(user, (perUser.get(user) ?? new Set()).add(n));
    }
    expect(perUser.size).toBe(BASE.users);
    for (const ns of perUser.values()) expect(Math.max(...ns)).toBe(ns.size - 1);
    expect(rs.every((r) => r.album.length > 0)).toBe(true);
    for (const s of sessions.values()) {
      expect(new Set(s.map((r) => `${r.device}/${r.shuffle}/${r.offline}/${r.incognito_mode}`)).size).toBe(1);
      // the next stream starts as the last one moved on; after a stop it needs a new start
      const stops = ['endplay', 'unexpected-exit', 'unexpected-exit-while-paused', 'logout'];
      s.slice(1).forEach((r, i) => {
        if (stops.includes(s[i].reason_end)) expect(['playbtn', 'clickrow', 'appload']).toContain(r.reason_start);
        else expect(r.reason_start).toBe(s[i].reason_end);
      });
    }
    expect(new Set(rs.map((r) => r.device)).size).toBeGreaterThan(2);
  });

  it('resolves v1 files with the v2 schema (defaults) and v2 files with the v1 schema (extra fields dropped)', async () => {
    const v1Records = await readWith<ListeningRecord>(path.join(v1.outDir, 'avro', 'part-00000.avro'));
    const v1AsV2 = await readWith<ListeningRecordV2>(path.join(v1.outDir, 'avro', 'part-00000.avro'), V2);
    expect(v1AsV2).toHaveLength(v1Records.length);
    expect(v1AsV2[0]).toMatchObject({
      ...plain(v1Records[0]),
      session_id: null,
      device: 'unknown',
      reason_start: 'unknown',
      reason_end: 'unknown',
      shuffle: false,
      offline: false,
      incognito_mode: false,
    });

    const v2AsV1 = await readWith<ListeningRecord>(path.join(v2.outDir, 'avro', 'part-00000.avro'), V1);
    expect(plain(v2AsV1)).toEqual(plain(v1Records));

    const v1Type = avro.Type.forSchema(V1);
    const v2Type = avro.Type.forSchema(V2);
    const upgraded = v2Type.fromBuffer(v1Type.toBuffer(v1Records[1]), v2Type.createResolver(v1Type)) as ListeningRecordV2;
    expect(upgraded.reason_end).toBe('unknown');
    const full = (await readWith<ListeningRecordV2>(path.join(v2.outDir, 'avro', 'part-00000.avro')))[1];
    expect(plain(v1Type.fromBuffer(v2Type.toBuffer(full), v1Type.createResolver(v2Type)))).toEqual(plain(v1Records[1]));
  });

  it('exports a user as Spotify Extended Streaming History, the same from a v1 run as from a v2 run', async () => {
    const user = 13;
    const out = (name: string) => path.join(stack.dataRoot, name);
    await exportCommand([v2.outDir, '--format', 'spotify-extended', '--user', String(user), '--out', out('v2.json')]);
    await exportCommand([v1.outDir, '--format', 'spotify-extended', '--user', String(user), '--out', out('v1.json')]);
    const streams = JSON.parse(fs.readFileSync(out('v2.json'), 'utf8')) as SpotifyExtendedStream[];
    expect(JSON.parse(fs.readFileSync(out('v1.json'), 'utf8'))).toEqual(streams);
    const mine = ((await readRun(v2.outDir)).records as unknown as ListeningRecordV2[]).filter((r) => r.user_id === user);
    expect(streams).toHaveLength(mine.length);
    streams.forEach((s, i) => {
      const r = mine[i];
      expect(s).toMatchObject({
        ts: new Date(r.listening_time.end_time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        platform: r.device,
        ms_played: r.listening_time.end_time - r.listening_time.start_time,
        conn_country: r.user_location.country,
        master_metadata_track_name: r.song_name,
        master_metadata_album_artist_name: r.artist,
        reason_start: r.reason_start,
        reason_end: r.reason_end,
        shuffle: r.shuffle,
        skipped: r.interaction === 'skipped' && ['fwdbtn', 'clickrow', 'remote'].includes(r.reason_end),
        offline: r.offline,
        incognito_mode: r.incognito_mode,
      });
      expect(s.spotify_track_uri).toMatch(/^spotify:track:[0-9A-Za-z]{22}$/);
    });
    // skipped as Spotify defines it (moved on to another song before this one ended): this user has skips, so the rule
    // is checked on real ones
    const skipped = streams.filter((s) => s.skipped);
    expect(skipped.length).toBeGreaterThan(0);
    for (const s of skipped) expect(['fwdbtn', 'clickrow', 'remote']).toContain(s.reason_end);

    await exportCommand([v1.outDir, '--format', 'spotify-basic', '--user', String(user), '--out', out('basic.json')]);
    const basic = JSON.parse(fs.readFileSync(out('basic.json'), 'utf8')) as SpotifyBasicStream[];
    expect(basic).toHaveLength(mine.length);
    expect(Object.keys(basic[0])).toEqual(['endTime', 'artistName', 'trackName', 'msPlayed']);
    expect(basic[0].endTime).toBe(streams[0].ts.slice(0, 16).replace('T', ' '));
    expect(basic.reduce((n, b) => n + b.msPlayed, 0)).toBe(streams.reduce((n, s) => n + s.ms_played, 0));

    const bad = exportCommand([v1.outDir, '--format', 'spotify-basic', '--user', '999', '--out', out('none.json')]);
    await expect(bad).rejects.toThrow(UsageError);
    await expect(bad).rejects.toThrow(/user: the run has users 1..24, got 999/);
    await expect(exportCommand([v1.outDir, '--format', 'csv', '--user', '1', '--out', out('none.json')])).rejects.toThrow(
      /--format must be one of spotify-extended, spotify-basic/,
    );
    expect(fs.existsSync(out('none.json'))).toBe(false);
  });

  it('reads every AVRO part with Python fastavro, a reader this project did not write', async (ctx) => {
    const missing = ensurePythonTools();
    if (missing) ctx.skip(missing);
    const script = `
import datetime, fastavro, json, sys
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
def millis(value):
    if isinstance(value, datetime.datetime):
        return (value - EPOCH) // datetime.timedelta(milliseconds=1)
    raise TypeError(repr(value))
out = []
for f in sys.argv[1:]:
    with open(f, 'rb') as fo:
        r = fastavro.reader(fo)
        recs = list(r)
        start = recs[0]["listening_time"]["start_time"]
        out.append({"file": f, "count": len(recs), "schema": r.writer_schema["name"], "sample": [recs[i] for i in range(0, len(recs), 37)],
                    "startType": type(start).__name__, "startIso": start.isoformat() if isinstance(start, datetime.datetime) else None})
print(json.dumps(out, default=millis))
`;
    for (const run of [v1, v2]) {
      const { manifest } = await readRun(run.outDir);
      const files = manifest.parts.map((p) => path.join(run.outDir, p.file));
      const result = JSON.parse(
        execFileSync('python3', ['-c', script, ...files], { encoding: 'utf8', maxBuffer: 64 << 20, env: pythonEnv() }),
      ) as {
        count: number;
        schema: string;
        sample: unknown[];
        startType: string;
        startIso: string | null;
      }[];
      for (const [i, part] of manifest.parts.entries()) {
        expect(result[i].count).toBe(part.records);
        expect(result[i].schema).toBe('music.ListeningHistory');
        const avsc = await readWith<ListeningRecord>(files[i]);
        expect(result[i].sample).toEqual(plain(avsc.filter((_, k) => k % 37 === 0)));
        // v1 is the seed's bare long; v2's timestamp-millis reads as a UTC datetime, to the millisecond
        expect(result[i].startType).toBe(run === v2 ? 'datetime' : 'int');
        if (run === v2)
          expect(result[i].startIso).toBe(new Date(avsc[0].listening_time.start_time).toISOString().replace('Z', '000+00:00'));
      }
    }
  });
});
