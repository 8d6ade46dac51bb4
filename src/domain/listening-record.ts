import type { SimulatedSong } from './song';
import type { Location } from './location';

/** The interactions a record can carry (the seed's set); `interactions` input weights must use these names. */
export const INTERACTIONS = ['played', 'paused', 'skipped', 'repeated', 'added_to_playlist'] as const;
export type Interaction = (typeof INTERACTIONS)[number];

/** A skipped stream is not a play: it counts towards streams and minutes, never towards plays or affinity. */
export function countsAsPlay(interaction: Interaction): boolean {
  return interaction !== 'skipped';
}

/** One record of schemas/listening-history.avsc (the seed's ListeningHistory). */
export interface ListeningRecord {
  user_id: number;
  user_location: Location;
  interaction: Interaction;
  song_name: string;
  artist: string;
  genre: string;
  year: number;
  popularity: number;
  danceability: number;
  energy: number;
  length_seconds: number;
  listening_time: { start_time: number; end_time: number };
  personality: string;
}

/** Where each of a record's song fields comes from in its SimulatedSong. */
export const RECORD_SONG_FIELDS = {
  song_name: 'title',
  artist: 'artist',
  genre: 'genre',
  year: 'year',
  popularity: 'popularity',
  danceability: 'danceability',
  energy: 'energy',
  length_seconds: 'length_seconds',
  album: 'album',
} as const satisfies Record<string, keyof SimulatedSong>;

export type RecordSongField = keyof typeof RECORD_SONG_FIELDS;

/**
 * One stream as the simulator yields it: the record's own fields, and the song by its
 * number in the catalog the run simulated (the part formats read the song's fields from there).
 */
export interface SimulatedEvent {
  user_id: number;
  user_location: Location;
  interaction: Interaction;
  /** the song's number in the run's catalog (its SongTable) */
  song: number;
  listening_time: { start_time: number; end_time: number };
  personality: string;
  /** the 0-based index of the user's session among those with events */
  session: number;
  device: string;
}

/** The event of one stream: who, where, which song, when, in which of the user's sessions. */
export function simulatedEvent(
  user: { userId: number; personality: string },
  location: Location,
  interaction: Interaction,
  song: number,
  start: number,
  end: number,
  session: number,
  device: string,
): SimulatedEvent {
  return {
    user_id: user.userId,
    user_location: location,
    interaction,
    song,
    listening_time: { start_time: start, end_time: end },
    personality: user.personality,
    session,
    device,
  };
}
