import type { Song } from './song';
import { DEFAULT_SYNTHETIC_SONGS, syntheticCatalog } from './synthetic';

export interface IngestContext {
  seed: number;
  /** the year "now" for validation and synthetic catalogs; from the run, never the clock */
  currentYear: number;
  /** folder for caches (fetched pages) of this run */
  cacheDir: string;
}

export interface IngestReport {
  sources: { source: string; rowsRead: number; songsKept: number; skipped: Record<string, number> }[];
  duplicatesMerged: number;
  songs: number;
}

export class SourceError extends Error {
  constructor(
    readonly source: string,
    message: string,
    readonly retryable = false,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}

const KINDS = ['csv', 'html', 'source', 'synthetic'] as const;

export function parseSourceSpec(spec: string): { kind: (typeof KINDS)[number]; arg: string } {
  const idx = spec.indexOf(':');
  const kind = idx < 0 ? spec : spec.slice(0, idx);
  const arg = idx < 0 ? '' : spec.slice(idx + 1);
  if (!(KINDS as readonly string[]).includes(kind)) {
    throw new SourceError(spec, `unknown catalog source kind "${kind}"; use one of csv:PATH, html:URL, source:PATH.json, synthetic:N`);
  }
  return { kind: kind as (typeof KINDS)[number], arg };
}

/** Reads one source into songs (not yet deduplicated across sources). */
export async function readSource(spec: string, ctx: IngestContext): Promise<{ songs: Song[]; rowsRead: number; skipped: Record<string, number> }> {
  const { kind, arg } = parseSourceSpec(spec);
  switch (kind) {
    case 'synthetic': {
      const n = arg === '' ? DEFAULT_SYNTHETIC_SONGS : Number(arg);
      if (!Number.isInteger(n) || n < 1 || n > 5_000_000) throw new SourceError(spec, 'synthetic:N needs a whole number of songs from 1 to 5000000');
      const songs = syntheticCatalog(n, ctx.seed, ctx.currentYear);
      return { songs, rowsRead: n, skipped: {} };
    }
    default:
      throw new SourceError(spec, `the ${kind} source is not available yet`);
  }
}

/** Reads every source and merges them into one catalog. */
export async function ingestSources(specs: string[], ctx: IngestContext): Promise<{ songs: Song[]; report: IngestReport }> {
  const report: IngestReport = { sources: [], duplicatesMerged: 0, songs: 0 };
  const byKey = new Map<string, Song>();
  for (const spec of specs) {
    const { songs, rowsRead, skipped } = await readSource(spec, ctx);
    if (songs.length === 0) throw new SourceError(spec, 'yielded no valid song');
    report.sources.push({ source: spec, rowsRead, songsKept: songs.length, skipped });
    for (const song of songs) {
      const key = `${normalize(song.title)}\u0000${normalize(song.artist)}`;
      if (byKey.has(key)) report.duplicatesMerged++;
      else byKey.set(key, song);
    }
  }
  const songs = [...byKey.values()];
  report.songs = songs.length;
  return { songs, report };
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/\s+/g, ' ').trim();
}
