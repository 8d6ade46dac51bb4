import * as path from 'node:path';
import { confineUnderRoots } from '../runtime/data-root';
import { InputError } from '../domain/errors';
import type { AddressPolicy } from './address-guard';
import { readCsvSource } from './csv-source';
import { songKey, type ImputableField } from './impute';
import type { FetchEvents, HttpOptions } from './polite-fetch';
import { DescriptionError, loadSourceDescription, type SourceDescription } from './source-description';
import { SourceError } from './source-error';
import { SourceTally, type SourceReport } from './source-tally';
import type { Song } from '../domain/song';
import { DEFAULT_SYNTHETIC_SONGS, syntheticCatalog } from './synthetic';

export { SourceError } from './source-error';
export type { SourceReport } from './source-tally';

export interface IngestContext {
  seed: number;
  /** the year "now" for validation and synthetic catalogs; from the run, never the clock */
  currentYear: number;
  /** folder for caches (fetched pages) of this run */
  cacheDir: string;
  /** politeness and retry settings for html sources (defaults: DEFAULT_HTTP) */
  http?: Partial<HttpOptions>;
  signal?: AbortSignal;
  /**
   * Folders the files of csv: and source: (and the file a description names) must lie
   * under, by real path; undefined reads any file (a trusted caller: the CLI's own
   * command line, tests).
   */
  fileRoots?: string[];
  /** sources named on the worker's own command line: read whatever they name */
  trusted?: readonly string[];
  /** where html: sources may connect; undefined: anywhere (a trusted caller) */
  addresses?: AddressPolicy;
  /** called now and then during long work: rows read, pages fetched, retries */
  onProgress?: (event: { source: string; message: string; rowsRead?: number }) => void;
}

export interface IngestReport {
  sources: SourceReport[];
  duplicatesMerged: number;
  songs: number;
}

export const SOURCE_KINDS = ['csv', 'html', 'source', 'synthetic'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export function parseSourceSpec(spec: string): { kind: SourceKind; arg: string } {
  const idx = spec.indexOf(':');
  const kind = idx < 0 ? spec : spec.slice(0, idx);
  const arg = idx < 0 ? '' : spec.slice(idx + 1);
  if (!(SOURCE_KINDS as readonly string[]).includes(kind)) {
    throw new SourceError(spec, `unknown catalog source kind "${kind}"; use one of csv:PATH, html:URL, source:PATH.json, synthetic:N`);
  }
  if (kind !== 'synthetic' && arg.trim() === '') throw new SourceError(spec, `${kind}: needs ${kind === 'html' ? 'a URL' : 'a file path'} after the colon`);
  return { kind: kind as SourceKind, arg };
}

/** Reads one source into validated, complete songs (not yet deduplicated). */
export async function readSource(spec: string, ctx: IngestContext): Promise<{ songs: Song[]; report: SourceReport }> {
  const { kind, arg } = parseSourceSpec(spec);
  const tally = new SourceTally(spec);
  switch (kind) {
    case 'synthetic': {
      const n = arg === '' ? DEFAULT_SYNTHETIC_SONGS : Number(arg);
      if (!Number.isInteger(n) || n < 1 || n > 5_000_000) throw new SourceError(spec, 'synthetic:N needs a whole number of songs from 1 to 5000000');
      for (const song of syntheticCatalog(n, ctx.seed, ctx.currentYear)) tally.keep(song);
      break;
    }
    case 'csv':
      await readCsvSource(tally, confinedFile(spec, arg, ctx), { currentYear: ctx.currentYear, onProgress: progressOf(spec, ctx) });
      break;
    case 'html':
      await readHtml(tally, { kind: 'html', url: arg, path: undefined, table: undefined, columns: {}, units: {}, defaults: {} }, ctx);
      break;
    case 'source': {
      let description: SourceDescription;
      try {
        description = loadSourceDescription(confinedFile(spec, arg, ctx));
      } catch (err) {
        if (err instanceof DescriptionError) throw new SourceError(spec, `bad source description ${path.resolve(arg)}: ${err.message}`);
        throw err;
      }
      if (description.kind === 'csv') {
        await readCsvSource(tally, confinedFile(spec, description.path!, ctx, 'path'), { ...description, currentYear: ctx.currentYear, onProgress: progressOf(spec, ctx) });
      } else {
        await readHtml(tally, description, ctx);
      }
      break;
    }
  }
  if (tally.songs.length === 0) {
    throw new SourceError(spec, `yielded no valid song from ${tally.rowsRead} rows (${tally.describeSkips()})`);
  }
  return { songs: tally.songs, report: tally.report() };
}

/**
 * The real path of a file a source names, refused (without reading it) unless it lies
 * under one of ctx.fileRoots or the source is trusted.
 */
function confinedFile(spec: string, file: string, ctx: IngestContext, field?: string): string {
  if (!ctx.fileRoots || ctx.trusted?.includes(spec)) return path.resolve(file);
  try {
    return confineUnderRoots(ctx.fileRoots, field ?? 'file', file);
  } catch (err) {
    if (err instanceof InputError) {
      const where = field ? `the description's ${field} ` : '';
      throw new SourceError(spec, `${where}${err.problem} (a worker reads catalog files only under WRAPPED_ETL_DATA_ROOT or WRAPPED_ETL_CATALOG_ROOT); not read`);
    }
    throw err;
  }
}

function progressOf(source: string, ctx: IngestContext): (rowsRead: number) => void {
  return (rowsRead) => ctx.onProgress?.({ source, message: `${rowsRead} rows read`, rowsRead });
}

async function readHtml(tally: SourceTally, d: SourceDescription, ctx: IngestContext): Promise<void> {
  const url = d.url!;
  if (!/^https?:\/\//i.test(url)) throw new SourceError(tally.source, `html: needs an http:// or https:// URL, got ${JSON.stringify(url)}`);
  const events: FetchEvents = {
    onFetch: ({ fromCache }) => ctx.onProgress?.({ source: tally.source, message: fromCache ? `page read from cache` : `fetching ${url}` }),
    onRetry: ({ attempt, waitMs, why }) => ctx.onProgress?.({ source: tally.source, message: `attempt ${attempt} failed (${why}); retrying in ${waitMs} ms` }),
  };
  // the HTTP client and HTML parser load only for html: sources
  const [{ fetchPage }, { readHtmlSource }] = await Promise.all([import('./polite-fetch'), import('./html-source')]);
  const addresses = ctx.trusted?.includes(tally.source) ? undefined : ctx.addresses;
  const page = await fetchPage(tally.source, url, { cacheDir: ctx.cacheDir, http: ctx.http, signal: ctx.signal, addresses, ...events });
  readHtmlSource(tally, url, page, { ...d, currentYear: ctx.currentYear });
}

/**
 * Reads every source and merges them into one catalog. Songs with the same title and
 * artist (ignoring case and spacing) are merged: the first kept, with values it had to
 * impute taken from a later duplicate that has them.
 */
export async function ingestSources(specs: string[], ctx: IngestContext): Promise<{ songs: Song[]; report: IngestReport }> {
  if (specs.length === 0) throw new SourceError('(catalog)', 'no catalog source given');
  const report: IngestReport = { sources: [], duplicatesMerged: 0, songs: 0 };
  const byKey = new Map<string, Song>();
  for (const spec of specs) {
    ctx.onProgress?.({ source: spec, message: 'reading' });
    const { songs, report: sourceReport } = await readSource(spec, ctx);
    report.sources.push(sourceReport);
    for (const song of songs) {
      const key = songKey(song.title, song.artist);
      const kept = byKey.get(key);
      if (!kept) {
        byKey.set(key, song);
        continue;
      }
      report.duplicatesMerged++;
      if (kept.imputed.length > 0) byKey.set(key, fillImputed(kept, song));
    }
  }
  const songs = [...byKey.values()];
  report.songs = songs.length;
  return { songs, report };
}

function fillImputed(kept: Song, other: Song): Song {
  const merged: Song = { ...kept, imputed: [] };
  for (const field of kept.imputed as ImputableField[]) {
    if (other.imputed.includes(field)) merged.imputed.push(field);
    else (merged as unknown as Record<string, unknown>)[field] = other[field];
  }
  return merged;
}
