import type { ParquetColumns } from '../../formats/parquet/parquet-file-writer';
import type { ScopeSummary, UserWrapped, WrappedSummary } from './wrapped-types';

/** users.parquet: one row per user; the top-5 lists are repeated columns (lists in DuckDB, Spark, pandas). */
export const USER_COLUMNS: ParquetColumns = {
  user_id: { type: 'INT32' },
  home_country: { type: 'UTF8' },
  home_city: { type: 'UTF8' },
  personality: { type: 'UTF8' },
  inferred_personality: { type: 'UTF8', optional: true },
  axis_fe: { type: 'DOUBLE', optional: true },
  axis_tn: { type: 'DOUBLE', optional: true },
  axis_lv: { type: 'DOUBLE', optional: true },
  axis_cu: { type: 'DOUBLE', optional: true },
  records: { type: 'INT64' },
  plays: { type: 'INT64' },
  minutes: { type: 'DOUBLE' },
  distinct_songs: { type: 'INT32' },
  distinct_artists: { type: 'INT32' },
  most_active_local_hour: { type: 'INT32' },
  skip_rate: { type: 'DOUBLE' },
  top_songs: { type: 'UTF8', repeated: true },
  top_song_artists: { type: 'UTF8', repeated: true },
  top_artists: { type: 'UTF8', repeated: true },
  top_genres: { type: 'UTF8', repeated: true },
};

export function userRow(u: UserWrapped): Record<string, unknown> {
  return {
    user_id: u.user_id,
    home_country: u.home_country,
    home_city: u.home_city,
    personality: u.personality,
    inferred_personality: u.inferred?.personality ?? null,
    axis_fe: u.inferred?.axes.FE ?? null,
    axis_tn: u.inferred?.axes.TN ?? null,
    axis_lv: u.inferred?.axes.LV ?? null,
    axis_cu: u.inferred?.axes.CU ?? null,
    records: u.records,
    plays: u.plays,
    minutes: u.minutes,
    distinct_songs: u.distinct_songs,
    distinct_artists: u.distinct_artists,
    most_active_local_hour: u.most_active_local_hour,
    skip_rate: u.skip_rate,
    top_songs: u.top_songs.map((s) => s.song),
    top_song_artists: u.top_songs.map((s) => s.artist),
    top_artists: u.top_artists.map((a) => a.name),
    top_genres: u.top_genres.map((g) => g.name),
  };
}

/** top-items.parquet: scope 'global' or 'country' (then country is set), kind song/artist/genre, rank from 1. */
export const TOP_ITEM_COLUMNS: ParquetColumns = {
  scope: { type: 'UTF8' },
  country: { type: 'UTF8', optional: true },
  kind: { type: 'UTF8' },
  rank: { type: 'INT32' },
  name: { type: 'UTF8' },
  artist: { type: 'UTF8', optional: true },
  plays: { type: 'INT64' },
  minutes: { type: 'DOUBLE' },
};

/** hourly.parquet: minutes listened per local hour, for the run and each country. */
export const HOURLY_COLUMNS: ParquetColumns = {
  scope: { type: 'UTF8' },
  country: { type: 'UTF8', optional: true },
  hour: { type: 'INT32' },
  minutes: { type: 'DOUBLE' },
};

function scopes(summary: WrappedSummary): [scope: string, country: string | null, figures: ScopeSummary][] {
  return [
    ['global', null, summary.global],
    ...Object.entries(summary.countries).map(([c, s]) => ['country', c, s] as [string, string, ScopeSummary]),
  ];
}

export function* topItemRows(summary: WrappedSummary): Generator<Record<string, unknown>> {
  for (const [scope, country, s] of scopes(summary)) {
    let rank = 0;
    for (const x of s.top_songs)
      yield { scope, country, kind: 'song', rank: ++rank, name: x.song, artist: x.artist, plays: x.plays, minutes: x.minutes };
    rank = 0;
    for (const x of s.top_artists)
      yield { scope, country, kind: 'artist', rank: ++rank, name: x.name, artist: null, plays: x.plays, minutes: x.minutes };
    rank = 0;
    for (const x of s.top_genres)
      yield { scope, country, kind: 'genre', rank: ++rank, name: x.name, artist: null, plays: x.plays, minutes: x.minutes };
  }
}

export function* hourlyRows(summary: WrappedSummary): Generator<Record<string, unknown>> {
  for (const [scope, country, s] of scopes(summary)) {
    for (let hour = 0; hour < 24; hour++) yield { scope, country, hour, minutes: s.minutes_by_local_hour[hour] };
  }
}
