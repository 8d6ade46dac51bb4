/** One catalog song, as stored in schemas/song.avsc. */
export interface Song {
  title: string;
  artist: string;
  /** the album the song is on; '' when the source does not say */
  album: string;
  genre: string;
  year: number;
  popularity: number;
  danceability: number;
  energy: number;
  length_seconds: number;
  source: string;
  imputed: string[];
}

/** What the simulation reads of a song (the catalog's provenance fields stay on disk). */
export type SimulatedSong = Pick<
  Song,
  'title' | 'artist' | 'album' | 'genre' | 'year' | 'popularity' | 'danceability' | 'energy' | 'length_seconds'
>;
