import { bestOf, songKey, splitSongKey } from './tally';
import { msToMinutes, type RankedName, type RankedSong, type ScopeSummary } from './wrapped-types';

/**
 * A part's names numbered in order of first use, so that its tallies count in arrays by
 * number instead of in maps keyed by strings (one map lookup per name and event, on strings
 * the column decoder hands out once per distinct value, whose hashes V8 keeps).
 */
export class NameIds {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }
}

/** Songs numbered by artist and title (two artists' songs of one title stay apart); keys are songKey's. */
export class SongIds {
  readonly keys: string[] = [];
  private readonly artistOf: number[] = [];
  /** the first song of each title: most titles have one artist, found with one lookup */
  private readonly byTitle = new Map<string, number>();
  private readonly byKey = new Map<string, number>();

  constructor(private readonly artists: NameIds) {}

  id(artist: number, title: string): number {
    const first = this.byTitle.get(title);
    if (first !== undefined && this.artistOf[first] === artist) return first;
    const key = songKey(this.artists.names[artist], title);
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.artistOf.push(artist);
      this.byKey.set(key, id);
      if (first === undefined) this.byTitle.set(title, id);
    }
    return id;
  }
}

function grown(a: Float64Array<ArrayBuffer>, index: number): Float64Array<ArrayBuffer> {
  let n = Math.max(64, a.length);
  while (n <= index) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** A tally as it moves between threads and files: names by number (into a name table) with their counts. */
export interface NumberedTally {
  ids: Int32Array;
  plays: Float64Array;
  events: Float64Array;
  ms: Float64Array;
}

/** The names a part's numbered totals refer to: songs by songKey, artists, genres. */
export interface NameTables {
  songs: readonly string[];
  artists: readonly string[];
  genres: readonly string[];
}

/** A scope's counts beside its tallies. */
export interface ScopeCounts {
  records: number;
  plays: number;
  users: number;
  ms: number;
  msByHour: number[];
  /** streams started per local weekday (Monday first) x hour: index weekday * 24 + hour */
  streamsByWeekdayHour: number[];
}

/** One scope's totals (the run's, or one country's) by number: what parts hand to the merge. */
export interface NumberedTotals extends ScopeCounts {
  songs: NumberedTally;
  artists: NumberedTally;
  genres: NumberedTally;
}

/** Counts (plays, events, milliseconds) by number, in arrays: a user's, a part's or the merged run's. */
export class IdTally {
  private plays = new Float64Array(0);
  private events = new Float64Array(0);
  private ms = new Float64Array(0);
  /** the numbers counted, in order of first count */
  readonly ids: number[] = [];

  add(id: number, played: boolean, ms: number): void {
    this.addCounts(id, played ? 1 : 0, 1, ms);
  }

  addCounts(id: number, plays: number, events: number, ms: number): void {
    if (id >= this.events.length) {
      this.plays = grown(this.plays, id);
      this.events = grown(this.events, id);
      this.ms = grown(this.ms, id);
    }
    if (this.events[id] === 0) this.ids.push(id);
    this.plays[id] += plays;
    this.events[id] += events;
    this.ms[id] += ms;
  }

  get size(): number {
    return this.ids.length;
  }

  counted(id: number): boolean {
    return id < this.events.length && this.events[id] !== 0;
  }

  playsOf(id: number): number {
    return this.plays[id];
  }

  msOf(id: number): number {
    return this.ms[id];
  }

  /** Forgets every count, in time proportional to the numbers counted (for the next user). */
  clear(): void {
    for (const id of this.ids) this.plays[id] = this.events[id] = this.ms[id] = 0;
    this.ids.length = 0;
  }

  /** The first `n` numbers ranked by plays, then milliseconds listened, then name: Tally.top's order. */
  top(n: number, keys: readonly string[]): number[] {
    const { plays, ms } = this;
    return bestOf(this.ids, n, (a, b) =>
      plays[a] !== plays[b] ? plays[a] > plays[b] : ms[a] !== ms[b] ? ms[a] > ms[b] : keys[a] < keys[b],
    );
  }

  /** The counts as numbered columns; `numberOf` renumbers (a sparse tally's slots back to names' numbers). */
  numbered(numberOf: (id: number) => number = (id) => id): NumberedTally {
    const n = this.ids.length;
    const out: NumberedTally = { ids: new Int32Array(n), plays: new Float64Array(n), events: new Float64Array(n), ms: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const id = this.ids[i];
      out.ids[i] = numberOf(id);
      out.plays[i] = this.plays[id];
      out.events[i] = this.events[id];
      out.ms[i] = this.ms[id];
    }
    return out;
  }
}

/** An IdTally for a scope that sees few of the numbers (a country): numbered again densely. */
class SparseIdTally {
  private readonly slots = new Map<number, number>();
  private readonly ids: number[] = [];
  private readonly counts = new IdTally();

  addCounts(id: number, plays: number, events: number, ms: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.slots.set(id, slot);
      this.ids.push(id);
    }
    this.counts.addCounts(slot, plays, events, ms);
  }

  add(id: number, played: boolean, ms: number): void {
    this.addCounts(id, played ? 1 : 0, 1, ms);
  }

  numbered(): NumberedTally {
    return this.counts.numbered((slot) => this.ids[slot]);
  }
}

/** The top `n` names of a tally with their plays and minutes. */
export function rankedNames(tally: IdTally, n: number, names: readonly string[]): RankedName[] {
  return tally.top(n, names).map((id) => ({ name: names[id], plays: tally.playsOf(id), minutes: msToMinutes(tally.msOf(id)) }));
}

/** The top `n` songs of a tally (numbers into songKey's keys) with their plays and minutes. */
export function rankedSongs(tally: IdTally, n: number, keys: readonly string[]): RankedSong[] {
  return tally.top(n, keys).map((id) => ({ ...splitSongKey(keys[id]), plays: tally.playsOf(id), minutes: msToMinutes(tally.msOf(id)) }));
}

/** The part's names that scope totals are keyed by. */
export interface PartNames {
  songs: SongIds;
  artists: NameIds;
  genres: NameIds;
}

/** How one part's name numbers map to the merge's: an array per kind, indexed by the part's number. */
export interface Renumbering {
  songs: Int32Array;
  artists: Int32Array;
  genres: Int32Array;
}

/**
 * Totals of one scope (the run, or one country) by number. A part counts its events into
 * them (`add`), and hands them on as NumberedTotals; the merge adds those up (`merge`), and
 * ranks them once (`summary`). A part holds each user's events together, so a user is new to
 * a scope when the scope's last user was another; users of different parts are different users.
 */
export class ScopeIdTotals {
  private records = 0;
  private plays = 0;
  private ms = 0;
  private users = 0;
  private lastUser = NaN;
  private readonly msByHour = new Array<number>(24).fill(0);
  private readonly streamsByWeekdayHour = new Array<number>(7 * 24).fill(0);
  private readonly songs: IdTally | SparseIdTally;
  private readonly artists: IdTally | SparseIdTally;
  private readonly genres: IdTally | SparseIdTally;

  /** `sparse`: for a scope that sees a small share of the songs */
  constructor(sparse: boolean) {
    const tally = () => (sparse ? new SparseIdTally() : new IdTally());
    this.songs = tally();
    this.artists = tally();
    this.genres = tally();
  }

  add(user: number, song: number, artist: number, genre: number, played: boolean, ms: number, hour: number, weekday: number): void {
    this.streamsByWeekdayHour[weekday * 24 + hour]++;
    this.records++;
    if (played) this.plays++;
    this.ms += ms;
    this.msByHour[hour] += ms;
    this.songs.add(song, played, ms);
    this.artists.add(artist, played, ms);
    this.genres.add(genre, played, ms);
    if (user !== this.lastUser) {
      this.lastUser = user;
      this.users++;
    }
  }

  numbered(): NumberedTotals {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      ms: this.ms,
      msByHour: this.msByHour,
      streamsByWeekdayHour: this.streamsByWeekdayHour,
      songs: this.songs.numbered(),
      artists: this.artists.numbered(),
      genres: this.genres.numbered(),
    };
  }
}

/** A scope's numbered tallies from every part, in the merge's numbers, kept as the parts gave them: summed only when ranked. */
class CollectedTally {
  private readonly parts: NumberedTally[] = [];

  add(t: NumberedTally, to: Int32Array): void {
    const ids = new Int32Array(t.ids.length);
    for (let i = 0; i < ids.length; i++) ids[i] = to[t.ids[i]];
    this.parts.push({ ...t, ids });
  }

  /** The sums, in part order, into `into` (an empty tally; cleared again by the caller). */
  sumInto(into: IdTally): IdTally {
    for (const t of this.parts) for (let i = 0; i < t.ids.length; i++) into.addCounts(t.ids[i], t.plays[i], t.events[i], t.ms[i]);
    return into;
  }
}

/** Dense tallies the merge sums one scope's counts into to rank them, reused scope after scope. */
export interface RankingScratch {
  songs: IdTally;
  artists: IdTally;
  genres: IdTally;
}

export const rankingScratch = (): RankingScratch => ({ songs: new IdTally(), artists: new IdTally(), genres: new IdTally() });

/**
 * One scope's totals (the run's, or one country's) merged from the parts' NumberedTotals
 * (`merge`) and ranked once (`summary`). The tallies stay the parts' typed arrays until
 * ranked, then are summed into a dense scratch tally shared by every scope: a run's
 * countries together see about as many (country, song) pairs as records in a few parts,
 * which a map per country held at ~100 bytes a pair.
 */
export class MergedScopeTotals {
  private records = 0;
  private plays = 0;
  private ms = 0;
  private users = 0;
  private readonly msByHour = new Array<number>(24).fill(0);
  private readonly streamsByWeekdayHour = new Array<number>(7 * 24).fill(0);
  private readonly songs = new CollectedTally();
  private readonly artists = new CollectedTally();
  private readonly genres = new CollectedTally();

  merge(t: NumberedTotals, to: Renumbering): void {
    this.records += t.records;
    this.plays += t.plays;
    this.ms += t.ms;
    this.users += t.users;
    t.msByHour.forEach((ms, h) => (this.msByHour[h] += ms));
    t.streamsByWeekdayHour.forEach((n, i) => (this.streamsByWeekdayHour[i] += n));
    this.songs.add(t.songs, to.songs);
    this.artists.add(t.artists, to.artists);
    this.genres.add(t.genres, to.genres);
  }

  summary(top: number, names: NameTables, scratch: RankingScratch): ScopeSummary {
    const ranked = <T>(tally: CollectedTally, into: IdTally, rank: (t: IdTally) => T): T => {
      const out = rank(tally.sumInto(into));
      into.clear();
      return out;
    };
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      minutes: msToMinutes(this.ms),
      skip_rate: this.records ? Math.round(((this.records - this.plays) / this.records) * 10_000) / 10_000 : 0,
      top_songs: ranked(this.songs, scratch.songs, (t) => rankedSongs(t, top, names.songs)),
      top_artists: ranked(this.artists, scratch.artists, (t) => rankedNames(t, top, names.artists)),
      top_genres: ranked(this.genres, scratch.genres, (t) => rankedNames(t, top, names.genres)),
      minutes_by_local_hour: this.msByHour.map(msToMinutes),
      streams_by_local_weekday_hour: Array.from({ length: 7 }, (_, d) => this.streamsByWeekdayHour.slice(d * 24, d * 24 + 24)),
    };
  }
}
