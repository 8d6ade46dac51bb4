/** Counts per key: plays (streams that were not skips), every event, and milliseconds listened. */
export interface TallyEntry {
  plays: number;
  events: number;
  ms: number;
}

export type TallyJson = Record<string, [plays: number, events: number, ms: number]>;

/** By plays, then milliseconds listened, then key: a total order, so ties never depend on input order. */
function ranksBefore([ka, a]: [string, TallyEntry], [kb, b]: [string, TallyEntry]): boolean {
  return a.plays !== b.plays ? a.plays > b.plays : a.ms !== b.ms ? a.ms > b.ms : ka < kb;
}

/**
 * The first `n` items in the order `before` (a total order), in one pass keeping the best n in
 * order: n is 5 or 10, a country of a big run has ~100k keys.
 */
export function bestOf<T>(items: Iterable<T>, n: number, before: (a: T, b: T) => boolean): T[] {
  const best: T[] = [];
  if (n <= 0) return best;
  for (const item of items) {
    if (best.length === n && !before(item, best[n - 1])) continue;
    let i = best.length === n ? n - 1 : best.length;
    while (i > 0 && before(item, best[i - 1])) {
      best[i] = best[i - 1];
      i--;
    }
    best[i] = item;
  }
  return best;
}

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
    // (for-in: no entry array per key, where parts bring hundreds of thousands of keys)
    for (const key in json) {
      const [plays, events, ms] = json[key];
      const e = this.entries.get(key);
      if (e) {
        e.plays += plays;
        e.events += events;
        e.ms += ms;
      } else this.entries.set(key, { plays, events, ms });
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ranked by plays, then milliseconds listened, then key; ties never depend on input order. */
  top(n: number): [string, TallyEntry][] {
    return bestOf(this.entries, n, ranksBefore);
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
