import type { ColumnBatch } from '../../formats/avro/column-decoder';
import { USER_BEHAVIOUR_FIELDS, behaviourPlace, newBehaviourEvent } from '../profile/user-behaviour';
import { LocalTime } from '../../domain/local-time';
import { DAY_MS, HOUR_MS } from '../../domain/time-units';
import { countsAsPlay, type Interaction } from '../../domain/listening-record';
import type { PersonalityInference, PersonalityReader } from './personality-inference';
import {
  IdTally,
  NameIds,
  rankedNames,
  rankedSongs,
  ScopeIdTotals,
  SongIds,
  type NameTables,
  type NumberedTotals,
  type PartNames,
} from './id-tallies';
import { busiestHour } from './user-wrapped';
import { msToMinutes, TOP_USER, type InferredPersonality, type UserWrapped } from './wrapped-types';

/**
 * What one part contributes: its users' Wrapped (users live in one part only) and mergeable
 * totals by number, with the names those numbers stand for (each name once per part).
 */
export interface PartAnalysis {
  part: string;
  records: number;
  users: UserWrapped[];
  names: NameTables;
  global: NumberedTotals;
  /** by country code, in code order */
  countries: [string, NumberedTotals][];
}

/** The fields Wrapped reads of a record (with personality inference): the rest of a part is skipped, not decoded. */
export const WRAPPED_FIELDS = [...USER_BEHAVIOUR_FIELDS, 'interaction', 'genre', 'user_location.timezone'];

/** Timezone offsets never change: one cache per thread, so the parts after its first find them computed. */
const clock = new LocalTime();

interface Names extends PartNames {
  places: NameIds;
}

/** One user's counts by number (UserWrappedBuilder's, without a map lookup per key): cleared for the next user. */
class UserCounts {
  readonly songs = new IdTally();
  readonly artists = new IdTally();
  readonly genres = new IdTally();
  readonly places = new IdTally();
  readonly msByHour = new Array<number>(24).fill(0);
  records = 0;
  plays = 0;
  ms = 0;
  personality = '';

  /** UserWrappedBuilder.build of the same events. */
  build(userId: number, inferred: InferredPersonality | null, names: Names): UserWrapped {
    const [home] = this.places.top(1, names.places.names);
    const [country, city] = home === undefined ? ['', ''] : names.places.names[home].split('\u0001');
    return {
      user_id: userId,
      home_country: country,
      home_city: city,
      personality: this.personality,
      inferred,
      records: this.records,
      plays: this.plays,
      minutes: msToMinutes(this.ms),
      top_songs: rankedSongs(this.songs, TOP_USER, names.songs.keys),
      top_artists: rankedNames(this.artists, TOP_USER, names.artists.names),
      top_genres: rankedNames(this.genres, TOP_USER, names.genres.names),
      distinct_songs: this.songs.size,
      distinct_artists: this.artists.size,
      most_active_local_hour: busiestHour(this.msByHour),
      minutes_by_local_hour: this.msByHour.map(msToMinutes),
      skip_rate: this.records ? Math.round(((this.records - this.plays) / this.records) * 10_000) / 10_000 : 0,
    };
  }

  clear(): void {
    this.songs.clear();
    this.artists.clear();
    this.genres.clear();
    this.places.clear();
    this.msByHour.fill(0);
    this.records = this.plays = this.ms = 0;
  }
}

/**
 * Analyses one AVRO part (schema v1 or v2), given as its verified column batches of
 * WRAPPED_FIELDS, straight from the columns: names are numbered once per part and counted
 * in arrays, no object is made per record. A part holds its users' records one user after
 * another, so one user is counted at a time; a user seen again later (not how the generator
 * writes) is an error rather than a silent split. Gives what UserWrappedBuilder and
 * ScopeTotals give for the same records.
 */
export function analyzePart(
  batches: Iterable<ColumnBatch>,
  part: string,
  infer: PersonalityInference,
  onProgress: (records: number) => void = () => {},
): PartAnalysis {
  const artists = new NameIds();
  const names: Names = { artists, songs: new SongIds(artists), genres: new NameIds(), places: new NameIds() };
  const countryIds = new NameIds();
  const cityIds = new NameIds();
  /** per place number (country and city): its Wrapped key and its behaviour key */
  const placeOf = new Map<number, number>();
  const behaviourPlaces: string[] = [];
  const global = new ScopeIdTotals(false);
  const countries: ScopeIdTotals[] = [];
  const users: UserWrapped[] = [];
  const finished = new Set<number>();
  const user = new UserCounts();
  const event = newBehaviourEvent();
  let userId = NaN;
  let personality: PersonalityReader | undefined;
  let records = 0;

  const finishUser = () => {
    if (!personality) return;
    users.push(user.build(userId, personality.finish(), names));
    finished.add(userId);
    user.clear();
    personality = undefined;
  };

  for (const batch of batches) {
    const userIds = batch.numbers('user_id');
    const countryCol = batch.strings('user_location.country');
    const cityCol = batch.strings('user_location.city');
    const timezones = batch.strings('user_location.timezone');
    const interactions = batch.strings('interaction');
    const titles = batch.strings('song_name');
    const artistCol = batch.strings('artist');
    const genreCol = batch.strings('genre');
    const years = batch.numbers('year');
    const popularities = batch.numbers('popularity');
    const starts = batch.numbers('listening_time.start_time');
    const ends = batch.numbers('listening_time.end_time');
    const personalities = batch.strings('personality');
    for (let row = 0; row < batch.length; row++) {
      const id = userIds[row];
      if (id !== userId || !personality) {
        finishUser();
        if (finished.has(id)) throw new Error(`${part}: the records of user ${id} are not contiguous`);
        userId = id;
        personality = infer(id);
      }
      const country = countryCol[row]!;
      const city = cityCol[row]!;
      const countryId = countryIds.id(country);
      // (a number key: countries are ISO codes, far fewer than 4096)
      const placeKey = cityIds.id(city) * 4096 + countryId;
      let place = placeOf.get(placeKey);
      if (place === undefined) {
        if (countryId >= 4096) throw new Error(`${part}: more than 4096 countries`);
        place = names.places.id(`${country}\u0001${city}`);
        placeOf.set(placeKey, place);
        behaviourPlaces[place] = behaviourPlace(country, city);
      }
      const artist = artists.id(artistCol[row]!);
      const song = names.songs.id(artist, titles[row]!);
      const genre = names.genres.id(genreCol[row]!);
      const start = starts[row];
      const end = ends[row];
      const ms = Math.max(0, end - start);
      const played = countsAsPlay(interactions[row] as Interaction);
      const local = start + clock.offsetMs(timezones[row]!, start);
      const day = Math.floor(local / DAY_MS);
      const hour = Math.floor((local - day * DAY_MS) / HOUR_MS);
      // day 0 (1970-01-01) was a Thursday: weekday 3, Monday first
      const weekday = (((day + 3) % 7) + 7) % 7;

      event.newSong = !user.songs.counted(song);
      event.knownArtist = user.artists.counted(artist);
      event.personality = personalities[row]!;
      event.year = years[row];
      event.popularity = popularities[row];
      event.start = start;
      event.end = end;
      event.place = behaviourPlaces[place];
      personality.add(event);

      user.records++;
      if (played) user.plays++;
      user.ms += ms;
      user.songs.add(song, played, ms);
      user.artists.add(artist, played, ms);
      user.genres.add(genre, played, ms);
      user.places.add(place, true, ms);
      user.msByHour[hour] += ms;
      user.personality = event.personality;

      global.add(id, song, artist, genre, played, ms, hour, weekday);
      (countries[countryId] ??= new ScopeIdTotals(true)).add(id, song, artist, genre, played, ms, hour, weekday);
      if (++records % 20_000 === 0) onProgress(records);
    }
  }
  finishUser();
  return {
    part,
    records,
    users,
    names: { songs: names.songs.keys, artists: artists.names, genres: names.genres.names },
    global: global.numbered(),
    countries: countryIds.names
      .map((c, i) => [c, countries[i]] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([c, t]) => [c, t.numbered()]),
  };
}
