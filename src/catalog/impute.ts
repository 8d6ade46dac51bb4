import { SeededRandom } from '../simulation/seeded-random';
import { GENRE_PROFILES, GENRE_WEIGHTS, genreFeatures, profileForGenre, recentYear } from './genres';
import type { Song } from '../domain/song';

/** Song fields a source may lack; filled in by imputeSong and listed in Song.imputed. */
export type ImputableField = 'genre' | 'year' | 'popularity' | 'danceability' | 'energy' | 'length_seconds';

export type KnownSong = Pick<Song, 'title' | 'artist' | 'source'> & Partial<Pick<Song, ImputableField | 'album'>>;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** The identity two rows share when they are the same song: title and artist, ignoring case and spacing. */
export function songKey(title: string, artist: string): string {
  return `${normalizeName(title)}\u0000${normalizeName(artist)}`;
}

function normalizeName(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Fills the fields a source lacked, deterministically from the song's identity (and its
 * genre where known), so the same song gets the same values in every run and catalog.
 * Every value is drawn whether needed or not, so one field never shifts another.
 */
export function imputeSong(known: KnownSong, currentYear: number): Song {
  const rng = new SeededRandom('impute', songKey(known.title, known.artist));
  const imputed: ImputableField[] = [];
  const pick = <K extends ImputableField>(field: K, value: Song[K]): Song[K] => {
    const given = known[field];
    if (given !== undefined) return given as Song[K];
    imputed.push(field);
    return value;
  };
  const genre = pick('genre', GENRE_PROFILES[rng.weightedIndex(GENRE_WEIGHTS)].genre);
  const profile = profileForGenre(genre);
  // charts and playlists lean recent
  const year = pick('year', recentYear(rng, currentYear));
  const popularity = pick('popularity', Math.round(clamp(15 + 80 * Math.pow(rng.next(), 2), 1, 100)));
  const features = genreFeatures(rng, profile);
  const danceability = pick('danceability', features.danceability);
  const energy = pick('energy', features.energy);
  const length = pick('length_seconds', features.length_seconds);
  return {
    title: known.title,
    artist: known.artist,
    album: known.album ?? '',
    genre,
    year,
    popularity,
    danceability,
    energy,
    length_seconds: length,
    source: known.source,
    imputed,
  };
}
