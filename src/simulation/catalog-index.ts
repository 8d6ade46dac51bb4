import { DAY_MS } from '../domain/time-units';
import { AliasTable } from './alias-table';
import { ZIPF_EXPONENT } from './popularity-law';
import { isHolidayGenre } from './seasons';
import { releaseDaysOf } from './release-days';
import type { SeededRandom } from './seeded-random';
import type { SongTable } from './song-table';

/**
 * The popularity law of picks: among the songs that fit a listener's choice, a song is
 * drawn with weight 1 / (rank + ZIPF_OFFSET) ^ ZIPF_EXPONENT, rank 0 being the most
 * popular song of the catalog: the rank-frequency law fitted to published stream
 * concentration (popularity-law.ts), a heavy head and a long tail.
 */
const ZIPF_OFFSET = 1;

/**
 * The catalog's least popular songs nobody streams: Luminate's 2023 year-end report counts
 * 45.6 million of ~184 million tracks (24.8%) without a stream in the year. Picks never take
 * the songs below that popularity rank (docs/realism.md, "Unplayed catalog"), so that share
 * of the catalog goes unplayed whatever the run's size.
 */
export const UNSTREAMED_SHARE = 0.248;
/** Catalogs smaller than this are all streamable (a handful of songs stands for no service's catalog). */
export const UNSTREAMED_MIN_CATALOG = 1000;

/**
 * 1 for a song picks may take: all but the UNSTREAMED_SHARE least popular songs of a catalog
 * of UNSTREAMED_MIN_CATALOG songs or more, each artist's most popular song excepted (an
 * obscure artist still has its one song that someone finds; unplayed tracks are deep cuts).
 */
function streamableSongs(popularityRank: Uint32Array, artistOf: Uint32Array, artistCount: number): Uint8Array {
  const n = popularityRank.length;
  const streamable = new Uint8Array(n).fill(1);
  if (n < UNSTREAMED_MIN_CATALOG) return streamable;
  const bestRank = new Uint32Array(artistCount).fill(0xffffffff);
  const songAt = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    songAt[popularityRank[i]] = i;
    if (popularityRank[i] < bestRank[artistOf[i]]) bestRank[artistOf[i]] = popularityRank[i];
  }
  let left = Math.floor(n * UNSTREAMED_SHARE);
  for (let r = n - 1; r >= 0 && left > 0; r--) {
    const song = songAt[r];
    if (bestRank[artistOf[song]] === r) continue;
    streamable[song] = 0;
    left--;
  }
  return streamable;
}

/** A release counts as new for this many days (its first weeks' burst)... */
const NEW_RELEASE_DAYS = 42;
/** ...during which its pull halves every this many days. */
const NEW_RELEASE_HALF_LIFE_DAYS = 10;

/**
 * Songs to draw from, each by its weight under the popularity law: Walker's alias method
 * (as AliasTable) with each slot's threshold, song and alias song side by side in 16
 * bytes, so a draw from a bucket of a million-song catalog reads one cache line.
 */
export class WeightedSongs {
  readonly size: number;
  /** slot i: threshold at [2i], song and alias position at [4i + 2] and [4i + 3] of the same bytes */
  private readonly threshold: Float64Array;
  private readonly slotSongs: Uint32Array;

  constructor(songs: Uint32Array, weights: Float64Array) {
    const table = new AliasTable(weights);
    this.size = songs.length;
    const slots = new ArrayBuffer(16 * Math.max(1, songs.length));
    this.threshold = new Float64Array(slots);
    this.slotSongs = new Uint32Array(slots);
    for (let i = 0; i < songs.length; i++) {
      const { probability, alias } = table.slot(i);
      this.threshold[2 * i] = probability;
      this.slotSongs[4 * i + 2] = songs[i];
      this.slotSongs[4 * i + 3] = alias;
    }
  }

  /** The i-th song, in catalog order. */
  at(i: number): number {
    return this.slotSongs[4 * i + 2];
  }

  /** A song drawn by its weight (the same draw as AliasTable.draw). */
  draw(rng: SeededRandom): number {
    return this.at(this.drawPosition(rng));
  }

  /** The position (for at()) of a song drawn by its weight. */
  drawPosition(rng: SeededRandom): number {
    const u = rng.next() * this.size;
    const i = Math.floor(u);
    return u - i < this.threshold[2 * i] ? i : this.slotSongs[4 * i + 3];
  }
}

/**
 * The catalog split for one play year: of the songs released by then, the newer and
 * the older half (by year, ties by catalog order), each crossed with the more and the
 * less popular half of the catalog, so a pick draws from the quarter the user prefers.
 */
export interface YearView {
  /** 1 if the song is in the newer half of the songs released by `year`, 0 if older, 255 if not yet released */
  newer: Uint8Array;
  /** buckets[newer * 2 + popular]: song ids */
  buckets: WeightedSongs[];
  /** every song released by `year` (all songs if none was) */
  available: WeightedSongs;
}

/**
 * Song ids ordered by (key, id) for integer keys: a counting sort, O(n + key range),
 * no comparator calls, for catalogs of millions (years and popularities span little).
 */
function idsOrderedBy(n: number, key: (i: number) => number): Uint32Array {
  if (n === 0) return new Uint32Array(0);
  const keys = new Int32Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = (keys[i] = key(i));
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const ids = new Uint32Array(n);
  if (max - min > 4 * n + 1024) {
    const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => keys[x] - keys[y] || x - y);
    ids.set(order);
    return ids;
  }
  const start = new Uint32Array(max - min + 2);
  for (let i = 0; i < n; i++) start[keys[i] - min + 1]++;
  for (let k = 1; k < start.length; k++) start[k] += start[k - 1];
  for (let i = 0; i < n; i++) ids[start[keys[i] - min]++] = i;
  return ids;
}

/** The arrays of a CatalogIndex beyond the table's own artist numbers: what a stored index holds. */
export interface CatalogIndexParts {
  /** the songs of artist a are artistSongs[artistStart[a] .. artistStart[a + 1]) */
  artistStart: Uint32Array;
  artistSongs: Uint32Array;
  /** 1 if the song is in the more popular half of the catalog */
  popular: Uint8Array;
  /** 0 for the most popular song of the catalog, size - 1 for the least (ties by catalog order) */
  popularityRank: Uint32Array;
  /** song ids by (year, id), and their years */
  byYear: Uint32Array;
  yearOfRank: Int32Array;
}

/** The index arrays of a catalog, in O(n) over its columns. */
export function indexParts(table: SongTable): CatalogIndexParts {
  const n = table.size;
  const { artistOf, year, popularity } = table.columns;
  const artistCount = table.artistCount;
  const artistStart = new Uint32Array(artistCount + 1);
  for (let i = 0; i < n; i++) artistStart[artistOf[i] + 1]++;
  for (let a = 0; a < artistCount; a++) artistStart[a + 1] += artistStart[a];
  const artistSongs = new Uint32Array(n);
  const fill = artistStart.slice(0, artistCount);
  for (let i = 0; i < n; i++) artistSongs[fill[artistOf[i]]++] = i;

  const byPopularity = idsOrderedBy(n, (i) => popularity[i]);
  const popular = new Uint8Array(n);
  for (let r = Math.floor(n / 2); r < n; r++) popular[byPopularity[r]] = 1;
  const popularityRank = new Uint32Array(n);
  for (let r = 0; r < n; r++) popularityRank[byPopularity[r]] = n - 1 - r;
  const byYear = idsOrderedBy(n, (i) => year[i]);
  const yearOfRank = new Int32Array(n);
  for (let r = 0; r < n; r++) yearOfRank[r] = year[byYear[r]];
  return { artistStart, artistSongs, popular, popularityRank, byYear, yearOfRank };
}

/**
 * Indexes over the catalog so that no pick ever scans it: song -> artist, artist ->
 * its songs, popularity halves and, per play year, release-age halves. Built in O(n)
 * over typed arrays once per catalog and thread (see catalogIndex), or read with the
 * catalog's columns; they hold ~22 bytes per song, plus ~33 bytes per song for each play
 * year in use (its buckets and their alias tables).
 */
export class CatalogIndex {
  readonly artistOf: Uint32Array;
  readonly artistCount: number;
  private readonly artistStart: Uint32Array;
  private readonly artistSongs: Uint32Array;
  readonly popular: Uint8Array;
  readonly popularityRank: Uint32Array;
  /** per artist, the popularity rank of its most popular song: the artist's place on the curve */
  readonly artistBestRank: Uint32Array;
  /** 1 for a song picks may take (streamableSongs) */
  readonly streamable: Uint8Array;
  private readonly byYear: Uint32Array;
  private readonly yearOfRank: Int32Array;
  private readonly years = new Map<number, YearView>();
  private holidaySongs: WeightedSongs | null | undefined;
  private holidayFlags: Uint8Array | undefined;
  private readonly recent = new Map<number, WeightedSongs | null>();
  /** the views by how many songs they hold (play years after the newest song share one) */
  private readonly viewsBySize = new Map<number, YearView>();

  /** `parts`: the index arrays when stored with the catalog, else built here */
  constructor(
    readonly table: SongTable,
    readonly parts: CatalogIndexParts = indexParts(table),
  ) {
    this.artistOf = table.columns.artistOf;
    this.artistCount = table.artistCount;
    this.artistStart = parts.artistStart;
    this.artistSongs = parts.artistSongs;
    this.popular = parts.popular;
    this.popularityRank = parts.popularityRank;
    this.streamable = streamableSongs(parts.popularityRank, this.artistOf, this.artistCount);
    this.artistBestRank = new Uint32Array(this.artistCount).fill(0xffffffff);
    for (let i = 0; i < this.artistOf.length; i++)
      if (parts.popularityRank[i] < this.artistBestRank[this.artistOf[i]]) this.artistBestRank[this.artistOf[i]] = parts.popularityRank[i];
    this.byYear = parts.byYear;
    this.yearOfRank = parts.yearOfRank;
  }

  get size(): number {
    return this.table.size;
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

  /** The catalog as seen from a play year; built on first use, then cached with the index. */
  yearView(year: number): YearView {
    let view = this.years.get(year);
    if (!view) {
      const released = this.releasedBy(year);
      view = this.viewsBySize.get(released) ?? this.buildYearView(released);
      this.viewsBySize.set(released, view);
      this.years.set(year, view);
    }
    return view;
  }

  /** How many songs are released by `year` (all of them if none was): they are the first ones of byYear. */
  private releasedBy(year: number): number {
    const n = this.ranksThrough(year);
    return n === 0 ? this.table.size : n;
  }

  /** How many songs have a year up to `year`: the first ones of byYear. */
  private ranksThrough(year: number): number {
    let lo = 0;
    let hi = this.table.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.yearOfRank[mid] <= year) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private buildYearView(released: number): YearView {
    const n = this.table.size;
    const half = Math.floor(released / 2);
    const newer = new Uint8Array(n).fill(255);
    for (let r = 0; r < released; r++) newer[this.byYear[r]] = r >= half ? 1 : 0;
    const sizes = [0, 0, 0, 0];
    let streamable = 0;
    for (let i = 0; i < n; i++)
      if (newer[i] !== 255 && this.streamable[i]) {
        sizes[newer[i] * 2 + this.popular[i]]++;
        streamable++;
      }
    const buckets = sizes.map((size) => new Uint32Array(size));
    const available = new Uint32Array(streamable);
    const filled = [0, 0, 0, 0];
    let a = 0;
    // most popular first: a walk down a bucket (ListenerMemory.nextUnplayed) goes down the curve
    const byRank = new Uint32Array(n);
    for (let i = 0; i < n; i++) byRank[this.popularityRank[i]] = i;
    for (let r = 0; r < n; r++) {
      const i = byRank[r];
      if (newer[i] === 255 || !this.streamable[i]) continue;
      const b = newer[i] * 2 + this.popular[i];
      buckets[b][filled[b]++] = i;
      available[a++] = i;
    }
    return { newer, buckets: buckets.map((b) => this.byCatalogRank(b)), available: this.byCatalogRank(available) };
  }

  /** Each song's release date (days since the epoch; release-days.ts). */
  get releaseDay(): Int32Array {
    return releaseDaysOf(this.table);
  }

  /** The songs of the seasonal holiday genre, by the popularity law; null when the catalog has none. */
  get holiday(): WeightedSongs | null {
    if (this.holidaySongs === undefined) {
      const songs: number[] = [];
      const flags = this.isHoliday;
      for (let i = 0; i < this.size; i++) if (flags[i] && this.streamable[i]) songs.push(i);
      this.holidaySongs = songs.length ? this.weighted(Uint32Array.from(songs)) : null;
    }
    return this.holidaySongs;
  }

  /** 1 for a song of the seasonal holiday genre. */
  get isHoliday(): Uint8Array {
    if (!this.holidayFlags) {
      const { genreOf, genres } = this.table.columns;
      const holidayGenres = new Set<number>();
      for (let g = 0; g < genres.size; g++) if (isHolidayGenre(genres.get(g))) holidayGenres.add(g);
      this.holidayFlags = new Uint8Array(this.size);
      if (holidayGenres.size) for (let i = 0; i < this.size; i++) if (holidayGenres.has(genreOf[i])) this.holidayFlags[i] = 1;
    }
    return this.holidayFlags;
  }

  /**
   * The songs released in the NEW_RELEASE_DAYS before the week starting on `weekDay` (days
   * since the epoch) or within it, each by the popularity law times its first-weeks decay
   * (half-life NEW_RELEASE_HALF_LIFE_DAYS); null when there are none. Cached per week.
   */
  newReleases(weekDay: number): WeightedSongs | null {
    let view = this.recent.get(weekDay);
    if (view === undefined) {
      const release = this.releaseDay;
      const from = weekDay - NEW_RELEASE_DAYS;
      const to = weekDay + 6;
      const firstYear = new Date(from * DAY_MS).getUTCFullYear();
      const lastYear = new Date(to * DAY_MS).getUTCFullYear();
      const songs: number[] = [];
      const weights: number[] = [];
      for (let r = this.ranksThrough(firstYear - 1); r < this.size && this.yearOfRank[r] <= lastYear; r++) {
        const song = this.byYear[r];
        const day = release[song];
        if (day < from || day > to || !this.streamable[song]) continue;
        songs.push(song);
        const age = Math.max(0, weekDay + 3 - day);
        weights.push(Math.pow(this.popularityRank[song] + ZIPF_OFFSET, -ZIPF_EXPONENT) * Math.pow(0.5, age / NEW_RELEASE_HALF_LIFE_DAYS));
      }
      view = songs.length ? new WeightedSongs(Uint32Array.from(songs), Float64Array.from(weights)) : null;
      this.recent.set(weekDay, view);
    }
    return view;
  }

  /**
   * The songs by the popularity law over their rank in the whole catalog: one steep curve
   * for every quarter, so the popular half holds its head and a pick from the less popular
   * half goes further down the same curve (a flatter stretch of it, above the songs nobody
   * streams).
   */
  private byCatalogRank(songs: Uint32Array): WeightedSongs {
    const weights = new Float64Array(Math.max(1, songs.length)).fill(1);
    for (let i = 0; i < songs.length; i++) weights[i] = Math.pow(this.popularityRank[songs[i]] + ZIPF_OFFSET, -ZIPF_EXPONENT);
    return new WeightedSongs(songs, weights);
  }

  /** The songs by the popularity law over their rank among themselves (the holiday songs have their own head). */
  private weighted(songs: Uint32Array): WeightedSongs {
    const weights = new Float64Array(Math.max(1, songs.length)).fill(1);
    const order = idsOrderedBy(songs.length, (i) => this.popularityRank[songs[i]]);
    for (let r = 0; r < order.length; r++) weights[order[r]] = Math.pow(r + ZIPF_OFFSET, -ZIPF_EXPONENT);
    return new WeightedSongs(songs, weights);
  }
}

/** The non-empty bucket closest to the wanted (newer, popular) quarter. */
export function bucketFor(view: YearView, wantNewer: boolean, wantPopular: boolean): WeightedSongs {
  const n = wantNewer ? 1 : 0;
  const p = wantPopular ? 1 : 0;
  for (const [nn, pp] of [
    [n, p],
    [n, 1 - p],
    [1 - n, p],
    [1 - n, 1 - p],
  ]) {
    const b = view.buckets[nn * 2 + pp];
    if (b.size) return b;
  }
  return view.available;
}
