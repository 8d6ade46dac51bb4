import type { Tendencies } from './behaviour';
import type { SeededRandom } from './seeded-random';
import { bucketFor, type CatalogIndex, type WeightedSongs } from './catalog-index';
import type { ListenerMemory } from './listener-memory';

const ARTIST_TRIES = 8;
const BUCKET_TRIES = 8;
/** the first tries of a bucket draw by the popularity law, the others anywhere in it */
const LAW_TRIES = 6;
/** how many unplayed songs down the curve a try looks at */
const WALK_STEPS = 8;
/** how many songs of one artist a pick looks at */
const ARTIST_SONGS_SEEN = 16;
const scratch = new Uint32Array(ARTIST_SONGS_SEEN);
/** songs an artist needs for a Familiarity listener to take it up */
const DEEP_CATALOG = 3;

/** The share of a Newness listener's new-song picks that first look among the new releases. */
const NEW_RELEASE_PICK = 0.3;

/** What a pick needs to know of its day: what is released by then, and what is new. */
export interface PickDay {
  /** days since the epoch */
  today: number;
  /** each song's release day (CatalogIndex.releaseDay) */
  releaseDay: Int32Array;
  /** the releases of the last weeks, by their burst weight (CatalogIndex.newReleases) */
  newReleases: WeightedSongs | null;
}

export interface Pick {
  song: number;
  /** true when the user has heard this song before */
  replay: boolean;
}

/**
 * Chooses the next song; every axis decides on every pick, each in O(1):
 *   L/V  replay a song of the user's rotation (ListenerMemory.replaySong) or take a new song;
 *   F/E  a new song by an artist drawn from the user's listens, or by an artist new to the user;
 *   T/N  from the newer or the older half of the songs released by the play year;
 *   C/U  from the more or the less popular half of the catalog;
 * new songs of a new artist are drawn by the popularity law (catalog-index).
 */
export function pickSong(
  index: CatalogIndex,
  memory: ListenerMemory,
  t: Tendencies,
  rng: SeededRandom,
  playYear: number,
  day: PickDay,
): Pick {
  if (memory.listens > 0 && rng.chance(t.replay)) return { song: memory.replaySong(rng), replay: true };
  const view = index.yearView(playYear);
  const wantNewer = rng.chance(t.newerHalf);
  const wantPopular = rng.chance(t.popularHalf);
  const wantKnown = memory.knownArtists > 0 && rng.chance(t.knownArtist);
  const { today, releaseDay } = day;
  // the holiday genre is played only by its season (session-streams)
  const holiday = index.isHoliday;
  if (wantNewer && day.newReleases && rng.chance(NEW_RELEASE_PICK)) {
    // a release of the last weeks, when it fits every other choice too
    const song = day.newReleases.draw(rng);
    if (
      releaseDay[song] <= today &&
      !holiday[song] &&
      !memory.hasPlayed(song) &&
      (index.popular[song] === 1) === wantPopular &&
      memory.knowsArtist(index.artistOf[song]) === wantKnown
    )
      return { song, replay: false };
  }
  if (wantKnown && memory.listens > 0) {
    // a song of a known artist that fits the T/N and C/U choices too; if the known
    // artists have none, one that fits half of them, half of the time; else a new artist
    let best = -1;
    let bestFit = 0;
    for (let i = 0; i < ARTIST_TRIES && bestFit < 2; i++) {
      // alternate: an artist in proportion to listens (affinity), or any known one
      const artist = i % 2 === 0 ? index.artistOf[memory.randomListen(rng)] : memory.randomKnownArtist(rng);
      if (memory.exhausted(artist)) continue;
      const n = index.songsOfFrom(artist, rng, scratch);
      for (let k = 0; k < n; k++) {
        const song = scratch[k];
        const newer = view.newer[song];
        if (newer === 255 || !index.streamable[song] || releaseDay[song] > today || holiday[song] || memory.hasPlayed(song)) continue;
        const fit = ((newer === 1) === wantNewer ? 1 : 0) + ((index.popular[song] === 1) === wantPopular ? 1 : 0);
        if (fit > bestFit) {
          best = song;
          bestFit = fit;
          if (fit === 2) break;
        }
      }
    }
    if (bestFit === 2 || (best >= 0 && rng.chance(0.5))) return { song: best, replay: false };
  }
  // a new artist: for Exploration one the user does not know; for Familiarity (whose
  // known artists are exhausted) preferably one with more songs to come back to
  const bucket = bucketFor(view, wantNewer, wantPopular);
  let fallback = -1;
  for (let i = 0; i < BUCKET_TRIES; i++) {
    // the popularity law first, going down the curve past the songs heard (a listener who
    // knows the hits takes the next ones); then anywhere in the quarter
    let pos = i < LAW_TRIES ? bucket.drawPosition(rng) : Math.floor(rng.next() * bucket.size);
    for (let step = 0; step < WALK_STEPS; step++, pos++) {
      pos = memory.nextUnplayed(bucket, pos);
      if (pos >= bucket.size) break;
      const song = bucket.at(pos);
      if (releaseDay[song] > today || holiday[song]) continue;
      const artist = index.artistOf[song];
      const acceptable = wantKnown ? index.songCountOf(artist) >= DEEP_CATALOG : !memory.knowsArtist(artist);
      if (acceptable) return { song, replay: false };
      if (fallback < 0) fallback = song;
    }
  }
  if (!wantKnown) {
    // a heavy explorer has met most artists of the quarter: an unknown artist of the quarter
    // of the other popularity half, then of the other age half, then anywhere in the catalog
    // keeps Exploration at the cost of one other choice of this pick (of the orders tried on
    // 150 default users, this one lost `profile` the fewest axis calls)
    const olderOrNewer = bucketFor(view, !wantNewer, wantPopular);
    const lessOrMorePopular = bucketFor(view, wantNewer, !wantPopular);
    for (let i = 0; i < 3 * BUCKET_TRIES; i++) {
      const from = i < BUCKET_TRIES ? lessOrMorePopular : i < 2 * BUCKET_TRIES ? olderOrNewer : view.available;
      const song = from.at(Math.floor(rng.next() * from.size));
      if (!memory.hasPlayed(song) && releaseDay[song] <= today && !holiday[song] && !memory.knowsArtist(index.artistOf[song]))
        return { song, replay: false };
    }
  }
  if (fallback >= 0) return { song: fallback, replay: false };
  const song = bucket.draw(rng);
  return { song, replay: memory.hasPlayed(song) };
}
