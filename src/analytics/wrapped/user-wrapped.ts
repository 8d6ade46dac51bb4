import { countsAsPlay, type ListeningRecord } from '../../domain/listening-record';
import { songKey, splitSongKey, Tally, type TallyJson } from './tally';
import { msToMinutes, TOP_USER, type InferredPersonality, type RankedName, type RankedSong, type UserWrapped } from './wrapped-types';

function rankedSongs(tally: Tally, n: number): RankedSong[] {
  return tally.top(n).map(([key, e]) => ({ ...splitSongKey(key), plays: e.plays, minutes: msToMinutes(e.ms) }));
}

function rankedNames(tally: Tally, n: number): RankedName[] {
  return tally.top(n).map(([name, e]) => ({ name, plays: e.plays, minutes: msToMinutes(e.ms) }));
}

/** The hour with the most listening; the earliest such hour on a tie. */
export function busiestHour(msByHour: number[]): number {
  let best = 0;
  for (let h = 1; h < 24; h++) if (msByHour[h] > msByHour[best]) best = h;
  return best;
}

export function listenedMs(r: ListeningRecord): number {
  return Math.max(0, r.listening_time.end_time - r.listening_time.start_time);
}

/** What a UserWrappedBuilder has accumulated, as JSON: a world carries it from one day to the next. */
export interface UserWrappedState {
  songs: TallyJson;
  artists: TallyJson;
  genres: TallyJson;
  places: TallyJson;
  msByHour: number[];
  records: number;
  plays: number;
  skips: number;
  ms: number;
  personality: string;
}

/** Accumulates the records of one user, then computes the user's Wrapped. */
export class UserWrappedBuilder {
  private readonly songs = new Tally();
  private readonly artists = new Tally();
  private readonly genres = new Tally();
  private readonly places = new Tally();
  private readonly msByHour = new Array<number>(24).fill(0);
  private records = 0;
  private plays = 0;
  private skips = 0;
  private ms = 0;
  private personality = '';

  constructor(readonly userId: number) {}

  /** `hour`: the local hour the stream started, on the clock where it was played */
  add(r: ListeningRecord, hour: number): void {
    const ms = listenedMs(r);
    const played = countsAsPlay(r.interaction);
    this.records++;
    if (played) this.plays++;
    else this.skips++;
    this.ms += ms;
    this.songs.add(songKey(r.artist, r.song_name), played, ms);
    this.artists.add(r.artist, played, ms);
    this.genres.add(r.genre, played, ms);
    this.places.add(`${r.user_location.country}\u0001${r.user_location.city}`, true, ms);
    this.msByHour[hour] += ms;
    this.personality = r.personality;
  }

  state(): UserWrappedState {
    const { records, plays, skips, ms, personality } = this;
    return {
      songs: this.songs.toJSON(),
      artists: this.artists.toJSON(),
      genres: this.genres.toJSON(),
      places: this.places.toJSON(),
      msByHour: [...this.msByHour],
      records,
      plays,
      skips,
      ms,
      personality,
    };
  }

  /** A builder that goes on from a state(): adding more records gives what adding all of them to one builder would. */
  static fromState(userId: number, state: UserWrappedState): UserWrappedBuilder {
    const b = new UserWrappedBuilder(userId);
    b.songs.merge(state.songs);
    b.artists.merge(state.artists);
    b.genres.merge(state.genres);
    b.places.merge(state.places);
    state.msByHour.forEach((ms, h) => (b.msByHour[h] = ms));
    Object.assign(b, { records: state.records, plays: state.plays, skips: state.skips, ms: state.ms, personality: state.personality });
    return b;
  }

  build(inferred: InferredPersonality | null): UserWrapped {
    const [home] = this.places.top(1);
    const [country, city] = home ? home[0].split('\u0001') : ['', ''];
    return {
      user_id: this.userId,
      home_country: country,
      home_city: city,
      personality: this.personality,
      inferred,
      records: this.records,
      plays: this.plays,
      minutes: msToMinutes(this.ms),
      top_songs: rankedSongs(this.songs, TOP_USER),
      top_artists: rankedNames(this.artists, TOP_USER),
      top_genres: rankedNames(this.genres, TOP_USER),
      distinct_songs: this.songs.size,
      distinct_artists: this.artists.size,
      most_active_local_hour: busiestHour(this.msByHour),
      minutes_by_local_hour: this.msByHour.map(msToMinutes),
      skip_rate: this.records ? Math.round((this.skips / this.records) * 10_000) / 10_000 : 0,
    };
  }
}
