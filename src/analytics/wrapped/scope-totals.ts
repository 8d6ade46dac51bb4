import { countsAsPlay, type ListeningRecord } from '../../domain/listening-record';
import type { NameIds, NumberedTally, NumberedTotals, ScopeCounts } from './id-tallies';
import { songKey, Tally, type TallyJson } from './tally';
import { listenedMs } from './user-wrapped';

export interface ScopeTotalsJson extends ScopeCounts {
  songs: TallyJson;
  artists: TallyJson;
  genres: TallyJson;
}

/** ScopeTotals with the users it has seen, so that a later day's records of the same users do not count them again. */
export interface ScopeTotalsState extends ScopeTotalsJson {
  seenUsers: number[];
}

/** A tally's counts by number, numbering its keys in `ids`. */
function numberedTally(tally: Tally, ids: NameIds): NumberedTally {
  const n = tally.size;
  const out: NumberedTally = { ids: new Int32Array(n), plays: new Float64Array(n), events: new Float64Array(n), ms: new Float64Array(n) };
  let i = 0;
  for (const [key, e] of tally.entries) {
    out.ids[i] = ids.id(key);
    out.plays[i] = e.plays;
    out.events[i] = e.events;
    out.ms[i] = e.ms;
    i++;
  }
  return out;
}

/**
 * Totals of one scope (the run, or one country) keyed by name: a world shard's, carried from
 * day to day in its snapshots (state), and handed to the merge by number (numbered).
 */
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

  /** The totals by number, numbering their names in `names` (songs by songKey). */
  numbered(names: { songs: NameIds; artists: NameIds; genres: NameIds }): NumberedTotals {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      ms: this.ms,
      msByHour: [...this.msByHour],
      streamsByWeekdayHour: [...this.streamsByWeekdayHour],
      songs: numberedTally(this.songs, names.songs),
      artists: numberedTally(this.artists, names.artists),
      genres: numberedTally(this.genres, names.genres),
    };
  }

  state(): ScopeTotalsState {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      ms: this.ms,
      msByHour: [...this.msByHour],
      streamsByWeekdayHour: [...this.streamsByWeekdayHour],
      songs: this.songs.toJSON(),
      artists: this.artists.toJSON(),
      genres: this.genres.toJSON(),
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
}
