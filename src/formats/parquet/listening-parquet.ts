import type { ListeningRecord } from '../../domain/listening-record';
import type { ListeningRecordV2, SchemaVersion } from '../listening-history-versions';
import type { FlatColumn } from './flat-column';

type ListeningColumn = FlatColumn<ListeningRecord | ListeningRecordV2>;
type V2Column = FlatColumn<ListeningRecordV2>;

/**
 * ListeningHistory as Parquet: the nested records are flattened to top-level
 * columns named <record field>_<field> (user_location_country,
 * listening_time_start_time, ...); the two listening times are TIMESTAMP(MILLIS, UTC),
 * the same epoch milliseconds as the AVRO longs.
 */
const V1_COLUMNS: ListeningColumn[] = [
  { name: 'user_id', type: 'INT32', value: (r) => r.user_id },
  { name: 'user_location_latitude', type: 'FLOAT', value: (r) => r.user_location.latitude },
  { name: 'user_location_longitude', type: 'FLOAT', value: (r) => r.user_location.longitude },
  { name: 'user_location_country', type: 'STRING', value: (r) => r.user_location.country },
  { name: 'user_location_city', type: 'STRING', value: (r) => r.user_location.city },
  { name: 'user_location_timezone', type: 'STRING', value: (r) => r.user_location.timezone },
  { name: 'interaction', type: 'STRING', value: (r) => r.interaction },
  { name: 'song_name', type: 'STRING', value: (r) => r.song_name },
  { name: 'artist', type: 'STRING', follows: 'song_name', value: (r) => r.artist },
  { name: 'genre', type: 'STRING', follows: 'song_name', value: (r) => r.genre },
  { name: 'year', type: 'INT32', follows: 'song_name', value: (r) => r.year },
  { name: 'popularity', type: 'INT32', follows: 'song_name', value: (r) => r.popularity },
  { name: 'danceability', type: 'FLOAT', follows: 'song_name', value: (r) => r.danceability },
  { name: 'energy', type: 'FLOAT', follows: 'song_name', value: (r) => r.energy },
  { name: 'length_seconds', type: 'INT32', follows: 'song_name', value: (r) => r.length_seconds },
  { name: 'listening_time_start_time', type: 'TIMESTAMP_MILLIS_UTC', value: (r) => r.listening_time.start_time },
  { name: 'listening_time_end_time', type: 'TIMESTAMP_MILLIS_UTC', value: (r) => r.listening_time.end_time },
  { name: 'personality', type: 'STRING', value: (r) => r.personality },
];

const V2_ONLY: V2Column[] = [
  { name: 'session_id', type: 'STRING', optional: true, value: (r) => r.session_id },
  { name: 'device', type: 'STRING', value: (r) => r.device },
  { name: 'reason_start', type: 'STRING', value: (r) => r.reason_start },
  { name: 'reason_end', type: 'STRING', value: (r) => r.reason_end },
  { name: 'shuffle', type: 'BOOLEAN', value: (r) => r.shuffle },
  { name: 'offline', type: 'BOOLEAN', value: (r) => r.offline },
  { name: 'incognito_mode', type: 'BOOLEAN', value: (r) => r.incognito_mode },
  { name: 'album', type: 'STRING', follows: 'song_name', value: (r) => r.album },
];

const V2_COLUMNS = [...V1_COLUMNS, ...V2_ONLY] as ListeningColumn[];

/** The Parquet columns of a ListeningHistory version, each with how it reads its value from a record. */
export function listeningParquetColumns(version: SchemaVersion): ListeningColumn[] {
  return version === 2 ? V2_COLUMNS : V1_COLUMNS;
}
