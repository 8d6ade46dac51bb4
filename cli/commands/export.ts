import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SPOTIFY_FORMATS, exportUserHistory, type SpotifyFormat } from '../../src/export/spotify-export';
import { writeFileAtomic } from '../../src/runtime/atomic-file';
import { InputError } from '../../src/domain/errors';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl export RUN_DIR --format FORMAT --user ID --out FILE.json

Writes one user's listening history in Spotify's export formats, so tools written
for real exports can be tried on synthetic listeners:

  spotify-extended  Extended Streaming History (Streaming_History_Audio_*.json): ts, platform,
                    ms_played, conn_country, master_metadata_*, spotify_track_uri,
                    reason_start, reason_end, shuffle, skipped, offline, incognito_mode, ...
  spotify-basic     the basic account-data form (StreamingHistory_music_*.json):
                    endTime, artistName, trackName, msPlayed

Times are UTC. A JSON array, one object per record of the run.
`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { format: { type: 'string' }, user: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one run folder (the one with manifest.json)');
  const format = values.format as SpotifyFormat | undefined;
  if (!format || !SPOTIFY_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${SPOTIFY_FORMATS.join(', ')}, got ${JSON.stringify(values.format ?? null)}`);
  const user = Number(values.user);
  if (values.user === undefined || !Number.isInteger(user) || user < 1) throw new UsageError(`--user needs a user id (a whole number >= 1), got ${JSON.stringify(values.user ?? null)}`);
  if (!values.out) throw new UsageError('--out FILE.json is required');
  let streams;
  try {
    streams = await exportUserHistory(path.resolve(positionals[0]), user, format);
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  writeFileAtomic(path.resolve(values.out), JSON.stringify(streams, null, 2) + '\n');
  process.stderr.write(`${streams.length} streams of user ${user} as ${format} in ${values.out}\n`);
}
