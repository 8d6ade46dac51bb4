import type { Faker } from '@faker-js/faker';
import { SeededRandom } from '../simulation/seeded-random';
import { GENRE_PROFILES, GENRE_WEIGHTS, genreFeatures, recentYear } from './genres';
import type { Song } from '../domain/song';

/** Big enough that heavy listeners do not run out of new artists (docs/realism.md). */
export const DEFAULT_SYNTHETIC_SONGS = 40_000;

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** Tracks on a synthetic album (an artist's songs are released as albums, EPs and singles). */
const ALBUM_TRACKS: readonly [number, number] = [6, 14];
const EP_TRACKS: readonly [number, number] = [3, 5];
const SINGLE_SHARE = 0.2;
const EP_SHARE = 0.2;
/** the most famous artist has 1 + FAME_SONGS times the songs of an unknown one with the same draw */
const FAME_SONGS = 3;
/**
 * A song's popularity is mostly its artist's fame, the rest its own luck: the hits of the
 * famous artists fill the head of the catalog (docs/realism.md, "Hit concentration").
 */
const FAME_WEIGHT = 0.9;

/**
 * A synthetic catalog of `count` songs, deterministic for the seed: a power-law number
 * of songs per artist, released as albums (6-14 tracks), EPs (3-5) and singles, one
 * release year per album from the artist's debut on; genre-shaped audio features,
 * years skewed toward recent decades and popularity skewed toward a long tail.
 */
export function syntheticCatalog(count: number, seed: number, currentYear: number): Song[] {
  const rng = new SeededRandom(seed, 'synthetic-catalog', count);
  // loaded here, not at import: validating a catalog name (every CLI start) must not pay ~0.2 s for faker
  const { Faker, en } = require('@faker-js/faker') as typeof import('@faker-js/faker');
  const faker = new Faker({ locale: [en] });
  faker.seed(rng.uint32());
  const songs: Song[] = [];
  const titles = new Set<string>();
  const artists = new Set<string>();
  while (songs.length < count) {
    const artist = uniqueArtistName(faker, rng, artists);
    const genre = GENRE_PROFILES[rng.weightedIndex(GENRE_WEIGHTS)];
    // Pareto-distributed catalogue size: most artists have one or two songs, a few have
    // dozens; famous artists have more of them (a hit act releases more and stays longer)
    const songCount = Math.floor(1 / Math.pow(1 - rng.next(), 1 / 1.3));
    let year = recentYear(rng, currentYear);
    const fame = Math.pow(rng.next(), 2.5);
    let left = Math.min(60, Math.round(songCount * (1 + FAME_SONGS * fame)), count - songs.length);
    const albums = new Set<string>();
    while (left > 0) {
      const kind = rng.next();
      const tracks = Math.min(
        left,
        kind < SINGLE_SHARE ? 1 : kind < SINGLE_SHARE + EP_SHARE ? rng.int(...EP_TRACKS) : rng.int(...ALBUM_TRACKS),
      );
      let album = tracks === 1 ? '' : albumTitle(faker, rng);
      while (albums.has(album.toLowerCase())) album = albumTitle(faker, rng);
      albums.add(album.toLowerCase());
      for (let i = 0; i < tracks; i++) {
        let title = songTitle(faker, rng);
        while (titles.has(`${artist}\u0000${title.toLowerCase()}`)) title = songTitle(faker, rng);
        titles.add(`${artist}\u0000${title.toLowerCase()}`);
        songs.push({
          title,
          artist,
          // a single is listed under its own title, as the streaming services do
          album: album || title,
          genre: genre.genre,
          year,
          popularity: Math.round(clamp(100 * (FAME_WEIGHT * fame + (1 - FAME_WEIGHT) * Math.pow(rng.next(), 3)), 0, 100)),
          ...genreFeatures(rng, genre),
          source: `synthetic:${count}`,
          imputed: [],
        });
      }
      left -= tracks;
      year = Math.min(currentYear, year + rng.int(1, 4));
    }
  }
  return songs;
}

function albumTitle(faker: Faker, rng: SeededRandom): string {
  const words = faker.word
    .words({ count: { min: 1, max: 3 } })
    .split(' ')
    .map(capitalize)
    .join(' ');
  return rng.chance(0.15) ? `${words} (Deluxe Edition)` : words;
}

function uniqueArtistName(faker: Faker, rng: SeededRandom, used: Set<string>): string {
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

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
