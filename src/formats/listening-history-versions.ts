import type { ListeningRecord, SimulatedEvent } from '../domain/listening-record';
import type { SimulatedSong } from '../domain/song';
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

/**
 * Events' whole records in their version's shape, their song's fields filled in, for
 * formats that read records: one object, refilled by each call (a reader must be done
 * with a record before asking for the next).
 */
export class EventRecords {
  private readonly record: ListeningRecord & Partial<ListeningRecordV2>;

  constructor(private readonly version: SchemaVersion) {
    this.record = {
      user_id: 0,
      user_location: { latitude: 0, longitude: 0, country: '', city: '', timezone: '' },
      interaction: 'played',
      song_name: '',
      artist: '',
      genre: '',
      year: 0,
      popularity: 0,
      danceability: 0,
      energy: 0,
      length_seconds: 0,
      listening_time: { start_time: 0, end_time: 0 },
      personality: '',
    };
    if (version === 2)
      Object.assign(this.record, {
        session_id: null,
        device: '',
        reason_start: '',
        reason_end: '',
        shuffle: false,
        offline: false,
        incognito_mode: false,
        album: '',
      });
  }

  of(event: PartEvent, song: SimulatedSong): ListeningRecord | ListeningRecordV2 {
    const r = this.record;
    r.user_id = event.user_id;
    r.user_location = event.user_location;
    r.interaction = event.interaction;
    r.song_name = song.title;
    r.artist = song.artist;
    r.genre = song.genre;
    r.year = song.year;
    r.popularity = song.popularity;
    r.danceability = song.danceability;
    r.energy = song.energy;
    r.length_seconds = song.length_seconds;
    r.listening_time = event.listening_time;
    r.personality = event.personality;
    if (this.version === 2) {
      if (!('reason_start' in event)) throw new Error(`a schema v2 record needs the playback context of its event (user ${event.user_id})`);
      r.session_id = event.session_id;
      r.device = event.device;
      r.reason_start = event.reason_start;
      r.reason_end = event.reason_end;
      r.shuffle = event.shuffle;
      r.offline = event.offline;
      r.incognito_mode = event.incognito_mode;
      r.album = song.album;
    }
    return r as ListeningRecord | ListeningRecordV2;
  }
}
