import * as fs from 'node:fs';
import * as path from 'node:path';
import { SPOTIFY_FORMATS, exportUserHistory, openRun, type SpotifyFormat } from '../../src/export/spotify-export';
import { exportHistories, type ExportProgress, type ExportSummary } from '../../src/export/export-histories';
import { ThreadPool } from '../../src/runtime/thread-pool';
import { DEFAULT_MAX_FILE_BYTES, HISTORY_LAYOUTS } from '../../src/export/history-files';
import { removeStaleTempFiles, writeFileAtomic } from '../../src/runtime/atomic-file';
import { InputError } from '../../src/domain/errors';
import { expectPositionals, parseCommand, usageError, wholeFlag, type CommandDef } from '../flags';
import { eta, fit, human, ProgressBar } from '../progress-bar';
import { STDOUT } from '../stdout-out';
import { checkOutputPlace, checkReplaceable } from '../../src/runtime/output-place';
import { isExportJson, isExportZip } from '../../src/export/export-output';
import { isS3Location } from '../../src/runtime/storage/s3-location';

const EXTENDED = HISTORY_LAYOUTS['spotify-extended'].folder;

const EXPORT = {
  name: 'export',
  args: 'RUN_DIR',
  about: `Writes listening histories in Spotify's export formats, laid out as in a real
my_spotify_data.zip, so tools written for real exports can be tried on synthetic listeners:

  spotify-extended  Extended Streaming History: "${EXTENDED}/"
                    with Streaming_History_Audio_<years>_<n>.json (e.g. _2023-2024_0, _2024_1),
                    fields ts, platform, ms_played, conn_country, ip_addr,
                    master_metadata_*, spotify_track_uri, episode_*, audiobook_*,
                    reason_start, reason_end, shuffle, skipped, offline,
                    offline_timestamp, incognito_mode
  spotify-basic     the basic account data: "Spotify Account Data/StreamingHistory_music_<n>.json"
                    with endTime, artistName, trackName, msPlayed

Where it goes (--out):
  DIR        with --user: DIR/<export folder>/...; without: DIR/user-<id>/<export folder>/...
             (ids padded to the run's largest, e.g. user-007); each folder appears complete
  FILE.zip   a zip of exactly that tree; the same run gives the same bytes
  FILE.json  with --user only: the user's streams as one JSON array
  -          with --user only: that JSON array on stdout
Always on this machine: RUN_DIR may be s3://bucket/prefix/RUN (read in place,
docs/storage.md), --out may not.

Streams are in time order (ts, UTC, the end of the stream), JSON files split at
--max-file-bytes. Only music is produced: the podcast (episode_*) and audiobook
(audiobook_*) fields are always null, and there are no video or podcast files.
ip_addr comes from the documentation ranges (RFC 5737 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24; RFC 3849 2001:db8::/32): one per user, city and mobile or fixed network.`,
  flags: {
    format: { type: 'string', value: 'FORMAT', help: `${SPOTIFY_FORMATS.join(' or ')} (required)` },
    user: { type: 'string', value: 'ID', help: 'the user to export (default: every user of the run)' },
    out: { type: 'string', value: 'DIR|FILE.zip', help: 'where to write (required; see above, also FILE.json or -)' },
    'max-file-bytes': {
      type: 'string',
      value: 'N',
      help: `most bytes per JSON file (default ${DEFAULT_MAX_FILE_BYTES}, 12 MiB, as the real files)`,
    },
    json: {
      type: 'boolean',
      help: 'print one JSON line: {"out","format","user","users","streams","files","bytes"}\n(user: the id, or null for all)',
    },
  },
} as const satisfies CommandDef;

type OutKind = 'folder' | 'zip' | 'json' | 'stdout';

function outKind(out: string): OutKind {
  if (out === STDOUT) return 'stdout';
  if (/\.zip$/i.test(out)) return 'zip';
  if (/\.json$/i.test(out)) return 'json';
  return 'folder';
}

/** Everything about --out that can be told before the export starts. */
function checkOut(out: string, kind: OutKind, user: number | undefined): void {
  if ((kind === 'json' || kind === 'stdout') && user === undefined) {
    throw usageError(
      EXPORT,
      `--out ${out} holds one user's streams as one JSON array: give --user ID, or --out DIR or FILE.zip for every user`,
    );
  }
  if (kind === 'stdout') return;
  if (fs.existsSync(out)) {
    const isDir = fs.statSync(out).isDirectory();
    if (kind === 'folder' && !isDir) throw usageError(EXPORT, `--out ${out} is a file, not a folder`);
    if (kind !== 'folder' && isDir) throw usageError(EXPORT, `--out ${out} is a folder, not a file`);
  }
  try {
    checkOutputPlace('out', out);
    if (kind === 'zip') checkReplaceable('out', out, 'an export zip', isExportZip);
    if (kind === 'json') checkReplaceable('out', out, 'an export', isExportJson);
  } catch (err) {
    if (err instanceof InputError) throw usageError(EXPORT, `--out ${err.problem}`);
    throw err;
  }
}

function exportProgress(p: ExportProgress, opts: { elapsedMs: number; columns: number }): string {
  const frac = p.usersTotal ? p.usersDone / p.usersTotal : 0;
  const rate = opts.elapsedMs > 0 ? `${human((p.streams / opts.elapsedMs) * 1000)} streams/s` : '';
  const text = [
    `${(frac * 100).toFixed(0).padStart(3)}%`,
    `${p.usersDone}/${p.usersTotal} users`,
    `${human(p.streams)} streams`,
    `${human(p.bytes)}B`,
    rate,
    eta(frac, opts.elapsedMs),
  ];
  return fit(frac, text.filter(Boolean).join('  '), opts.columns);
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(EXPORT, argv);
  const [runArg] = expectPositionals(EXPORT, positionals, 1, 'one run folder (the one with _manifest.json)');
  const format = values.format as SpotifyFormat | undefined;
  if (!format) throw usageError(EXPORT, `--format is required: ${SPOTIFY_FORMATS.join(' or ')}`);
  if (!SPOTIFY_FORMATS.includes(format))
    throw usageError(EXPORT, `--format must be one of ${SPOTIFY_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  const user = wholeFlag(EXPORT, 'user', values.user, 1);
  if (!values.out) throw usageError(EXPORT, '--out DIR or FILE.zip is required (FILE.json or - for one user as one JSON array)');
  const maxFileBytes = wholeFlag(EXPORT, 'max-file-bytes', values['max-file-bytes'], 1024) ?? DEFAULT_MAX_FILE_BYTES;
  const out = values.out;
  if (isS3Location(out))
    throw usageError(EXPORT, `--out ${out}: an export is written to this machine (DIR, FILE.zip, FILE.json or -), not to a bucket`);
  const kind = outKind(out);
  checkOut(out, kind, user);
  // a run in a bucket is read in place, through the same run reader
  const runDir = isS3Location(runArg) ? runArg : path.resolve(runArg);

  let summary: { users: number; streams: number; files: number; bytes: number };
  try {
    await openRun(runDir, user);
    if (kind === 'json' || kind === 'stdout') {
      const streams = await exportUserHistory(runDir, user!, format);
      const text = JSON.stringify(streams, null, 2) + '\n';
      if (kind === 'stdout') process.stdout.write(text);
      else {
        removeStaleTempFiles(path.resolve(out));
        writeFileAtomic(path.resolve(out), text);
      }
      summary = { users: 1, streams: streams.length, files: 1, bytes: Buffer.byteLength(text) };
    } else {
      const bar = user === undefined ? new ProgressBar<ExportProgress>(process.stderr, exportProgress) : undefined;
      const pool = user === undefined ? new ThreadPool() : undefined;
      let done: ExportSummary;
      try {
        done = await exportHistories({
          runDir,
          format,
          user,
          out: { kind, path: path.resolve(out) },
          maxFileBytes,
          onProgress: (p) => bar?.update(p),
          pool,
        });
      } finally {
        await pool?.close();
      }
      bar?.finish();
      summary = { users: done.usersDone, streams: done.streams, files: done.files, bytes: done.bytes };
    }
  } catch (err) {
    if (err instanceof InputError) throw usageError(EXPORT, err.message);
    throw err;
  }
  const report = { out, format, user: user ?? null, ...summary };
  // with the data on stdout, the report goes to stderr
  const to = kind === 'stdout' || !values.json ? process.stderr : process.stdout;
  const who = user === undefined ? `${summary.users} users` : `user ${user}`;
  const where = kind === 'stdout' ? 'stdout' : out;
  const files = kind === 'folder' || kind === 'zip' ? ` (${summary.files} JSON files, ${summary.bytes} bytes)` : '';
  to.write(values.json ? JSON.stringify(report) + '\n' : `${summary.streams} streams of ${who} as ${format} in ${where}${files}\n`);
}
