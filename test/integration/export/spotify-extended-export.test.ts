import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { BlockList, isIP } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { readManifest } from '../../../src/pipeline/manifest';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { readContainer } from '../../../src/formats/avro/read-container';
import { UserWrappedBuilder } from '../../../src/analytics/wrapped/user-wrapped';
import type { ListeningRecordV2 } from '../../../src/formats/listening-history-versions';
import type { SpotifyExtendedStream } from '../../../src/export/spotify-export';
import { exportHistories } from '../../../src/export/export-histories';
import { makeTmpDir } from '../../helpers/tmp-dir';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/wrapped-etl.js');
const ANALYSER = path.join(__dirname, 'top_artists.py');
const FOLDER = 'Spotify Extended Streaming History';
const FILE_NAME = /^Streaming_History_Audio_(\d{4})(?:-(\d{4}))?_(\d+)\.json$/;
/** Small enough that one user's two years of streams fill several files. */
const BUDGET = 120_000;
const RUN = {
  users: 5,
  shardSize: 2,
  sessionsPerUser: 30,
  sessionHours: [0.5, 2] as [number, number],
  seed: 21,
  catalog: ['synthetic:150'],
  from: '2023-09-01',
  to: '2024-12-31',
  travelShare: 0.3,
};

/** The field list and order of a real Extended Streaming History entry. */
const REAL_FIELDS = [
  'ts',
  'platform',
  'ms_played',
  'conn_country',
  'ip_addr',
  'master_metadata_track_name',
  'master_metadata_album_artist_name',
  'master_metadata_album_album_name',
  'spotify_track_uri',
  'episode_name',
  'episode_show_name',
  'spotify_episode_uri',
  'audiobook_title',
  'audiobook_uri',
  'audiobook_chapter_uri',
  'audiobook_chapter_title',
  'reason_start',
  'reason_end',
  'shuffle',
  'skipped',
  'offline',
  'offline_timestamp',
  'incognito_mode',
];

/** The RFC 5737 and RFC 3849 documentation ranges. */
const DOCUMENTATION = new BlockList();
for (const net of ['192.0.2.0', '198.51.100.0', '203.0.113.0']) DOCUMENTATION.addSubnet(net, 24, 'ipv4');
DOCUMENTATION.addSubnet('2001:db8::', 32, 'ipv6');

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'buffer',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** The analyser's answer: [artist, ms] most listened first. */
function analyse(source: string, top = 10): [string, number][] {
  const r = spawnSync('python3', [ANALYSER, source, String(top)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`top_artists.py failed: ${r.stderr}`);
  return r.stdout
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [ms, artist] = line.split('\t');
      return [artist, Number(ms)];
    });
}

/** The same figure from the run's AVRO parts through the project's own Wrapped tally: ms listened per artist. */
async function projectTopArtists(runDir: string, user: number | undefined, top = 10): Promise<[string, number][]> {
  const builder = new UserWrappedBuilder(user ?? 0);
  for (const part of readManifest(new RunLayout(runDir).manifestPath).parts) {
    for await (const r of readContainer<ListeningRecordV2>(path.join(runDir, part.file)))
      if (user === undefined || r.user_id === user) builder.add(r, 0);
  }
  return Object.entries(builder.state().artists)
    .map(([artist, [, , ms]]): [string, number] => [artist, ms])
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top);
}

async function userRecords(runDir: string, user: number): Promise<ListeningRecordV2[]> {
  const out: ListeningRecordV2[] = [];
  for (const part of readManifest(new RunLayout(runDir).manifestPath).parts) {
    for await (const r of readContainer<ListeningRecordV2>(path.join(runDir, part.file))) if (r.user_id === user) out.push(r);
  }
  return out;
}

const filesOf = (dir: string) => fs.readdirSync(dir).sort((a, b) => Number(FILE_NAME.exec(a)?.[3]) - Number(FILE_NAME.exec(b)?.[3]));
const entryBytes = (s: object) => Buffer.byteLength(`  ${JSON.stringify(s, null, 2).replace(/\n/g, '\n  ')}`);
const leftovers = (dir: string) =>
  fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.tmp') || f.includes('.tmp/'));

describe('export --format spotify-extended: a real my_spotify_data export', () => {
  const tmp = makeTmpDir();
  const v2Run = path.join(tmp.dir, 'v2');
  const v1Run = path.join(tmp.dir, 'v1');
  const out = (name: string) => path.join(tmp.dir, 'out', name);
  const user = 3;

  beforeAll(async () => {
    await runInProcess(v2Run, { ...RUN, schemaVersion: 2 });
    await runInProcess(v1Run, { ...RUN, schemaVersion: 1 });
  });
  afterAll(() => tmp.cleanup());

  it("writes one user's streams as Streaming_History_Audio_<years>_<n>.json files, split by size, in time order", async () => {
    const summary = await exportHistories({
      runDir: v2Run,
      format: 'spotify-extended',
      user,
      out: { kind: 'folder', path: out('u3') },
      maxFileBytes: BUDGET,
    });
    expect(fs.readdirSync(out('u3'))).toEqual([FOLDER]);
    const dir = path.join(out('u3'), FOLDER);
    const names = filesOf(dir);
    expect(names.length).toBeGreaterThan(2);
    const files = names.map((name) => ({
      name,
      bytes: fs.statSync(path.join(dir, name)).size,
      streams: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as SpotifyExtendedStream[],
    }));
    files.forEach((f, i) => {
      const m = FILE_NAME.exec(f.name)!;
      expect(m, f.name).not.toBeNull();
      expect(Number(m[3])).toBe(i);
      const [first, last] = [f.streams[0].ts.slice(0, 4), f.streams.at(-1)!.ts.slice(0, 4)];
      expect(m[1]).toBe(first);
      expect(m[2]).toBe(first === last ? undefined : last);
      expect(f.bytes).toBeLessThanOrEqual(BUDGET);
      // a file was closed because the next stream would not fit: ",\n" + that stream
      if (i < files.length - 1) expect(f.bytes + 2 + entryBytes(files[i + 1].streams[0])).toBeGreaterThan(BUDGET);
    });
    expect(files.some((f) => /_\d{4}-\d{4}_/.test(f.name))).toBe(true);
    expect(summary).toEqual({
      usersDone: 1,
      usersTotal: 1,
      streams: files.reduce((n, f) => n + f.streams.length, 0),
      bytes: files.reduce((n, f) => n + f.bytes, 0),
      files: files.length,
    });

    const streams = files.flatMap((f) => f.streams);
    const records = await userRecords(v2Run, user);
    expect(streams).toHaveLength(records.length);
    expect(streams.map((s) => s.ts)).toEqual(streams.map((s) => s.ts).sort());
    const albums = new Map(records.map((r) => [`${r.artist}\u0000${r.song_name}`, r.album]));
    for (const s of streams) {
      expect(Object.keys(s)).toEqual(REAL_FIELDS);
      expect(s.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(s.master_metadata_album_album_name).toBe(
        albums.get(`${s.master_metadata_album_artist_name}\u0000${s.master_metadata_track_name}`) || s.master_metadata_track_name,
      );
      expect([
        s.episode_name,
        s.episode_show_name,
        s.spotify_episode_uri,
        s.audiobook_title,
        s.audiobook_uri,
        s.audiobook_chapter_uri,
        s.audiobook_chapter_title,
      ]).toEqual(Array(7).fill(null));
    }
    expect(records.some((r) => r.album)).toBe(true);
  });

  it('gives ip_addr from the documentation ranges, one per user, city and network, the same on every export', async () => {
    const progress: number[] = [];
    await exportHistories({
      runDir: v2Run,
      format: 'spotify-extended',
      out: { kind: 'folder', path: out('all') },
      maxFileBytes: BUDGET,
      onProgress: (p) => progress.push(p.usersDone),
    });
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    const byUser = new Map<string, SpotifyExtendedStream[]>();
    for (const u of fs.readdirSync(out('all'))) {
      const dir = path.join(out('all'), u, FOLDER);
      byUser.set(
        u,
        filesOf(dir).flatMap((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as SpotifyExtendedStream[]),
      );
    }
    expect([...byUser.keys()].sort()).toEqual(['user-1', 'user-2', 'user-3', 'user-4', 'user-5']);
    const families = new Set<number>();
    const addressCounts: number[] = [];
    for (const streams of byUser.values()) {
      for (const s of streams) {
        const family = isIP(s.ip_addr);
        expect(family, s.ip_addr).not.toBe(0);
        expect(DOCUMENTATION.check(s.ip_addr, family === 6 ? 'ipv6' : 'ipv4'), s.ip_addr).toBe(true);
        families.add(family);
      }
      addressCounts.push(new Set(streams.map((s) => s.ip_addr)).size);
    }
    expect(families).toEqual(new Set([4, 6]));
    expect(Math.max(...addressCounts)).toBeGreaterThan(1);
    // one address per city and network (mobile or fixed) of the user
    const records = (await userRecords(v2Run, user)).sort((a, b) => a.listening_time.end_time - b.listening_time.end_time);
    const perPlace = new Map<string, Set<string>>();
    byUser.get('user-3')!.forEach((s, i) => {
      const r = records[i];
      expect(s.platform).toBe(r.device);
      const key = `${r.user_location.country}/${r.user_location.city}/${['android', 'ios'].includes(r.device)}`;
      perPlace.set(key, (perPlace.get(key) ?? new Set()).add(s.ip_addr));
    });
    for (const [place, addresses] of perPlace) expect([place, addresses.size]).toEqual([place, 1]);
    // the one-user export agrees with the all-users one
    const alone = filesOf(path.join(out('u3'), FOLDER)).flatMap(
      (n) => JSON.parse(fs.readFileSync(path.join(out('u3'), FOLDER, n), 'utf8')) as SpotifyExtendedStream[],
    );
    expect(alone).toEqual(byUser.get('user-3'));
    expect(leftovers(out('all'))).toEqual([]);
  });

  it('a small analyser in the style of the popular ones finds the top artists the project computes from the AVRO parts', async () => {
    expect(analyse(path.join(out('u3'), FOLDER))).toEqual(await projectTopArtists(v2Run, user));
    expect(analyse(out('all'), 15)).toEqual(await projectTopArtists(v2Run, undefined, 15));
  });

  it('--out FILE.zip holds the same tree, with the same bytes on every export, from v1 and v2 runs and in every time zone', async () => {
    const zip = (run: string, name: string, tz = 'UTC', who = ['--user', String(user)]) => {
      const r = cli(['export', run, '--format', 'spotify-extended', ...who, '--out', out(name), '--max-file-bytes', String(BUDGET)], {
        TZ: tz,
      });
      expect(r.code, r.stderr).toBe(0);
      return fs.readFileSync(out(name));
    };
    const first = zip(v2Run, 'a.zip');
    expect(zip(v2Run, 'b.zip', 'America/New_York').equals(first)).toBe(true);
    expect(zip(v1Run, 'v1.zip', 'Asia/Kolkata').equals(first)).toBe(true);
    expect(analyse(out('a.zip'))).toEqual(analyse(path.join(out('u3'), FOLDER)));
    // an independent reader lists the same files with the same bytes as the folder export
    const listing = spawnSync(
      'python3',
      [
        '-c',
        'import sys,zipfile,hashlib\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, i.date_time, hashlib.sha256(zipfile.ZipFile(sys.argv[1]).read(i)).hexdigest())',
        out('a.zip'),
      ],
      { encoding: 'utf8' },
    );
    const lines = listing.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${FOLDER}/ (1980, 1, 1, 0, 0, 0) e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`);
    const { createHash } = await import('node:crypto');
    expect(lines.slice(1)).toEqual(
      filesOf(path.join(out('u3'), FOLDER)).map(
        (n) =>
          `${FOLDER}/${n} (1980, 1, 1, 0, 0, 0) ${createHash('sha256')
            .update(fs.readFileSync(path.join(out('u3'), FOLDER, n)))
            .digest('hex')}`,
      ),
    );

    const all = zip(v2Run, 'all.zip', 'UTC', []);
    expect(zip(v2Run, 'all-again.zip', 'Pacific/Chatham', []).equals(all)).toBe(true);
    // the CLI makes the users' files on its thread pool, deflated there; made in this one thread, the same bytes
    await exportHistories({
      runDir: v2Run,
      format: 'spotify-extended',
      out: { kind: 'zip', path: out('all-inline.zip') },
      maxFileBytes: BUDGET,
    });
    expect(fs.readFileSync(out('all-inline.zip')).equals(all)).toBe(true);
    expect(analyse(out('all.zip'), 15)).toEqual(analyse(out('all'), 15));
    expect(leftovers(path.join(tmp.dir, 'out'))).toEqual([]);
  });

  it('reports in one line, or as JSON with --json; exports again over an older export', () => {
    const r = cli(['export', v2Run, '--format', 'spotify-extended', '--out', out('all'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual(['out', 'format', 'user', 'users', 'streams', 'files', 'bytes']);
    expect(report).toMatchObject({ out: out('all'), format: 'spotify-extended', user: null, users: 5 });
    // the default 12 MiB budget: one file per user here
    expect(report.files).toBe(5);
    expect(fs.readdirSync(path.join(out('all'), 'user-3', FOLDER))).toEqual([
      expect.stringMatching(/^Streaming_History_Audio_2023-2024_0\.json$/),
    ]);
    const line = cli(['export', v2Run, '--format', 'spotify-extended', '--user', '2', '--out', out('u2.zip')]);
    expect(line.code).toBe(0);
    expect(line.stderr).toMatch(/^\d+ streams of user 2 as spotify-extended in .*u2\.zip \(1 JSON files, \d+ bytes\)\n$/);
  });

  it('answers bad input with one line naming what was wrong, exit 2, before writing anything', () => {
    fs.mkdirSync(out('dir.zip'), { recursive: true });
    const cases: [string[], string][] = [
      [
        [path.join(tmp.dir, 'missing'), '--format', 'spotify-extended', '--out', out('x')],
        `wrapped-etl export: invalid input: RUN_DIR: ${path.join(tmp.dir, 'missing')} does not exist; see: wrapped-etl export --help\n`,
      ],
      [
        [tmp.dir, '--format', 'spotify-extended', '--out', out('x')],
        `wrapped-etl export: invalid input: RUN_DIR: ${tmp.dir} has no _manifest.json: not a finished run folder; see: wrapped-etl export --help\n`,
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--user', '9', '--out', out('x')],
        'wrapped-etl export: invalid input: user: the run has users 1..5, got 9; see: wrapped-etl export --help\n',
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--user', 'me', '--out', out('x')],
        'wrapped-etl export: --user needs a whole number >= 1, got "me"; see: wrapped-etl export --help\n',
      ],
      [
        [v2Run, '--format', 'spotify-extendd', '--out', out('x')],
        'wrapped-etl export: --format must be one of spotify-extended, spotify-basic, got "spotify-extendd"; see: wrapped-etl export --help\n',
      ],
      [
        [v2Run, '--out', out('x')],
        'wrapped-etl export: --format is required: spotify-extended or spotify-basic; see: wrapped-etl export --help\n',
      ],
      [
        [v2Run, '--format', 'spotify-extended'],
        'wrapped-etl export: --out DIR or FILE.zip is required (FILE.json or - for one user as one JSON array); see: wrapped-etl export --help\n',
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--out', out('x.json')],
        `wrapped-etl export: --out ${out('x.json')} holds one user's streams as one JSON array: give --user ID, or --out DIR or FILE.zip for every user; see: wrapped-etl export --help\n`,
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--out', '-'],
        "wrapped-etl export: --out - holds one user's streams as one JSON array: give --user ID, or --out DIR or FILE.zip for every user; see: wrapped-etl export --help\n",
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--out', path.join(v2Run, 'avro', 'part-00000.avro')],
        `wrapped-etl export: --out ${path.join(v2Run, 'avro', 'part-00000.avro')} is a file, not a folder; see: wrapped-etl export --help\n`,
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--out', out('dir.zip')],
        `wrapped-etl export: --out ${out('dir.zip')} is a folder, not a file; see: wrapped-etl export --help\n`,
      ],
      [
        [v2Run, '--format', 'spotify-extended', '--out', out('x'), '--max-file-bytes', '10'],
        'wrapped-etl export: --max-file-bytes needs a whole number >= 1024, got "10"; see: wrapped-etl export --help\n',
      ],
    ];
    for (const [args, message] of cases) {
      const r = cli(['export', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toEqual(message);
    }
    expect(fs.existsSync(out('x'))).toBe(false);
    expect(fs.existsSync(out('x.json'))).toBe(false);
  });

  it('--format spotify-basic lays out the basic account data the same way', async () => {
    await exportHistories({
      runDir: v1Run,
      format: 'spotify-basic',
      user: 2,
      out: { kind: 'folder', path: out('basic') },
      maxFileBytes: 20_000,
    });
    const dir = path.join(out('basic'), 'Spotify Account Data');
    const names = fs.readdirSync(dir).sort((a, b) => Number(/\d+/.exec(a)) - Number(/\d+/.exec(b)));
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(names.map((_, i) => `StreamingHistory_music_${i}.json`));
    const streams = names.flatMap((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as { endTime: string }[]);
    expect(Object.keys(streams[0])).toEqual(['endTime', 'artistName', 'trackName', 'msPlayed']);
    expect(streams).toHaveLength((await userRecords(v1Run, 2)).length);
  });

  it('--help says episodes are not produced and lists the flags it parses', () => {
    const r = cli(['export', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/podcast \(episode_\*\) and audiobook\s+\(audiobook_\*\) fields are always null/);
    expect([...r.stdout.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1])).toEqual(['format', 'user', 'out', 'max-file-bytes', 'json']);
  });
});
