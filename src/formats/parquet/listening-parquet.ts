import type { ListeningRecord } from '../../domain/listening-record';
import type { ListeningRecordV2, SchemaVersion } from '../listening-history-versions';
import type { FlatColumn, RowShredder } from './flat-column';

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

/** listeningParquetColumns' values, stored straight from the record's fields (see RowShredder). */
const V1_SHREDDER: RowShredder<ListeningRecord> = (slot) => {
  const [userId, latitude, longitude, country, city, timezone, interaction, song, artist, genre] = [
    'user_id',
    'user_location_latitude',
    'user_location_longitude',
    'user_location_country',
    'user_location_city',
    'user_location_timezone',
    'interaction',
    'song_name',
    'artist',
    'genre',
  ].map(slot);
  const [year, popularity, danceability, energy, length, start, end, personality] = [
    'year',
    'popularity',
    'danceability',
    'energy',
    'length_seconds',
    'listening_time_start_time',
    'listening_time_end_time',
    'personality',
  ].map(slot);
  return (r, i) => {
    userId.set(i, r.user_id);
    const location = r.user_location;
    latitude.set(i, location.latitude);
    longitude.set(i, location.longitude);
    country.set(i, location.country);
    city.set(i, location.city);
    timezone.set(i, location.timezone);
    interaction.set(i, r.interaction);
    song.set(i, r.song_name);
    artist.set(i, r.artist);
    genre.set(i, r.genre);
    year.set(i, r.year);
    popularity.set(i, r.popularity);
    danceability.set(i, r.danceability);
    energy.set(i, r.energy);
    length.set(i, r.length_seconds);
    start.set(i, r.listening_time.start_time);
    end.set(i, r.listening_time.end_time);
    personality.set(i, r.personality);
  };
};

const V2_SHREDDER: RowShredder<ListeningRecordV2> = (slot) => {
  const v1 = V1_SHREDDER(slot);
  const [session, device, reasonStart, reasonEnd, shuffle, offline, incognito, album] = [
    'session_id',
    'device',
    'reason_start',
    'reason_end',
    'shuffle',
    'offline',
    'incognito_mode',
    'album',
  ].map(slot);
  return (r, i) => {
    v1(r, i);
    session.set(i, r.session_id);
    device.set(i, r.device);
    reasonStart.set(i, r.reason_start);
    reasonEnd.set(i, r.reason_end);
    shuffle.set(i, r.shuffle);
    offline.set(i, r.offline);
    incognito.set(i, r.incognito_mode);
    album.set(i, r.album);
  };
};

/** The fast path that fills listeningParquetColumns(version) from a record. */
export function listeningParquetShredder(version: SchemaVersion): RowShredder<ListeningRecord | ListeningRecordV2> {
  return (version === 2 ? V2_SHREDDER : V1_SHREDDER) as RowShredder<ListeningRecord | ListeningRecordV2>;
}
