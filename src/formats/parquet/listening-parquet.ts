import type { ListeningRecord } from '../../domain/listening-record';
import type { ListeningRecordV2, SchemaVersion } from '../listening-history-versions';
import type { ParquetColumns } from './parquet-file-writer';

/**
 * ListeningHistory as Parquet: the nested records are flattened to top-level
 * columns named <record field>_<field> (user_location_country,
 * listening_time_start_time, ...); the two listening times are TIMESTAMP_MILLIS
 * (UTC), the same epoch milliseconds as the AVRO longs.
 */
const V1_COLUMNS: ParquetColumns = {
  user_id: { type: 'INT32' },
  user_location_latitude: { type: 'FLOAT' },
  user_location_longitude: { type: 'FLOAT' },
  user_location_country: { type: 'UTF8' },
  user_location_city: { type: 'UTF8' },
  user_location_timezone: { type: 'UTF8' },
  interaction: { type: 'UTF8' },
  song_name: { type: 'UTF8' },
  artist: { type: 'UTF8' },
  genre: { type: 'UTF8' },
  year: { type: 'INT32' },
  popularity: { type: 'INT32' },
  danceability: { type: 'FLOAT' },
  energy: { type: 'FLOAT' },
  length_seconds: { type: 'INT32' },
  listening_time_start_time: { type: 'TIMESTAMP_MILLIS' },
  listening_time_end_time: { type: 'TIMESTAMP_MILLIS' },
  personality: { type: 'UTF8' },
};

const V2_COLUMNS: ParquetColumns = {
  ...V1_COLUMNS,
  session_id: { type: 'UTF8', optional: true },
  device: { type: 'UTF8' },
  reason_start: { type: 'UTF8' },
  reason_end: { type: 'UTF8' },
  shuffle: { type: 'BOOLEAN' },
  offline: { type: 'BOOLEAN' },
  incognito_mode: { type: 'BOOLEAN' },
  album: { type: 'UTF8' },
};

export function listeningParquetColumns(version: SchemaVersion): ParquetColumns {
  return version === 2 ? V2_COLUMNS : V1_COLUMNS;
}

/** One AVRO record (v1 or v2) as one flat Parquet row. */
export function flattenListeningRecord(r: ListeningRecord | ListeningRecordV2): Record<string, unknown> {
  const loc = r.user_location;
  const row: Record<string, unknown> = {
    user_id: r.user_id,
    user_location_latitude: loc.latitude,
    user_location_longitude: loc.longitude,
    user_location_country: loc.country,
    user_location_city: loc.city,
    user_location_timezone: loc.timezone,
    interaction: r.interaction,
    song_name: r.song_name,
    artist: r.artist,
    genre: r.genre,
    year: r.year,
    popularity: r.popularity,
    danceability: r.danceability,
    energy: r.energy,
    length_seconds: r.length_seconds,
    listening_time_start_time: r.listening_time.start_time,
    listening_time_end_time: r.listening_time.end_time,
    personality: r.personality,
  };
  if ('session_id' in r) {
    row.session_id = r.session_id;
    row.device = r.device;
    row.reason_start = r.reason_start;
    row.reason_end = r.reason_end;
    row.shuffle = r.shuffle;
    row.offline = r.offline;
    row.incognito_mode = r.incognito_mode;
    row.album = r.album;
  }
  return row;
}
