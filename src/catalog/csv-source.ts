import * as fs from 'node:fs';
import { parse } from 'csv-parse';
import { ColumnError, resolveColumns, rowFromCells, unitsFromHeaders, type ColumnMapping } from './columns';
import { SourceError } from './source-error';
import type { SourceTally } from './source-tally';
import { FIELD_MAX_CHARS, SONG_COLUMNS, songFromRow, type RawRow, type Units } from './song-row';

export interface CsvOptions {
  columns?: ColumnMapping;
  units?: Partial<Units>;
  defaults?: RawRow;
  currentYear: number;
  onProgress?: (rowsRead: number) => void;
}

/** The most characters one CSV row may hold (its cells together): csv-parse refuses a longer row before buffering more. */
export const CSV_MAX_ROW_CHARS = 1 << 20;

/**
 * Reads a CSV file (BOM, CRLF, quoted fields with commas, quotes and newlines) row by
 * row into the tally; the header row says which column holds what, unless mapped.
 */
export async function readCsvSource(tally: SourceTally, file: string, opts: CsvOptions): Promise<void> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new SourceError(tally.source, `file not found: ${file}`);
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true, max_record_size: CSV_MAX_ROW_CHARS });
  const input = fs.createReadStream(file);
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let headers: string[] | undefined;
  let indexes: ReturnType<typeof resolveColumns> = {};
  let units: Units | undefined;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!headers) {
        headers = record;
        indexes = resolveColumns(headers, opts.columns);
        if (indexes.title === undefined || (indexes.artist === undefined && opts.defaults?.artist === undefined)) {
          throw new SourceError(
            tally.source,
            `the header row names no ${indexes.title === undefined ? 'title' : 'artist'} column (looked for ${indexes.title === undefined ? 'Title, Song, Track, name' : 'Artist, Artists, Performer'}); the columns are: ${headers.map((h) => JSON.stringify(h)).join(', ')}. Map them in a source:PATH.json description`,
          );
        }
        units = unitsFromHeaders(headers, indexes, opts.units);
        continue;
      }
      const where = `line ${info.lines}`;
      if (record.every((cell) => cell.trim() === '')) {
        tally.skip(where, 'empty row');
        continue;
      }
      const result = songFromRow(rowFromCells(record, indexes, opts.defaults), {
        source: tally.source,
        currentYear: opts.currentYear,
        units: units!,
      });
      if ('song' in result) tally.keep(result.song);
      else tally.skip(where, result.reason, result.detail);
      if (tally.rowsRead % 10_000 === 0) opts.onProgress?.(tally.rowsRead);
    }
  } catch (err) {
    if (err instanceof SourceError) throw err;
    if (err instanceof ColumnError) throw new SourceError(tally.source, err.message);
    const e = err as Error & { code?: string; lines?: number; column?: number | string | null };
    if (e.code === 'CSV_MAX_RECORD_SIZE') {
      const column = typeof e.column === 'number' ? headers?.[e.column] : undefined;
      const field = column !== undefined && SONG_COLUMNS.find((f) => indexes[f] === e.column);
      throw new SourceError(
        tally.source,
        `line ${e.lines}${column !== undefined ? `, column ${JSON.stringify(column)}${field ? ` (the song's ${field})` : ''}` : ''}: ` +
          `a row of more than ${CSV_MAX_ROW_CHARS.toLocaleString('en-US')} characters; a catalog cell holds at most ${Math.max(...Object.values(FIELD_MAX_CHARS))} (${file}); not read`,
      );
    }
    if (e.code?.startsWith('CSV_')) throw new SourceError(tally.source, `not a readable CSV file (${file}): ${e.message}`);
    throw err;
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (!headers) throw new SourceError(tally.source, `the file is empty: ${file}`);
}
