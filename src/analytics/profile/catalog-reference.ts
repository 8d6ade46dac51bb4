/**
 * The catalog a run drew from, as two sorted distributions: release years and
 * popularities. A song's position in them (mid-rank, ties counted half) is 0.5 on
 * average over the catalog, so a listener without preference averages 0.5.
 */
export class CatalogReference {
  private readonly years: Float64Array;
  private readonly popularities: Float64Array;

  constructor(songs: Iterable<{ year: number; popularity: number }>) {
    const years: number[] = [];
    const pops: number[] = [];
    for (const s of songs) {
      years.push(s.year);
      pops.push(s.popularity);
    }
    if (years.length === 0) throw new Error('the catalog reference needs at least one song');
    this.years = Float64Array.from(years).sort();
    this.popularities = Float64Array.from(pops).sort();
  }

  get size(): number {
    return this.years.length;
  }

  /** Position of a popularity among the catalog's, 0 (least popular) .. 1 (most). */
  popularityRank(popularity: number): number {
    const less = lowerBound(this.popularities, popularity);
    const equal = upperBound(this.popularities, popularity) - less;
    return (less + equal / 2) / this.popularities.length;
  }

  /**
   * Position of a release year among the songs released by the play year, 0 (oldest)
   * .. 1 (newest): how new the song was when it was played.
   */
  newnessRank(year: number, playYear: number): number {
    let released = upperBound(this.years, playYear);
    if (released === 0) released = this.years.length;
    const less = lowerBound(this.years, year);
    const equal = upperBound(this.years, year) - less;
    return Math.min(1, (less + equal / 2) / released);
  }
}

/** The reference of a catalog AVRO file (schemas/song.avsc), e.g. a run's _work/catalog.avro. */
export async function readCatalogReference(catalog: AsyncIterable<{ year: number; popularity: number }>): Promise<CatalogReference> {
  const songs: { year: number; popularity: number }[] = [];
  for await (const s of catalog) songs.push({ year: s.year, popularity: s.popularity });
  return new CatalogReference(songs);
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
