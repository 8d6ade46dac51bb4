/** What every catalog source kind reads with: the ingest context and the steps kinds share. */
import * as path from 'node:path';
import { confineUnderRoots } from '../runtime/data-root';
import { InputError } from '../domain/errors';
import type { AddressPolicy } from './address-guard';
import type { FetchEvents, HttpOptions } from './polite-fetch';
import type { SourceDescription } from './source-description';
import { SourceError } from './source-error';
import type { SourceTally } from './source-tally';

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

/**
 * The real path of a file a source names, refused (without reading it) unless it lies
 * under one of ctx.fileRoots or the source is trusted.
 */
export function confinedFile(spec: string, file: string, ctx: IngestContext, field?: string): string {
  if (!ctx.fileRoots || ctx.trusted?.includes(spec)) return path.resolve(file);
  try {
    return confineUnderRoots(ctx.fileRoots, field ?? 'file', file);
  } catch (err) {
    if (err instanceof InputError) {
      const where = field ? `the description's ${field} ` : '';
      throw new SourceError(
        spec,
        `${where}${err.problem} (a worker reads catalog files only under WRAPPED_ETL_DATA_ROOT or WRAPPED_ETL_CATALOG_ROOT); not read`,
      );
    }
    throw err;
  }
}

export function progressOf(source: string, ctx: IngestContext): (rowsRead: number) => void {
  return (rowsRead) => ctx.onProgress?.({ source, message: `${rowsRead} rows read`, rowsRead });
}

export async function readHtml(
  tally: SourceTally,
  d: Pick<SourceDescription, 'url' | 'table' | 'columns' | 'units' | 'defaults'>,
  ctx: IngestContext,
): Promise<void> {
  const url = d.url!;
  if (!/^https?:\/\//i.test(url)) throw new SourceError(tally.source, `html: needs an http:// or https:// URL, got ${JSON.stringify(url)}`);
  const events: FetchEvents = {
    onFetch: ({ fromCache }) => ctx.onProgress?.({ source: tally.source, message: fromCache ? `page read from cache` : `fetching ${url}` }),
    onRetry: ({ attempt, waitMs, why }) =>
      ctx.onProgress?.({ source: tally.source, message: `attempt ${attempt} failed (${why}); retrying in ${waitMs} ms` }),
  };
  // the HTTP client and HTML parser load only for html: sources
  const [{ fetchPage }, { readHtmlSource }] = await Promise.all([import('./polite-fetch'), import('./html-source')]);
  const addresses = ctx.trusted?.includes(tally.source) ? undefined : ctx.addresses;
  const page = await fetchPage(tally.source, url, { cacheDir: ctx.cacheDir, http: ctx.http, signal: ctx.signal, addresses, ...events });
  readHtmlSource(tally, url, page, { ...d, currentYear: ctx.currentYear });
}
