import { DEFAULT_UNITS, SONG_COLUMNS, type RawRow, type SongColumn, type Units } from './song-row';

/** A column named by its header text (case and spacing ignored) or by its 0-based position. */
type ColumnRef = string | number;
export type ColumnMapping = Partial<Record<SongColumn, ColumnRef>>;
export type ColumnIndexes = Partial<Record<SongColumn, number>>;

/** Header names recognised without a mapping, per song column (after normalizeHeader). */
const HEADER_NAMES: Record<SongColumn, readonly string[]> = {
  title: ['title', 'song', 'song title', 'song name', 'single', 'track', 'track name', 'track title', 'name', 'track_name', 'song_name'],
  artist: [
    'artist',
    'artists',
    'artist(s)',
    'performer',
    'performers',
    'performer(s)',
    'performed by',
    'artist name',
    'band',
    'artist_name',
    'track_artist',
    'artist(s)_name',
  ],
  genre: ['genre', 'genres', 'top genre', 'top_genre', 'playlist_genre', 'track_genre'],
  album: ['album', 'albums', 'album name', 'album title', 'album_name', 'track_album_name', 'album(s)'],
  year: [
    'year',
    'released',
    'release date',
    'release year',
    'year released',
    'release_date',
    'release_year',
    'released_year',
    'track_album_release_date',
  ],
  popularity: ['popularity', 'track_popularity', 'pop'],
  danceability: ['danceability', 'danceability_%', 'dnce'],
  energy: ['energy', 'energy_%', 'nrgy'],
  length: ['length', 'length (duration)', 'duration', 'duration_ms', 'duration (ms)', 'length_seconds', 'running time', 'time', 'dur'],
};

/** Looser header words for ordinary web tables: "Single title", "Original artist", "Year of release". */
const HEADER_WORDS: Partial<Record<SongColumn, RegExp>> = {
  title: /\b(title|song|single|track)s?\b/,
  artist: /\b(artist|artists|artist\(s\)|performers?|performer\(s\))\b/,
  year: /\b(year|released|release)\b/,
};

function normalizeHeader(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/\[[^\]]{1,20}\]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export class ColumnError extends Error {}

/**
 * Which column holds what: explicit refs first (an unknown one is an error), then
 * known header names, then (for title, artist and year) header words.
 */
export function resolveColumns(headers: readonly string[], explicit: ColumnMapping = {}): ColumnIndexes {
  const names = headers.map(normalizeHeader);
  const indexes: ColumnIndexes = {};
  const used = new Set<number>();
  for (const column of SONG_COLUMNS) {
    const ref = explicit[column];
    if (ref === undefined) continue;
    const index = typeof ref === 'number' ? ref : names.indexOf(normalizeHeader(ref));
    if (!Number.isInteger(index) || index < 0 || index >= headers.length) {
      throw new ColumnError(
        `column ${JSON.stringify(ref)} for ${column} not found; the columns are: ${headers.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
    indexes[column] = index;
    used.add(index);
  }
  const claim = (column: SongColumn, match: (name: string) => boolean): void => {
    if (indexes[column] !== undefined) return;
    const index = names.findIndex((name, i) => !used.has(i) && match(name));
    if (index >= 0) {
      indexes[column] = index;
      used.add(index);
    }
  };
  for (const column of SONG_COLUMNS) claim(column, (name) => HEADER_NAMES[column].includes(name));
  // an artist word beats a title word: "Artist of the song" is the artist
  for (const column of ['artist', 'title', 'year'] as const) {
    const words = HEADER_WORDS[column]!;
    claim(column, (name) => words.test(name) && (column === 'artist' || !HEADER_WORDS.artist!.test(name)));
  }
  return indexes;
}

/** Headers whose energy or danceability run 0-100 (the "Top Spotify songs 2010-2019" layout). */
const PERCENT_HEADERS = ['nrgy', 'dnce'];

/**
 * Units implied by the headers: `duration_ms` / "(ms)" is milliseconds; energy and
 * danceability run 0-100 in the "Spotify - All Time Top 2000s" layout (Top Genre,
 * Beats Per Minute (BPM)), under a header ending in % (`danceability_%`) and under
 * `nrgy` / `dnce`.
 */
export function unitsFromHeaders(headers: readonly string[], indexes: ColumnIndexes, given: Partial<Units> = {}): Units {
  const names = headers.map(normalizeHeader);
  const units: Units = { ...DEFAULT_UNITS };
  if (indexes.length !== undefined && /(^|[\s_(])ms\)?$/.test(names[indexes.length])) units.length = 'ms';
  const top2000 = names.includes('top genre') && names.includes('beats per minute (bpm)');
  for (const column of ['danceability', 'energy'] as const) {
    const index = indexes[column];
    if (index === undefined) continue;
    if (top2000 || names[index].endsWith('%') || PERCENT_HEADERS.includes(names[index])) units[column] = 'percent';
  }
  return { ...units, ...given };
}

export function rowFromCells(cells: readonly (string | undefined)[], indexes: ColumnIndexes, defaults: RawRow = {}): RawRow {
  const row: RawRow = { ...defaults };
  for (const column of SONG_COLUMNS) {
    const index = indexes[column];
    if (index !== undefined && cells[index] !== undefined && cells[index]!.trim() !== '') row[column] = cells[index];
  }
  return row;
}
