import type { ListeningRecord, SimulatedRecord } from '../domain/listening-record';
import { PlaybackContextDeriver, type PlaybackContext } from '../simulation/playback-context';

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

export type ListeningRecordV2 = ListeningRecord & PlaybackContext & { album: string };

/**
 * Maps simulator records to the chosen version's shape: v1 as is, v2 with the
 * playback context derived deterministically from (seed, user, session).
 */
export function recordMapper(version: SchemaVersion, seed: number): (r: SimulatedRecord) => ListeningRecord | ListeningRecordV2 {
  if (version === 1) return (r) => r;
  const deriver = new PlaybackContextDeriver(seed);
  return (r) => {
    if (r.session === undefined) throw new Error(`schema v2 needs the session index of each simulated record (user ${r.user_id})`);
    return { ...r, ...deriver.next(r, r.session), album: r.album ?? '' };
  };
}
