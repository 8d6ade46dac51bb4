import { Faker, en } from '@faker-js/faker';
import { SeededRandom } from '../random/seeded-random';
import type { Song } from './song';

export const DEFAULT_SYNTHETIC_SONGS = 2000;

/** Genres with their own typical danceability, energy and length (mean, sd). */
const GENRES = [
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
] as const;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/**
 * A synthetic catalog of `count` songs, deterministic for the seed: a power-law number
 * of songs per artist, genre-shaped audio features, years skewed toward recent decades
 * and popularity skewed toward a long tail.
 */
export function syntheticCatalog(count: number, seed: number, currentYear: number): Song[] {
  const rng = new SeededRandom(seed, 'synthetic-catalog', count);
  const faker = new Faker({ locale: [en] });
  faker.seed(rng.uint32());
  const genreWeights = GENRES.map((g) => g.weight);
  const songs: Song[] = [];
  const titles = new Set<string>();
  while (songs.length < count) {
    const artist = uniqueArtistName(faker, rng);
    const genre = GENRES[rng.weightedIndex(genreWeights)];
    // Pareto-distributed catalogue size: most artists have one or two songs, a few have dozens.
    const artistSongs = Math.min(60, Math.floor(1 / Math.pow(1 - rng.next(), 1 / 1.3)));
    const debut = recentSkewedYear(rng, currentYear);
    const fame = Math.pow(rng.next(), 2.5);
    for (let i = 0; i < artistSongs && songs.length < count; i++) {
      let title = songTitle(faker, rng);
      while (titles.has(`${artist}\u0000${title.toLowerCase()}`)) title = songTitle(faker, rng);
      titles.add(`${artist}\u0000${title.toLowerCase()}`);
      const year = Math.min(currentYear, debut + Math.floor(rng.next() * Math.max(1, currentYear - debut + 1) * rng.next()));
      songs.push({
        title,
        artist,
        genre: genre.genre,
        year,
        popularity: Math.round(clamp(100 * (0.6 * fame + 0.4 * Math.pow(rng.next(), 3)), 0, 100)),
        danceability: round3(clamp(rng.normal(genre.dance[0], genre.dance[1]), 0.05, 0.99)),
        energy: round3(clamp(rng.normal(genre.energy[0], genre.energy[1]), 0.02, 0.99)),
        length_seconds: Math.round(clamp(rng.normal(genre.length[0], genre.length[1]), 90, 900)),
        source: `synthetic:${count}`,
        imputed: [],
      });
    }
  }
  return songs;
}

const usedArtists = new WeakMap<Faker, Set<string>>();

function uniqueArtistName(faker: Faker, rng: SeededRandom): string {
  let used = usedArtists.get(faker);
  if (!used) usedArtists.set(faker, (used = new Set()));
  for (;;) {
    const kind = rng.next();
    const name =
      kind < 0.4
        ? faker.person.fullName()
        : kind < 0.7
          ? `The ${capitalize(faker.word.adjective())} ${capitalize(faker.word.noun())}s`
          : kind < 0.85
            ? capitalize(faker.word.noun()) + ' ' + capitalize(faker.word.noun())
            : faker.person.firstName().toUpperCase();
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

function songTitle(faker: Faker, rng: SeededRandom): string {
  const words = faker.word.words({ count: { min: 1, max: 4 } });
  const title = words.split(' ').map(capitalize).join(' ');
  return rng.chance(0.1) ? `${title} (Remix)` : title;
}

function recentSkewedYear(rng: SeededRandom, currentYear: number): number {
  // exponential age, mean ~14 years, capped at 1950
  return Math.max(1950, currentYear - Math.floor(-Math.log(1 - rng.next()) * 14));
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
