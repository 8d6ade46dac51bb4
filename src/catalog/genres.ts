import type { SeededRandom } from '../simulation/seeded-random';
import type { Song } from '../domain/song';

/** A genre's share of a synthetic catalog and its typical danceability, energy and length (mean, sd). */
export interface GenreProfile {
  genre: string;
  weight: number;
  dance: readonly [number, number];
  energy: readonly [number, number];
  length: readonly [number, number];
}

export const GENRE_PROFILES: readonly GenreProfile[] = [
  { genre: 'pop', weight: 22, dance: [0.68, 0.1], energy: [0.66, 0.12], length: [205, 30] },
  { genre: 'hip hop', weight: 14, dance: [0.76, 0.09], energy: [0.62, 0.12], length: [215, 40] },
  { genre: 'rock', weight: 14, dance: [0.48, 0.12], energy: [0.78, 0.12], length: [240, 45] },
  { genre: 'dance pop', weight: 9, dance: [0.74, 0.08], energy: [0.76, 0.1], length: [200, 25] },
  { genre: 'edm', weight: 6, dance: [0.7, 0.09], energy: [0.85, 0.08], length: [220, 50] },
  { genre: 'r&b', weight: 7, dance: [0.66, 0.1], energy: [0.55, 0.12], length: [225, 35] },
  { genre: 'indie', weight: 8, dance: [0.55, 0.12], energy: [0.58, 0.15], length: [230, 45] },
  { genre: 'latin', weight: 6, dance: [0.77, 0.08], energy: [0.72, 0.1], length: [210, 30] },
  { genre: 'country', weight: 4, dance: [0.58, 0.09], energy: [0.64, 0.13], length: [205, 30] },
  { genre: 'jazz', weight: 3, dance: [0.52, 0.13], energy: [0.38, 0.15], length: [300, 80] },
  { genre: 'classical', weight: 2, dance: [0.25, 0.1], energy: [0.18, 0.1], length: [380, 150] },
  { genre: 'metal', weight: 3, dance: [0.4, 0.1], energy: [0.92, 0.05], length: [270, 60] },
  { genre: 'folk', weight: 2, dance: [0.5, 0.12], energy: [0.4, 0.14], length: [220, 40] },
  // the seasonal genre whose share the simulator raises from November to Christmas (seasons.ts)
  { genre: 'holiday', weight: 1.5, dance: [0.55, 0.1], energy: [0.5, 0.12], length: [200, 30] },
];

export const GENRE_WEIGHTS = GENRE_PROFILES.map((g) => g.weight);

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** A release year skewed toward recent decades: exponential age, mean ~14 years, not before 1950. */
export function recentYear(rng: SeededRandom, currentYear: number): number {
  return Math.max(1950, currentYear - Math.floor(-Math.log(1 - rng.next()) * 14));
}

/** Danceability, energy and length drawn around the genre's typical values (in this order). */
export function genreFeatures(rng: SeededRandom, profile: GenreProfile): Pick<Song, 'danceability' | 'energy' | 'length_seconds'> {
  const danceability = round3(clamp(rng.normal(profile.dance[0], profile.dance[1]), 0.05, 0.99));
  const energy = round3(clamp(rng.normal(profile.energy[0], profile.energy[1]), 0.02, 0.99));
  const length_seconds = Math.round(clamp(rng.normal(profile.length[0], profile.length[1]), 90, 900));
  return { danceability, energy, length_seconds };
}

/** Middle-of-the-road features for a genre we know nothing about (e.g. "adult standards"). */
const UNKNOWN_GENRE: GenreProfile = { genre: 'other', weight: 0, dance: [0.6, 0.14], energy: [0.6, 0.18], length: [225, 45] };

/**
 * The profile for a genre name as sources spell it: exact ("dance pop"), else the
 * longest known genre it contains ("album rock" -> rock, "dutch indie" -> indie).
 */
export function profileForGenre(genre: string): GenreProfile {
  const g = genre.toLowerCase().replace(/[-_]/g, ' ').replace(/\s+/g, ' ').trim();
  const exact = GENRE_PROFILES.find((p) => p.genre === g);
  if (exact) return exact;
  const aliases: Record<string, string> = {
    'hip-hop': 'hip hop',
    rap: 'hip hop',
    electronic: 'edm',
    house: 'edm',
    techno: 'edm',
    soul: 'r&b',
    rnb: 'r&b',
    'r and b': 'r&b',
    reggaeton: 'latin',
  };
  let best: GenreProfile | undefined;
  for (const p of GENRE_PROFILES) {
    if (new RegExp(`(^|\\s)${escape(p.genre)}($|\\s)`).test(g) && (!best || p.genre.length > best.genre.length)) best = p;
  }
  if (best) return best;
  for (const [alias, name] of Object.entries(aliases)) {
    if (new RegExp(`(^|\\s)${escape(alias)}($|\\s)`).test(g)) return GENRE_PROFILES.find((p) => p.genre === name)!;
  }
  return UNKNOWN_GENRE;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\&]/g, '\\$&');
}
