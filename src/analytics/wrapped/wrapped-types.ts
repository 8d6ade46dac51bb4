import type { Axis } from '../../domain/personality';

export interface RankedSong {
  song: string;
  artist: string;
  plays: number;
  minutes: number;
}

export interface RankedName {
  name: string;
  plays: number;
  minutes: number;
}

/** The personality read from behaviour alone; axis scores > 0 lean to Familiarity, Newness, Loyalty, Commonality. */
export interface InferredPersonality {
  personality: string;
  axes: Record<Axis, number>;
}

/** One user's Wrapped. */
export interface UserWrapped {
  user_id: number;
  /** where the user listened most often (travel aside) */
  home_country: string;
  home_city: string;
  /** the personality the generator assigned (the records' personality field) */
  personality: string;
  inferred: InferredPersonality | null;
  records: number;
  /** streams that were not skipped */
  plays: number;
  minutes: number;
  top_songs: RankedSong[];
  top_artists: RankedName[];
  top_genres: RankedName[];
  distinct_songs: number;
  distinct_artists: number;
  /** local hour (0-23) with the most minutes, by the start of each stream on the clock where it was played */
  most_active_local_hour: number;
  minutes_by_local_hour: number[];
  skip_rate: number;
}

/** The figures of the whole run or of one country (streams played there). */
export interface ScopeSummary {
  records: number;
  plays: number;
  users: number;
  minutes: number;
  skip_rate: number;
  top_songs: RankedSong[];
  top_artists: RankedName[];
  top_genres: RankedName[];
  minutes_by_local_hour: number[];
  /** streams started per local weekday (rows Monday..Sunday) and hour (columns 0..23) */
  streams_by_local_weekday_hour: number[][];
}

export interface WrappedSummary {
  runId: string;
  runDir: string;
  parts: number;
  global: ScopeSummary;
  countries: Record<string, ScopeSummary>;
  /** users whose inferred personality equals the assigned one, of those with an inference */
  personality_inference: { users: number; matches: number } | null;
}

export const TOP_USER = 5;
export const TOP_GLOBAL = 10;
export const TOP_COUNTRY = 5;

export const msToMinutes = (ms: number): number => Math.round(ms / 600) / 100;

/** One point of a user's timeline in a world: their Wrapped so far at the end of a month (or the last day). */
export interface TimelinePoint {
  day: string;
  top_songs: RankedSong[];
  inferred: InferredPersonality | null;
}
