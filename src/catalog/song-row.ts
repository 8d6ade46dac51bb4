import { imputeSong, type KnownSong } from './impute';
import type { Song } from '../domain/song';

/** The columns a source can map: everything of a Song but its provenance. */
export const SONG_COLUMNS = ['title', 'artist', 'album', 'genre', 'year', 'popularity', 'danceability', 'energy', 'length'] as const;
export type SongColumn = (typeof SONG_COLUMNS)[number];

/**
 * The longest text a source cell may hold for each song column, in characters: a song's title,
 * artist and album (far above real ones), its genre, and the numbers' text. A longer cell skips its row, naming the field (a CSV row
 * longer than CSV_MAX_ROW_CHARS refuses its source before it is buffered whole).
 */
export const FIELD_MAX_CHARS: Record<SongColumn, number> = {
  title: 1000,
  artist: 1000,
  album: 1000,
  genre: 200,
  year: 100,
  popularity: 100,
  danceability: 100,
  energy: 100,
  length: 100,
};

/** One source row as text, by song column; a column the source lacks is undefined. */
export type RawRow = Partial<Record<SongColumn, string>>;

export interface Units {
  /** `seconds` also reads "1,412" and "m:ss" */
  length: 'seconds' | 'ms';
  danceability: 'fraction' | 'percent';
  energy: 'fraction' | 'percent';
}

export const DEFAULT_UNITS: Units = { length: 'seconds', danceability: 'fraction', energy: 'fraction' };

export interface RowContext {
  source: string;
  currentYear: number;
  units: Units;
}

export type RowResult = { song: Song } | { reason: string; detail: string };

/** Cell values that mean "not known" rather than a bad value. */
const MISSING = /^(|-|–|—|n\/a|null|\?|tba|tbd)$/i;

function present(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.replace(/\u00a0/g, ' ').trim();
  return MISSING.test(v) ? undefined : v;
}

class RowProblem extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(reason);
  }
}

function parseNumber(field: string, text: string): number {
  const n = Number(text.replace(/,/g, '').replace(/%$/, '').trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new RowProblem(`${field} not a number`, text);
  return n;
}

/** Seconds from "215", "1,412", "3:35", "1:02:03", or milliseconds. */
export function parseLength(text: string, unit: Units['length']): number {
  if (unit === 'seconds' && /^\d+(:\d{1,2}){1,2}$/.test(text.trim())) {
    return text
      .trim()
      .split(':')
      .reduce((acc, part) => acc * 60 + Number(part), 0);
  }
  const n = parseNumber('length', text);
  return Math.round(unit === 'ms' ? n / 1000 : n);
}

/** The year of "1999", "1999-03-05", "March 5, 1999", "1999 (re-release)". */
export function parseYear(text: string): number {
  const m = /(?:^|\D)(\d{4})(?:\D|$)/.exec(text);
  if (!m) throw new RowProblem('year not a number', text);
  return Number(m[1]);
}

/** The first artist of a Python-style list "['A', 'B']" (600k tracks) or of "A;B" (114k tracks), else the text. */
export function parseArtist(text: string): string {
  const list = /^\[\s*(['"])(.*?)\1\s*(,|\])/.exec(text.trim());
  if (list) return list[2];
  return text.includes(';') ? text.split(';')[0] : text;
}

function inRange(field: string, value: number, lo: number, hi: number, text: string): number {
  if (!(value >= lo && value <= hi)) throw new RowProblem(`${field} out of range`, `${text} (allowed ${lo}..${hi})`);
  return value;
}

function feature(field: 'danceability' | 'energy', text: string | undefined, unit: Units['danceability']): number | undefined {
  if (text === undefined) return undefined;
  const n = parseNumber(field, text);
  const value = unit === 'percent' ? n / 100 : n;
  return Math.round(inRange(field, value, 0, 1, text) * 1000) / 1000;
}

/**
 * A source row as a validated, complete song: no cell longer than FIELD_MAX_CHARS; title and artist required; year
 * 1900..next year, popularity 0..100, danceability and energy 0..1, length > 0;
 * whatever the row lacks is imputed (and flagged).
 */
export function songFromRow(row: RawRow, ctx: RowContext): RowResult {
  try {
    for (const field of SONG_COLUMNS) {
      const length = row[field]?.length ?? 0;
      if (length > FIELD_MAX_CHARS[field])
        throw new RowProblem(`${field} too long`, `${length.toLocaleString('en-US')} characters (at most ${FIELD_MAX_CHARS[field]})`);
    }
    const title = present(row.title)?.replace(/\s+/g, ' ');
    if (!title) throw new RowProblem('missing title', JSON.stringify(row.title ?? ''));
    const artistText = present(row.artist);
    const artist = artistText === undefined ? undefined : present(parseArtist(artistText))?.replace(/\s+/g, ' ');
    if (!artist) throw new RowProblem('missing artist', JSON.stringify(row.artist ?? ''));
    const known: KnownSong = { title, artist, source: ctx.source };
    const album = present(row.album);
    if (album !== undefined) known.album = album.replace(/\s+/g, ' ');
    const genre = present(row.genre);
    if (genre !== undefined) known.genre = genre.replace(/\s+/g, ' ');
    const year = present(row.year);
    if (year !== undefined) known.year = inRange('year', parseYear(year), 1900, ctx.currentYear + 1, year);
    const popularity = present(row.popularity);
    if (popularity !== undefined)
      known.popularity = Math.round(inRange('popularity', parseNumber('popularity', popularity), 0, 100, popularity));
    known.danceability = feature('danceability', present(row.danceability), ctx.units.danceability);
    known.energy = feature('energy', present(row.energy), ctx.units.energy);
    const length = present(row.length);
    if (length !== undefined) {
      const seconds = parseLength(length, ctx.units.length);
      if (!(seconds > 0)) throw new RowProblem('length not positive', length);
      known.length_seconds = seconds;
    }
    for (const k of Object.keys(known) as (keyof KnownSong)[]) if (known[k] === undefined) delete known[k];
    return { song: imputeSong(known, ctx.currentYear) };
  } catch (err) {
    if (err instanceof RowProblem) return { reason: err.reason, detail: err.detail };
    throw err;
  }
}
