import type { Song } from '../domain/song';
import { AliasTable } from './alias-table';
import type { SeededRandom } from './seeded-random';

/**
 * The popularity law of picks: among the songs that fit a listener's choice, a song is
 * drawn with weight 1 / (rank + ZIPF_OFFSET) ^ ZIPF_EXPONENT, rank 0 being the most
 * popular song of the catalog: a Zipf-like law, a heavy head and a long tail.
 */
export const ZIPF_EXPONENT = 1;
export const ZIPF_OFFSET = 2;

/** Songs to draw from, each by its weight under the popularity law. */
export interface WeightedSongs {
  songs: Uint32Array;
  table: AliasTable;
}

/**
 * The catalog split for one play year: of the songs released by then, the newer and
 * the older half (by year, ties by catalog order), each crossed with the more and the
 * less popular half of the catalog, so a pick draws from the quarter the user prefers.
 */
export interface YearView {
  year: number;
  /** 1 if the song is in the newer half of the songs released by `year`, 0 if older, 255 if not yet released */
  newer: Uint8Array;
  /** buckets[newer * 2 + popular]: song ids */
  buckets: WeightedSongs[];
  /** every song released by `year` (all songs if none was) */
  available: WeightedSongs;
}

/**
 * Per-shard indexes over the catalog, built once per shard from the song list so
 * that no pick ever scans it: song -> artist, artist -> its songs, popularity halves
 * and, per play year, release-age halves.
 */
export class CatalogIndex {
  readonly artistOf: Uint32Array;
  readonly artistCount: number;
  /** the songs of artist a are artistSongs[artistStart[a] .. artistStart[a + 1]) */
  private readonly artistStart: Uint32Array;
  private readonly artistSongs: Uint32Array;
  /** 1 if the song is in the more popular half of the catalog */
  readonly popular: Uint8Array;
  /** 0 for the most popular song of the catalog, size - 1 for the least (ties by catalog order) */
  readonly popularityRank: Uint32Array;
  private readonly years = new Map<number, YearView>();

  constructor(readonly songs: readonly Song[]) {
    const n = songs.length;
    if (n === 0) throw new Error('the catalog has no songs');
    this.artistOf = new Uint32Array(n);
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let a = ids.get(songs[i].artist);
      if (a === undefined) ids.set(songs[i].artist, (a = ids.size));
      this.artistOf[i] = a;
    }
    this.artistCount = ids.size;
    this.artistStart = new Uint32Array(this.artistCount + 1);
    for (let i = 0; i < n; i++) this.artistStart[this.artistOf[i] + 1]++;
    for (let a = 0; a < this.artistCount; a++) this.artistStart[a + 1] += this.artistStart[a];
    this.artistSongs = new Uint32Array(n);
    const fill = this.artistStart.slice(0, this.artistCount);
    for (let i = 0; i < n; i++) this.artistSongs[fill[this.artistOf[i]]++] = i;

    const byPopularity = Array.from({ length: n }, (_, i) => i).sort((x, y) => songs[x].popularity - songs[y].popularity || x - y);
    this.popular = new Uint8Array(n);
    for (let r = Math.floor(n / 2); r < n; r++) this.popular[byPopularity[r]] = 1;
    this.popularityRank = new Uint32Array(n);
    for (let r = 0; r < n; r++) this.popularityRank[byPopularity[r]] = n - 1 - r;
  }

  get size(): number {
    return this.songs.length;
  }

  songCountOf(artist: number): number {
    return this.artistStart[artist + 1] - this.artistStart[artist];
  }

  /** The artist's songs from a random position, cyclically: up to `limit` song ids into `out`; returns the count. */
  songsOfFrom(artist: number, rng: SeededRandom, out: Uint32Array): number {
    const start = this.artistStart[artist];
    const count = this.artistStart[artist + 1] - start;
    const first = Math.floor(rng.next() * count);
    const n = Math.min(count, out.length);
    for (let i = 0; i < n; i++) out[i] = this.artistSongs[start + ((first + i) % count)];
    return n;
  }

  /** The catalog as seen from a play year; built on first use, then cached for the shard. */
  yearView(year: number): YearView {
    let view = this.years.get(year);
    if (!view) {
      view = this.buildYearView(year);
      this.years.set(year, view);
    }
    return view;
  }

  private buildYearView(year: number): YearView {
    const n = this.songs.length;
    let released: number[] = [];
    for (let i = 0; i < n; i++) if (this.songs[i].year <= year) released.push(i);
    const newer = new Uint8Array(n).fill(255);
    if (released.length === 0) released = Array.from({ length: n }, (_, i) => i);
    released.sort((x, y) => this.songs[x].year - this.songs[y].year || x - y);
    const half = Math.floor(released.length / 2);
    const lists: number[][] = [[], [], [], []];
    released.forEach((song, rank) => {
      const isNewer = rank >= half ? 1 : 0;
      newer[song] = isNewer;
      lists[isNewer * 2 + this.popular[song]].push(song);
    });
    return {
      year,
      newer,
      buckets: lists.map((l) => this.weighted(l)),
      available: this.weighted(released.slice()),
    };
  }

  private weighted(ids: number[]): WeightedSongs {
    const songs = Uint32Array.from(ids.sort((x, y) => x - y));
    const weights = Array.from(songs, (id) => Math.pow(this.popularityRank[id] + ZIPF_OFFSET, -ZIPF_EXPONENT));
    return { songs, table: new AliasTable(weights.length ? weights : [1]) };
  }
}

/** A song drawn by the popularity law. */
export function drawSong(songs: WeightedSongs, rng: SeededRandom): number {
  return songs.songs[songs.table.draw(rng)];
}

/** The non-empty bucket closest to the wanted (newer, popular) quarter. */
export function bucketFor(view: YearView, wantNewer: boolean, wantPopular: boolean): WeightedSongs {
  const n = wantNewer ? 1 : 0;
  const p = wantPopular ? 1 : 0;
  for (const [nn, pp] of [[n, p], [n, 1 - p], [1 - n, p], [1 - n, 1 - p]]) {
    const b = view.buckets[nn * 2 + pp];
    if (b.songs.length) return b;
  }
  return view.available;
}
