import type { SeededRandom } from './seeded-random';
import type { CatalogIndex, WeightedSongs } from './catalog-index';

/** How many of the songs listened to most recently make up a user's current rotation. */
const ROTATION_SIZE = 40;
/** The chance a replay comes from the current rotation rather than from all songs listened to. */
const ROTATION_SHARE = 0.8;
/**
 * A replay looks at this many of the user's songs and takes one by the most popular artist:
 * people replay the big acts most (hit concentration by artist, docs/realism.md), spread
 * over those artists' songs rather than one song.
 */
const REPLAY_CHOICES = 20;

/**
 * What the user being simulated has heard so far: which songs and artists, a log of
 * full listens whose uniform draw picks an artist in proportion to how often it was
 * listened to (affinity grows with plays), and the songs listened to in the order first
 * heard, from which replays are drawn. One instance serves a whole shard: reset()
 * starts the next user without clearing (generation stamps). Its state is plain typed
 * arrays and counters.
 */
export class ListenerMemory {
  /** per song, side by side: [2s] the stamp of the user who played it, [2s + 1] of the user who listened to it (not skipped) */
  private readonly songStamps: Uint32Array;
  /** per artist: [2a] the stamp of the user who heard it, [2a + 1] how many of its songs (valid where the stamp is current) */
  private readonly artistStamps: Uint32Array;
  private known: Uint32Array = new Uint32Array(256);
  private stamp = 1;
  private log: Uint32Array = new Uint32Array(1024);
  private logLength = 0;
  private knownArtistCount = 0;
  /** songs listened to (not skipped), each once, in the order first listened to */
  private listened: Uint32Array = new Uint32Array(256);
  private listenedCount = 0;

  /** per bucket walked (nextUnplayed): [2p] the stamp of the user, [2p + 1] the next position that may be unplayed */
  private readonly walks = new Map<WeightedSongs, Uint32Array>();

  constructor(private readonly index: CatalogIndex) {
    this.songStamps = new Uint32Array(2 * index.size);
    this.artistStamps = new Uint32Array(2 * index.artistCount);
  }

  reset(): void {
    this.stamp++;
    if (this.stamp === 0xffffffff) {
      this.songStamps.fill(0);
      this.artistStamps.fill(0);
      for (const links of this.walks.values()) links.fill(0);
      this.stamp = 1;
    }
    this.logLength = 0;
    this.knownArtistCount = 0;
    this.listenedCount = 0;
  }

  hasPlayed(song: number): boolean {
    return this.songStamps[2 * song] === this.stamp;
  }

  knowsArtist(artist: number): boolean {
    return this.artistStamps[2 * artist] === this.stamp;
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
    return this.artistStamps[2 * artist] === this.stamp && this.artistStamps[2 * artist + 1] >= this.index.songCountOf(artist);
  }

  get listens(): number {
    return this.logLength;
  }

  /** Every event marks the song and artist as heard; only listens that were not skipped build affinity. */
  record(song: number, listened: boolean): void {
    const artist = this.index.artistOf[song];
    if (this.artistStamps[2 * artist] !== this.stamp) {
      this.artistStamps[2 * artist] = this.stamp;
      this.artistStamps[2 * artist + 1] = 0;
      if (this.knownArtistCount === this.known.length) this.known = grow(this.known);
      this.known[this.knownArtistCount++] = artist;
    }
    if (this.songStamps[2 * song] !== this.stamp) {
      this.songStamps[2 * song] = this.stamp;
      this.artistStamps[2 * artist + 1]++;
    }
    if (!listened) return;
    if (this.logLength === this.log.length) this.log = grow(this.log);
    this.log[this.logLength++] = song;
    if (this.songStamps[2 * song + 1] !== this.stamp) {
      this.songStamps[2 * song + 1] = this.stamp;
      if (this.listenedCount === this.listened.length) this.listened = grow(this.listened);
      this.listened[this.listenedCount++] = song;
    }
  }

  /**
   * The first position at or after `from` in `songs` (most popular first) whose song the
   * user has not played, or songs.size: going down the curve past the hits already heard.
   * Played songs stay played, so each is linked past once per user (union-find with path
   * compression, stamped per user like the rest).
   */
  nextUnplayed(songs: WeightedSongs, from: number): number {
    let links = this.walks.get(songs);
    if (!links) this.walks.set(songs, (links = new Uint32Array(2 * songs.size)));
    const stamp = this.stamp;
    let p = from;
    while (p < songs.size && this.hasPlayed(songs.at(p))) p = links[2 * p] === stamp ? links[2 * p + 1] : p + 1;
    for (let q = from; q < p;) {
      const next = links[2 * q] === stamp ? links[2 * q + 1] : q + 1;
      links[2 * q] = stamp;
      links[2 * q + 1] = p;
      q = next;
    }
    return p;
  }

  /** A past listen, drawn uniformly: songs (and their artists) come back in proportion to their listens. */
  randomListen(rng: SeededRandom): number {
    return this.log[Math.floor(rng.next() * this.logLength)];
  }

  /**
   * A song to replay: mostly one of the current rotation (the ROTATION_SIZE songs most
   * recently listened to for the first time), else any song listened to; of REPLAY_CHOICES
   * such songs drawn alike, the one by the artist highest on the curve (the first drawn of
   * that artist's), so the big acts are replayed most while no song snowballs into most of
   * a user's plays.
   */
  replaySong(rng: SeededRandom): number {
    const n = this.listenedCount;
    const from = rng.chance(ROTATION_SHARE) ? Math.max(0, n - ROTATION_SIZE) : 0;
    const { artistBestRank, artistOf } = this.index;
    let best = this.listened[from + Math.floor(rng.next() * (n - from))];
    let bestRank = artistBestRank[artistOf[best]];
    for (let i = 1; i < REPLAY_CHOICES; i++) {
      const song = this.listened[from + Math.floor(rng.next() * (n - from))];
      const rank = artistBestRank[artistOf[song]];
      if (rank < bestRank) {
        best = song;
        bestRank = rank;
      }
    }
    return best;
  }
}

function grow(array: Uint32Array): Uint32Array {
  const grown = new Uint32Array(array.length * 2);
  grown.set(array);
  return grown;
}
