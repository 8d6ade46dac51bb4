/** One record of schemas/listening-history.avsc (the seed's ListeningHistory). */
export interface Location {
  latitude: number;
  longitude: number;
  country: string;
  city: string;
  timezone: string;
}

export interface ListeningRecord {
  user_id: number;
  user_location: Location;
  interaction: string;
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

/**
 * A record as the simulator yields it: the v1 record plus `session`, the 0-based index
 * of the user's session it belongs to among those with events, the session's `device`
 * and the song's `album` (not in the v1 schema; the v1 encoder ignores them).
 */
export interface SimulatedRecord extends ListeningRecord {
  session?: number;
  device?: string;
  album?: string;
}
