import * as cheerio from 'cheerio';
import type { Element } from 'domhandler';
import { ColumnError, resolveColumns, rowFromCells, unitsFromHeaders, type ColumnIndexes, type ColumnMapping } from './columns';
import { cleanArtist, cleanTitle, headerLabels, headerRowCount, isNoteRow, stripInvisible, tableGrid, type GridRow } from './html-table';
import type { Page } from './polite-fetch';
import { SourceError } from './source-error';
import type { SourceTally } from './source-tally';
import { songFromRow, type RawRow, type Units } from './song-row';

export interface HtmlOptions {
  /** CSS selector of the candidate tables (default: every table) */
  table?: string;
  columns?: ColumnMapping;
  units?: Partial<Units>;
  defaults?: RawRow;
  currentYear: number;
  /** most table rows a page may have (default MAX_TABLE_ROWS) */
  maxRows?: number;
}

/** Most table rows read from one page: beyond this, a page fails at once instead of exhausting the worker's memory. */
const MAX_TABLE_ROWS = 100_000;

const LOOKED_FOR = 'a title-like column (Title, Song, Single, Track) and an artist-like column (Artist, Artist(s), Performer)';

/**
 * Reads the songs of every table on the page whose header names a title-like and an
 * artist-like column (and maybe a year-like one); with a description, of the tables its
 * selector picks, columns as mapped. Note rows are skipped and counted.
 */
export function readHtmlSource(tally: SourceTally, url: string, page: Page, opts: HtmlOptions): void {
  // counted in the bytes, before a parse of a huge table could exhaust the worker's memory
  const maxRows = opts.maxRows ?? MAX_TABLE_ROWS;
  const rowCount = countRowTags(page.body);
  if (rowCount > maxRows) {
    throw new SourceError(
      tally.source,
      `${url} has ${rowCount} table rows, more than the ${maxRows} a page may have; split it into smaller pages or use a csv: source`,
    );
  }
  // encoding: a BOM, else the Content-Type charset, else <meta charset>, else UTF-8
  const $ = cheerio.loadBuffer(page.body, { encoding: { defaultEncoding: 'utf-8', transportLayerEncodingLabel: page.charset } });
  stripInvisible($);
  const candidates = candidateTables($, tally.source, opts.table);
  const seen: string[] = [];
  const matching: { index: number; rows: GridRow[]; headerRows: number; labels: string[]; indexes: ColumnIndexes }[] = [];
  let columnProblem: string | undefined;
  candidates.forEach((table, index) => {
    const rows = tableGrid($, table);
    if (rows.length < 2) return;
    const headerRows = headerRowCount(rows);
    const labels = headerLabels(rows, headerRows);
    seen.push(`[${labels.filter(Boolean).join(', ')}]`);
    let indexes: ColumnIndexes;
    try {
      indexes = resolveColumns(labels, opts.columns);
    } catch (err) {
      if (!(err instanceof ColumnError)) throw err;
      columnProblem ??= err.message;
      return;
    }
    if (indexes.title !== undefined && (indexes.artist !== undefined || opts.defaults?.artist !== undefined)) {
      matching.push({ index, rows, headerRows, labels, indexes });
    }
  });
  if (matching.length === 0) {
    const where = opts.table ? `tables matching ${JSON.stringify(opts.table)}` : 'tables';
    const found = seen.length
      ? `; the ${where} have headers ${seen.slice(0, 8).join(' ')}${seen.length > 8 ? ' ...' : ''}`
      : `; the page has no ${where} with rows`;
    throw new SourceError(
      tally.source,
      `no table at ${url} has ${LOOKED_FOR}${columnProblem ? ` (${columnProblem})` : ''}${found}. Describe the layout in a source:PATH.json file`,
    );
  }
  const defaults = { ...opts.defaults };
  if (defaults.year === undefined && matching.some((t) => t.indexes.year === undefined)) {
    const pageYear = yearOfPage($('title').first().text(), $('h1').first().text());
    if (pageYear !== undefined) defaults.year = pageYear;
  }
  for (const t of matching) {
    const units = unitsFromHeaders(t.labels, t.indexes, opts.units);
    const prefix = matching.length > 1 ? `table ${t.index + 1} ` : '';
    for (const row of t.rows.slice(t.headerRows)) {
      const where = `${prefix}row ${row.rowNumber}`;
      if (isNoteRow(row, t.labels.length)) {
        tally.skip(where, 'note row', JSON.stringify(row.cells.find((c) => c)?.text.slice(0, 60) ?? ''));
        continue;
      }
      const raw = rowFromCells(
        row.cells.map((c) => c?.text),
        t.indexes,
        defaults,
      );
      if (raw.title !== undefined && t.indexes.title !== undefined) raw.title = cleanTitle(raw.title);
      if (raw.artist !== undefined && t.indexes.artist !== undefined) raw.artist = cleanArtist(raw.artist);
      for (const key of ['genre', 'year', 'popularity', 'danceability', 'energy', 'length'] as const) {
        if (raw[key] !== undefined) raw[key] = raw[key]!.split('\n')[0];
      }
      const result = songFromRow(raw, { source: tally.source, currentYear: opts.currentYear, units });
      if ('song' in result) tally.keep(result.song);
      else tally.skip(where, result.reason, result.detail);
    }
  }
}

/** How many <tr> tags the page holds (any case). */
function countRowTags(body: Buffer): number {
  let n = 0;
  for (const tag of ['<tr', '<TR', '<Tr', '<tR']) {
    for (let at = body.indexOf(tag); at >= 0; at = body.indexOf(tag, at + 3)) {
      const next = body[at + 3];
      // '>' or whitespace: <tr> or <tr class=...>, not <track>
      if (next === 0x3e || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) n++;
    }
  }
  return n;
}

/** The year a chart page is about ("... number-one singles of 1985"), if its title names exactly one. */
function yearOfPage(...titles: string[]): string | undefined {
  for (const title of titles) {
    const years = new Set(title.match(/\b(19|20)\d\d\b/g) ?? []);
    if (years.size === 1) return [...years][0];
  }
  return undefined;
}

/** The tables a selector picks: matching tables, and the tables inside other matching elements. */
function candidateTables($: cheerio.CheerioAPI, source: string, selector = 'table'): Element[] {
  let picked;
  try {
    picked = $(selector);
  } catch (err) {
    throw new SourceError(source, `table: ${JSON.stringify(selector)} is not a valid CSS selector (${(err as Error).message})`);
  }
  return picked.filter('table').add(picked.not('table').find('table')).toArray() as Element[];
}
