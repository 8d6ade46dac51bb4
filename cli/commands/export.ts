import * as path from 'node:path';
import { SPOTIFY_FORMATS, exportUserHistory, type SpotifyFormat } from '../../src/export/spotify-export';
import { writeFileAtomic } from '../../src/runtime/atomic-file';
import { InputError } from '../../src/domain/errors';
import { expectPositionals, parseCommand, usageError, type CommandDef } from '../flags';
import { STDOUT } from '../stdout-out';

const EXPORT = {
  name: 'export',
  args: 'RUN_DIR',
  about: `Writes one user's listening history in Spotify's export formats, so tools written
for real exports can be tried on synthetic listeners:

  spotify-extended  Extended Streaming History (Streaming_History_Audio_*.json): ts, platform,
                    ms_played, conn_country, master_metadata_*, spotify_track_uri,
                    reason_start, reason_end, shuffle, skipped, offline, incognito_mode, ...
  spotify-basic     the basic account-data form (StreamingHistory_music_*.json):
                    endTime, artistName, trackName, msPlayed

Times are UTC. A JSON array, one object per record of the run.`,
  flags: {
    format: { type: 'string', value: 'FORMAT', help: `${SPOTIFY_FORMATS.join(' or ')} (required)` },
    user: { type: 'string', value: 'ID', help: 'the user to export (required)' },
    out: { type: 'string', value: 'FILE.json', help: 'where to write (required; - writes to stdout)' },
    json: { type: 'boolean', help: 'print one JSON line: {"out","user","format","streams"}' },
  },
} as const satisfies CommandDef;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(EXPORT, argv);
  const [runDir] = expectPositionals(EXPORT, positionals, 1, 'one run folder (the one with manifest.json)');
  const format = values.format as SpotifyFormat | undefined;
  if (!format || !SPOTIFY_FORMATS.includes(format)) throw usageError(EXPORT, `--format must be one of ${SPOTIFY_FORMATS.join(', ')}, got ${JSON.stringify(values.format ?? null)}`);
  const user = Number(values.user);
  if (values.user === undefined || !Number.isInteger(user) || user < 1) throw usageError(EXPORT, `--user needs a user id (a whole number >= 1), got ${JSON.stringify(values.user ?? null)}`);
  if (!values.out) throw usageError(EXPORT, '--out FILE.json is required (- for stdout)');
  let streams;
  try {
    streams = await exportUserHistory(path.resolve(runDir), user, format);
  } catch (err) {
    if (err instanceof InputError) throw usageError(EXPORT, err.message);
    throw err;
  }
  const text = JSON.stringify(streams, null, 2) + '\n';
  if (values.out === STDOUT) process.stdout.write(text);
  else writeFileAtomic(path.resolve(values.out), text);
  const report = { out: values.out, user, format, streams: streams.length };
  // with the data on stdout, the report goes to stderr
  const to = values.out === STDOUT || !values.json ? process.stderr : process.stdout;
  to.write(values.json ? JSON.stringify(report) + '\n' : `${streams.length} streams of user ${user} as ${format} in ${values.out === STDOUT ? 'stdout' : values.out}\n`);
}
