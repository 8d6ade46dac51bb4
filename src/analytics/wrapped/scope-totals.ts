import { countsAsPlay, type ListeningRecord } from '../../domain/listening-record';
import { songKey, Tally, type TallyJson } from './tally';
import { listenedMs, rankedNames, rankedSongs } from './user-wrapped';
import { msToMinutes, type ScopeSummary } from './wrapped-types';

export interface ScopeTotalsJson {
  records: number;
  plays: number;
  users: number;
  ms: number;
  msByHour: number[];
  /** streams started per local weekday (Monday first) x hour: index weekday * 24 + hour */
  streamsByWeekdayHour: number[];
  songs: TallyJson;
  artists: TallyJson;
  genres: TallyJson;
}

/** ScopeTotals with the users it has seen, so that a later day's records of the same users do not count them again. */
export interface ScopeTotalsState extends ScopeTotalsJson {
  seenUsers: number[];
}

/** Mergeable totals of one scope (the run, or one country): what parts add up and the summary ranks. */
export class ScopeTotals {
  records = 0;
  plays = 0;
  ms = 0;
  users = 0;
  readonly msByHour = new Array<number>(24).fill(0);
  readonly streamsByWeekdayHour = new Array<number>(7 * 24).fill(0);
  readonly songs = new Tally();
  readonly artists = new Tally();
  readonly genres = new Tally();
  private readonly seenUsers = new Set<number>();

  /** `weekday`: 0 for Monday .. 6 for Sunday, local like `hour` */
  add(r: ListeningRecord, hour: number, weekday: number): void {
    const ms = listenedMs(r);
    this.streamsByWeekdayHour[weekday * 24 + hour]++;
    const played = countsAsPlay(r.interaction);
    this.records++;
    if (played) this.plays++;
    this.ms += ms;
    this.msByHour[hour] += ms;
    this.songs.add(songKey(r.artist, r.song_name), played, ms);
    this.artists.add(r.artist, played, ms);
    this.genres.add(r.genre, played, ms);
    if (!this.seenUsers.has(r.user_id)) {
      this.seenUsers.add(r.user_id);
      this.users++;
    }
  }

  /** Users of different parts are different users, so user counts add up. */
  merge(json: ScopeTotalsJson): void {
    this.records += json.records;
    this.plays += json.plays;
    this.ms += json.ms;
    this.users += json.users;
    json.msByHour.forEach((ms, h) => (this.msByHour[h] += ms));
    // world snapshots written before the weekday x hour grid have none
    (json.streamsByWeekdayHour ?? []).forEach((n, i) => (this.streamsByWeekdayHour[i] += n));
    this.songs.merge(json.songs);
    this.artists.merge(json.artists);
    this.genres.merge(json.genres);
  }

  toJSON(): ScopeTotalsJson {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      ms: this.ms,
      msByHour: this.msByHour,
      streamsByWeekdayHour: this.streamsByWeekdayHour,
      songs: this.songs.toJSON(),
      artists: this.artists.toJSON(),
      genres: this.genres.toJSON(),
    };
  }

  state(): ScopeTotalsState {
    return {
      ...this.toJSON(),
      msByHour: [...this.msByHour],
      streamsByWeekdayHour: [...this.streamsByWeekdayHour],
      seenUsers: [...this.seenUsers],
    };
  }

  static fromState(state: ScopeTotalsState): ScopeTotals {
    const t = new ScopeTotals();
    const { seenUsers, ...totals } = state;
    t.merge(totals);
    for (const u of seenUsers) t.seenUsers.add(u);
    return t;
  }

  summary(top: number): ScopeSummary {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      minutes: msToMinutes(this.ms),
      skip_rate: this.records ? Math.round(((this.records - this.plays) / this.records) * 10_000) / 10_000 : 0,
      top_songs: rankedSongs(this.songs, top),
      top_artists: rankedNames(this.artists, top),
      top_genres: rankedNames(this.genres, top),
      minutes_by_local_hour: this.msByHour.map(msToMinutes),
      streams_by_local_weekday_hour: Array.from({ length: 7 }, (_, d) => this.streamsByWeekdayHour.slice(d * 24, d * 24 + 24)),
    };
  }
}
