/** Counts per key: plays (streams that were not skips), every event, and milliseconds listened. */
export interface TallyEntry {
  plays: number;
  events: number;
  ms: number;
}

export type TallyJson = Record<string, [plays: number, events: number, ms: number]>;

export class Tally {
  readonly entries = new Map<string, TallyEntry>();

  add(key: string, played: boolean, ms: number): void {
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { plays: 0, events: 0, ms: 0 }));
    if (played) e.plays++;
    e.events++;
    e.ms += ms;
  }

  merge(json: TallyJson): void {
    for (const [key, [plays, events, ms]] of Object.entries(json)) {
      let e = this.entries.get(key);
      if (!e) this.entries.set(key, (e = { plays: 0, events: 0, ms: 0 }));
      e.plays += plays;
      e.events += events;
      e.ms += ms;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ranked by plays, then milliseconds listened, then key; ties never depend on input order. */
  top(n: number): [string, TallyEntry][] {
    return [...this.entries].sort(([ka, a], [kb, b]) => b.plays - a.plays || b.ms - a.ms || (ka < kb ? -1 : ka > kb ? 1 : 0)).slice(0, n);
  }

  toJSON(): TallyJson {
    const out: TallyJson = {};
    for (const [k, e] of this.entries) out[k] = [e.plays, e.events, e.ms];
    return out;
  }
}

/** Songs are keyed by artist and title together; two artists' songs of the same title stay apart. */
const SONG_KEY_SEPARATOR = '\u0001';

export function songKey(artist: string, song: string): string {
  return `${artist}${SONG_KEY_SEPARATOR}${song}`;
}

export function splitSongKey(key: string): { artist: string; song: string } {
  const i = key.indexOf(SONG_KEY_SEPARATOR);
  return { artist: key.slice(0, i), song: key.slice(i + 1) };
}
