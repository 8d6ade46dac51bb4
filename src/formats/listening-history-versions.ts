import type { ListeningRecord, SimulatedEvent } from '../domain/listening-record';
import { PlaybackContextDeriver, type PlaybackContext } from '../simulation/playback-context';
import { releaseDaysOf } from '../simulation/release-days';
import type { SongTable } from '../simulation/song-table';

/** Output schema versions of ListeningHistory; v1 is the seed's contract, v2 adds playback context with defaults. */
export const LISTENING_HISTORY_SCHEMA_FILES = {
  1: 'listening-history.avsc',
  2: 'listening-history-v2.avsc',
} as const;

export type SchemaVersion = keyof typeof LISTENING_HISTORY_SCHEMA_FILES;

export function listeningHistorySchemaFile(version: SchemaVersion): string {
  const file = LISTENING_HISTORY_SCHEMA_FILES[version];
  if (!file) throw new Error(`unknown ListeningHistory schema version ${version}; known: 1, 2`);
  return file;
}

/** What schema v2 adds to a record: the playback context, and the song's album and release date (days since the epoch). */
export type V2Fields = PlaybackContext & { release_date: number | null };

export type ListeningRecordV2 = ListeningRecord & V2Fields & { album: string };

/** A simulated event in a schema version's shape: v2 adds the playback context and the release date (the song's other fields come from the catalog). */
export type PartEvent = SimulatedEvent | (SimulatedEvent & V2Fields);

/**
 * Maps simulator events to the chosen version's shape: v1 as is, v2 with the
 * playback context derived deterministically from (seed, user, session) and the
 * song's release date.
 */
export function eventMapper(version: SchemaVersion, seed: number, songs: SongTable): (e: SimulatedEvent) => PartEvent {
  if (version === 1) return (e) => e;
  const deriver = new PlaybackContextDeriver(seed);
  const releaseDays = releaseDaysOf(songs);
  return (e) => ({ ...e, ...deriver.next(e, e.session), release_date: releaseDays[e.song] });
}
