import type { ListeningRecord, SimulatedEvent } from '../domain/listening-record';
import { PlaybackContextDeriver, type PlaybackContext } from '../simulation/playback-context';

/** Output schema versions of ListeningHistory; v1 is the seed's contract, v2 adds playback context with defaults. */
const LISTENING_HISTORY_SCHEMA_FILES = {
  1: 'listening-history.avsc',
  2: 'listening-history-v2.avsc',
} as const;

export type SchemaVersion = keyof typeof LISTENING_HISTORY_SCHEMA_FILES;

export function listeningHistorySchemaFile(version: SchemaVersion): string {
  const file = LISTENING_HISTORY_SCHEMA_FILES[version];
  if (!file) throw new Error(`unknown ListeningHistory schema version ${version}; known: 1, 2`);
  return file;
}

export type ListeningRecordV2 = ListeningRecord & PlaybackContext & { album: string };

/** A simulated event in a schema version's shape: v2 adds the playback context (the song's fields come from the catalog). */
export type PartEvent = SimulatedEvent | (SimulatedEvent & PlaybackContext);

/**
 * Maps simulator events to the chosen version's shape: v1 as is, v2 with the
 * playback context derived deterministically from (seed, user, session).
 */
export function eventMapper(version: SchemaVersion, seed: number): (e: SimulatedEvent) => PartEvent {
  if (version === 1) return (e) => e;
  const deriver = new PlaybackContextDeriver(seed);
  return (e) => ({ ...e, ...deriver.next(e, e.session) });
}
