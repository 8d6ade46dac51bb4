import { songKey, type TallyJson } from './tally';
import type { ScopeTotalsJson } from './scope-totals';

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

/** Tally's counts (plays, events, milliseconds) by number instead of by key. */
export class IdTally {
  private plays = new Float64Array(0);
  private events = new Float64Array(0);
  private ms = new Float64Array(0);
  /** the numbers counted, in order of first count */
  readonly ids: number[] = [];

  add(id: number, played: boolean, ms: number): void {
    if (id >= this.events.length) {
      this.plays = grown(this.plays, id);
      this.events = grown(this.events, id);
      this.ms = grown(this.ms, id);
    }
    if (this.events[id] === 0) this.ids.push(id);
    if (played) this.plays[id]++;
    this.events[id]++;
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

  /** The first `n` numbers as Tally.top ranks their keys: by plays, then milliseconds, then key. */
  top(n: number, keys: readonly string[]): number[] {
    const { plays, ms } = this;
    return [...this.ids]
      .sort((a, b) => plays[b] - plays[a] || ms[b] - ms[a] || (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0))
      .slice(0, n);
  }

  toJSON(keys: readonly string[]): TallyJson {
    const out: TallyJson = {};
    for (const id of this.ids) out[keys[id]] = [this.plays[id], this.events[id], this.ms[id]];
    return out;
  }
}

/** An IdTally for a scope that sees few of the part's numbers (a country): numbered again densely. */
class SparseIdTally {
  private readonly slots = new Map<number, number>();
  private readonly ids: number[] = [];
  private readonly counts = new IdTally();

  add(id: number, played: boolean, ms: number): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      this.slots.set(id, slot);
      this.ids.push(id);
    }
    this.counts.add(slot, played, ms);
  }

  toJSON(keys: readonly string[]): TallyJson {
    return this.counts.toJSON(this.ids.map((id) => keys[id]));
  }
}

/** The part's names that scope totals are keyed by. */
export interface PartNames {
  songs: SongIds;
  artists: NameIds;
  genres: NameIds;
}

/**
 * ScopeTotals of one part counted by number: `toJSON` gives what ScopeTotals would for the
 * same events. A part holds each user's events together, so a user is new to a scope when
 * the scope's last user was another.
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

  /** `sparse`: for a scope that sees a small share of the part's songs */
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

  toJSON(names: PartNames): ScopeTotalsJson {
    return {
      records: this.records,
      plays: this.plays,
      users: this.users,
      ms: this.ms,
      msByHour: this.msByHour,
      streamsByWeekdayHour: this.streamsByWeekdayHour,
      songs: this.songs.toJSON(names.songs.keys),
      artists: this.artists.toJSON(names.artists.names),
      genres: this.genres.toJSON(names.genres.names),
    };
  }
}
