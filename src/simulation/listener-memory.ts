import type { SeededRandom } from './seeded-random';
import type { CatalogIndex } from './catalog-index';

/** How many of the songs listened to most recently make up a user's current rotation. */
export const ROTATION_SIZE = 40;
/** The chance a replay comes from the current rotation rather than from all songs listened to. */
const ROTATION_SHARE = 0.8;

/**
 * What the user being simulated has heard so far: which songs and artists, a log of
 * full listens whose uniform draw picks an artist in proportion to how often it was
 * listened to (affinity grows with plays), and the songs listened to in the order first
 * heard, from which replays are drawn. One instance serves a whole shard: reset()
 * starts the next user without clearing (generation stamps). Its state is plain typed
 * arrays and counters.
 */
export class ListenerMemory {
  private readonly songStamp: Uint32Array;
  private readonly artistStamp: Uint32Array;
  /** songs of the artist the user has heard; valid where artistStamp is current */
  private readonly artistHeard: Uint32Array;
  private known: Uint32Array = new Uint32Array(256);
  private stamp = 1;
  private log: Uint32Array = new Uint32Array(1024);
  private logLength = 0;
  private knownArtistCount = 0;
  /** songs listened to (not skipped), each once, in the order first listened to */
  private listened: Uint32Array = new Uint32Array(256);
  private listenedCount = 0;
  private readonly listenedStamp: Uint32Array;

  constructor(private readonly index: CatalogIndex) {
    this.songStamp = new Uint32Array(index.size);
    this.artistStamp = new Uint32Array(index.artistCount);
    this.artistHeard = new Uint32Array(index.artistCount);
    this.listenedStamp = new Uint32Array(index.size);
  }

  reset(): void {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.songStamp.fill(0);
      this.artistStamp.fill(0);
      this.listenedStamp.fill(0);
      this.stamp = 1;
    }
    this.logLength = 0;
    this.knownArtistCount = 0;
    this.listenedCount = 0;
  }

  hasPlayed(song: number): boolean {
    return this.songStamp[song] === this.stamp;
  }

  knowsArtist(artist: number): boolean {
    return this.artistStamp[artist] === this.stamp;
  }

  get knownArtists(): number {
    return this.knownArtistCount;
  }

  /** A known artist, each equally likely. */
  randomKnownArtist(rng: SeededRandom): number {
    return this.known[Math.floor(rng.next() * this.knownArtistCount)];
  }

  /** True when the user has heard every song of this known artist. */
  exhausted(artist: number): boolean {
    return this.artistStamp[artist] === this.stamp && this.artistHeard[artist] >= this.index.songCountOf(artist);
  }

  get listens(): number {
    return this.logLength;
  }

  /** Every event marks the song and artist as heard; only listens that were not skipped build affinity. */
  record(song: number, listened: boolean): void {
    const artist = this.index.artistOf[song];
    if (this.artistStamp[artist] !== this.stamp) {
      this.artistStamp[artist] = this.stamp;
      this.artistHeard[artist] = 0;
      if (this.knownArtistCount === this.known.length) this.known = grow(this.known);
      this.known[this.knownArtistCount++] = artist;
    }
    if (this.songStamp[song] !== this.stamp) {
      this.songStamp[song] = this.stamp;
      this.artistHeard[artist]++;
    }
    if (!listened) return;
    if (this.logLength === this.log.length) this.log = grow(this.log);
    this.log[this.logLength++] = song;
    if (this.listenedStamp[song] !== this.stamp) {
      this.listenedStamp[song] = this.stamp;
      if (this.listenedCount === this.listened.length) this.listened = grow(this.listened);
      this.listened[this.listenedCount++] = song;
    }
  }

  /** A past listen, drawn uniformly: songs (and their artists) come back in proportion to their listens. */
  randomListen(rng: SeededRandom): number {
    return this.log[Math.floor(rng.next() * this.logLength)];
  }

  /**
   * A song to replay: mostly one of the current rotation (the ROTATION_SIZE songs most
   * recently listened to for the first time), else any song listened to, each equally
   * likely, so no song snowballs into most of a user's plays.
   */
  replaySong(rng: SeededRandom): number {
    const n = this.listenedCount;
    const from = rng.chance(ROTATION_SHARE) ? Math.max(0, n - ROTATION_SIZE) : 0;
    return this.listened[from + Math.floor(rng.next() * (n - from))];
  }
}

function grow(array: Uint32Array): Uint32Array {
  const grown = new Uint32Array(array.length * 2);
  grown.set(array);
  return grown;
}
