import { RECORD_SONG_FIELDS, type RecordSongField, type SimulatedEvent } from '../../domain/listening-record';
import type { SongTable } from '../../simulation/song-table';
import type { PartEvent, SchemaVersion, V2Fields } from '../listening-history-versions';
import type { FlatColumn, RowShredder } from './flat-column';

type ListeningColumn = FlatColumn<PartEvent>;
type V2Event = SimulatedEvent & V2Fields;

/**
 * ListeningHistory as Parquet: the nested records are flattened to top-level
 * columns named <record field>_<field> (user_location_country,
 * listening_time_start_time, ...); the two listening times are TIMESTAMP(MILLIS, UTC),
 * the same epoch milliseconds as the AVRO longs. The song's columns take their values
 * from the event's song number in the run's catalog (the row key): once per distinct
 * song of a row group, not once per row.
 */
export function listeningParquetColumns(version: SchemaVersion, songs: SongTable): ListeningColumn[] {
  // a song's column: named as the record field, read from the catalog once per distinct song of a row group
  const song = (name: RecordSongField, type: 'STRING' | 'INT32' | 'FLOAT'): ListeningColumn => ({
    name,
    type,
    ofKey: (key) => songs.song(key)[RECORD_SONG_FIELDS[name]],
  });
  const v1: ListeningColumn[] = [
    { name: 'user_id', type: 'INT32', value: (e) => e.user_id },
    { name: 'user_location_latitude', type: 'FLOAT', value: (e) => e.user_location.latitude },
    { name: 'user_location_longitude', type: 'FLOAT', value: (e) => e.user_location.longitude },
    { name: 'user_location_country', type: 'STRING', value: (e) => e.user_location.country },
    { name: 'user_location_city', type: 'STRING', value: (e) => e.user_location.city },
    { name: 'user_location_timezone', type: 'STRING', value: (e) => e.user_location.timezone },
    { name: 'interaction', type: 'STRING', value: (e) => e.interaction },
    song('song_name', 'STRING'),
    song('artist', 'STRING'),
    song('genre', 'STRING'),
    song('year', 'INT32'),
    song('popularity', 'INT32'),
    song('danceability', 'FLOAT'),
    song('energy', 'FLOAT'),
    song('length_seconds', 'INT32'),
    { name: 'listening_time_start_time', type: 'TIMESTAMP_MILLIS_UTC', value: (e) => e.listening_time.start_time },
    { name: 'listening_time_end_time', type: 'TIMESTAMP_MILLIS_UTC', value: (e) => e.listening_time.end_time },
    { name: 'personality', type: 'STRING', value: (e) => e.personality },
  ];
  if (version === 1) return v1;
  const v2 = (value: (e: V2Event) => unknown) => (e: PartEvent) => value(e as V2Event);
  return [
    ...v1,
    { name: 'session_id', type: 'STRING', optional: true, value: v2((e) => e.session_id) },
    { name: 'device', type: 'STRING', value: v2((e) => e.device) },
    { name: 'reason_start', type: 'STRING', value: v2((e) => e.reason_start) },
    { name: 'reason_end', type: 'STRING', value: v2((e) => e.reason_end) },
    { name: 'shuffle', type: 'BOOLEAN', value: v2((e) => e.shuffle) },
    { name: 'offline', type: 'BOOLEAN', value: v2((e) => e.offline) },
    { name: 'incognito_mode', type: 'BOOLEAN', value: v2((e) => e.incognito_mode) },
    song('album', 'STRING'),
    { name: 'release_date', type: 'INT32', optional: true, value: v2((e) => e.release_date) },
  ];
}

/** The row key of listeningParquetColumns: the event's song number. */
export const listeningRowKey = (e: PartEvent): number => e.song;

/** listeningParquetColumns' values (but the song's), stored straight from the event's fields (see RowShredder). */
const V1_SHREDDER: RowShredder<PartEvent> = (slot) => {
  const [userId, latitude, longitude, country, city, timezone, interaction, start, end, personality] = [
    'user_id',
    'user_location_latitude',
    'user_location_longitude',
    'user_location_country',
    'user_location_city',
    'user_location_timezone',
    'interaction',
    'listening_time_start_time',
    'listening_time_end_time',
    'personality',
  ].map(slot);
  return (e, i) => {
    userId.set(i, e.user_id);
    const location = e.user_location;
    latitude.set(i, location.latitude);
    longitude.set(i, location.longitude);
    country.set(i, location.country);
    city.set(i, location.city);
    timezone.set(i, location.timezone);
    interaction.set(i, e.interaction);
    start.set(i, e.listening_time.start_time);
    end.set(i, e.listening_time.end_time);
    personality.set(i, e.personality);
  };
};

const V2_SHREDDER: RowShredder<PartEvent> = (slot) => {
  const v1 = V1_SHREDDER(slot);
  const [session, device, reasonStart, reasonEnd, shuffle, offline, incognito, releaseDate] = [
    'session_id',
    'device',
    'reason_start',
    'reason_end',
    'shuffle',
    'offline',
    'incognito_mode',
    'release_date',
  ].map(slot);
  return (event, i) => {
    v1(event, i);
    const e = event as V2Event;
    session.set(i, e.session_id);
    device.set(i, e.device);
    reasonStart.set(i, e.reason_start);
    reasonEnd.set(i, e.reason_end);
    shuffle.set(i, e.shuffle);
    offline.set(i, e.offline);
    incognito.set(i, e.incognito_mode);
    releaseDate.set(i, e.release_date);
  };
};

/** The fast path that fills listeningParquetColumns(version) from an event. */
export function listeningParquetShredder(version: SchemaVersion): RowShredder<PartEvent> {
  return version === 2 ? V2_SHREDDER : V1_SHREDDER;
}
