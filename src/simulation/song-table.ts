import type { SimulatedSong } from '../domain/song';
import { StringTable } from './string-table';

/** The catalog as columns: one typed array per number, and each string field as ids into a StringTable. */
export interface SongColumns {
  year: Int32Array;
  popularity: Int32Array;
  danceability: Float32Array;
  energy: Float32Array;
  lengthSeconds: Int32Array;
  titles: StringTable;
  /** each song's artist, numbered by first appearance in the catalog */
  artistOf: Uint32Array;
  artists: StringTable;
  albumOf: Uint32Array;
  albums: StringTable;
  genreOf: Uint32Array;
  genres: StringTable;
}

/** n slots holding undefined, in fast elements (V8 makes `new Array(n)` of n > 100k a slow dictionary). */
function emptySlots<T>(n: number): (T | undefined)[] {
  const slots: (T | undefined)[] = [];
  for (let i = 0; i < n; i++) slots.push(undefined);
  return slots;
}

/**
 * The songs of a catalog, held as columns (a few typed arrays, ~60 bytes per song, no
 * object per song): the simulation reads the numbers it draws by straight from them, and
 * a song's record fields as a SimulatedSong made on its first use, then kept. Picks
 * follow a Zipf-like law, so a run makes objects for its hot songs and a part of the tail.
 */
export class SongTable {
  readonly size: number;
  private readonly made: (SimulatedSong | undefined)[];
  private readonly artistNames: (string | undefined)[];
  private readonly albumNames: (string | undefined)[];
  private readonly genreNames: string[];

  /** `songs`: the songs themselves when the columns were made from them (they are then the objects handed out) */
  constructor(
    readonly columns: SongColumns,
    songs?: readonly SimulatedSong[],
  ) {
    this.size = columns.year.length;
    if (this.size === 0) throw new Error('the catalog has no songs');
    this.made = songs ? [...songs] : emptySlots(this.size);
    this.artistNames = emptySlots(columns.artists.size);
    this.albumNames = emptySlots(columns.albums.size);
    this.genreNames = Array.from({ length: columns.genres.size }, (_, g) => columns.genres.get(g));
  }

  get artistCount(): number {
    return this.columns.artists.size;
  }

  song(i: number): SimulatedSong {
    return this.made[i] ?? this.make(i);
  }

  private make(i: number): SimulatedSong {
    const c = this.columns;
    const a = c.artistOf[i];
    const b = c.albumOf[i];
    const song: SimulatedSong = {
      title: c.titles.get(i),
      artist: this.artistNames[a] ?? (this.artistNames[a] = c.artists.get(a)),
      album: this.albumNames[b] ?? (this.albumNames[b] = c.albums.get(b)),
      genre: this.genreNames[c.genreOf[i]],
      year: c.year[i],
      popularity: c.popularity[i],
      danceability: c.danceability[i],
      energy: c.energy[i],
      length_seconds: c.lengthSeconds[i],
    };
    this.made[i] = song;
    return song;
  }

  /**
   * The columns of these songs. Artists are numbered by first appearance and genres by
   * value; an album string is stored once for a run of consecutive songs (as albums come
   * in catalogs), since a map over a million distinct albums would cost more than it saves.
   */
  static fromSongs(songs: readonly SimulatedSong[]): SongTable {
    const n = songs.length;
    const integer = (field: 'year' | 'popularity' | 'length_seconds', i: number) => {
      const v = songs[i][field];
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
        throw new Error(`song ${i} (${songs[i].title}): ${field} ${v} is not a 32-bit integer`);
      return v;
    };
    const year = new Int32Array(n);
    const popularity = new Int32Array(n);
    const lengthSeconds = new Int32Array(n);
    const danceability = new Float32Array(n);
    const energy = new Float32Array(n);
    const artistOf = new Uint32Array(n);
    const albumOf = new Uint32Array(n);
    const genreOf = new Uint32Array(n);
    const artistIds = new Map<string, number>();
    const artists: string[] = [];
    const albums: string[] = [];
    const genreIds = new Map<string, number>();
    const genres: string[] = [];
    for (let i = 0; i < n; i++) {
      const s = songs[i];
      year[i] = integer('year', i);
      popularity[i] = integer('popularity', i);
      lengthSeconds[i] = integer('length_seconds', i);
      danceability[i] = s.danceability;
      energy[i] = s.energy;
      if (i > 0 && s.artist === songs[i - 1].artist) artistOf[i] = artistOf[i - 1];
      else {
        let a = artistIds.get(s.artist);
        if (a === undefined) artistIds.set(s.artist, (a = artists.push(s.artist) - 1));
        artistOf[i] = a;
      }
      albumOf[i] = i > 0 && s.album === songs[i - 1].album ? albumOf[i - 1] : albums.push(s.album) - 1;
      let g = genreIds.get(s.genre);
      if (g === undefined) genreIds.set(s.genre, (g = genres.push(s.genre) - 1));
      genreOf[i] = g;
    }
    const columns: SongColumns = {
      year,
      popularity,
      danceability,
      energy,
      lengthSeconds,
      titles: StringTable.of(songs.map((s) => s.title)),
      artistOf,
      artists: StringTable.of(artists),
      albumOf,
      albums: StringTable.of(albums),
      genreOf,
      genres: StringTable.of(genres),
    };
    return new SongTable(columns, songs);
  }
}
