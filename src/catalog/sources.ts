import { songKey, type ImputableField } from './impute';
import { SourceError } from './source-error';
import { parseSourceSpec, SOURCE_KINDS } from './source-kinds';
import type { IngestContext } from './source-reading';
import { SourceTally, type SourceReport } from './source-tally';
import type { Song } from '../domain/song';

export { SourceError } from './source-error';
export type { SourceReport } from './source-tally';
export type { IngestContext } from './source-reading';
export { parseSourceSpec } from './source-kinds';

export interface IngestReport {
  sources: SourceReport[];
  duplicatesMerged: number;
  songs: number;
}

/** Reads one source into validated, complete songs (not yet deduplicated). */
export async function readSource(spec: string, ctx: IngestContext): Promise<{ songs: Song[]; report: SourceReport }> {
  const { kind, arg } = parseSourceSpec(spec);
  const tally = new SourceTally(spec);
  await SOURCE_KINDS[kind].read(spec, arg, tally, ctx);
  if (tally.songs.length === 0) {
    throw new SourceError(spec, `yielded no valid song from ${tally.rowsRead} rows (${tally.describeSkips()})`);
  }
  return { songs: tally.songs, report: tally.report() };
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
