import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG_CACHE_DIR, CatalogCache } from '../../catalog/catalog-cache';
import { writeCatalogFile } from '../../catalog/catalog-file';
import { ingestSources, type IngestReport } from '../../catalog/sources';
import { sha256File, writeFileAtomic } from '../../runtime/atomic-file';
import { readJsonIfPresent } from '../../runtime/json-file';
import { RunLayout } from '../run-layout';
import { keepStepAlive } from './job-step';
import { ownedRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import type { CatalogRef, RunRef } from './step-refs';

/** Reads the catalog sources into one checkpointed catalog file, or reuses a valid one. */
export async function catalogStep(deps: GenerationStepDeps, ctx: StepContext, ref: RunRef): Promise<CatalogRef> {
  ownedRunRef(deps, ctx, ref);
  const layout = new RunLayout(ref.runDir);
  const l = deps.log.child({ runId: ref.params.runId, step: 'catalog' });
  const previous = readJsonIfPresent<CatalogRef & { catalog: string[]; seed: number }>(layout.catalogReportPath);
  if (
    previous &&
    JSON.stringify(previous.catalog) === JSON.stringify(ref.params.catalog) &&
    previous.seed === ref.params.seed &&
    fs.existsSync(layout.catalogPath) &&
    sha256File(layout.catalogPath) === previous.sha256
  ) {
    l.info({ songs: previous.songs }, 'catalog checkpoint reused');
    return { path: layout.catalogPath, songs: previous.songs, sha256: previous.sha256 };
  }
  const currentYear = Number(ref.params.to.slice(0, 4));
  const recordIngest = (result: CatalogRef, report: IngestReport) =>
    writeFileAtomic(
      layout.catalogReportPath,
      JSON.stringify({ ...result, catalog: ref.params.catalog, seed: ref.params.seed, report }, null, 2),
    );
  const cache = new CatalogCache(path.join(deps.dataRoot(), CATALOG_CACHE_DIR));
  const cacheKey = CatalogCache.key(ref.params.catalog, ref.params.seed, currentYear);
  const cached = cacheKey && cache.restore(cacheKey, layout.catalogPath);
  if (cached) {
    const result: CatalogRef = { path: layout.catalogPath, songs: cached.songs, sha256: cached.sha256 };
    recordIngest(result, cached.report);
    l.info({ songs: cached.songs, cache: cache.dir }, 'catalog taken from the cache');
    return result;
  }
  return keepStepAlive(deps, ctx, ref, undefined, async (alive) => {
    // a source fails (SourceError) only after its own retries (see HttpOptions.attempts)
    const { songs, report } = await ingestSources(ref.params.catalog, {
      seed: ref.params.seed,
      currentYear,
      cacheDir: layout.httpCacheDir,
      signal: ctx.signal,
      ...deps.sourceAccess,
      onProgress: (event) => {
        alive(event);
        l.info(event, 'catalog source');
      },
    });
    for (const source of report.sources) l.info(source, 'catalog source read');
    const file = writeCatalogFile(layout.catalogPath, songs);
    const result: CatalogRef = { path: file.path, songs: file.songs, sha256: file.sha256 };
    recordIngest(result, report);
    if (cacheKey) {
      try {
        cache.store(cacheKey, file.path, { songs: file.songs, sha256: file.sha256, report });
      } catch (err) {
        l.warn({ err, cache: cache.dir }, 'catalog not cached');
      }
    }
    l.info({ songs: file.songs, duplicatesMerged: report.duplicatesMerged }, 'catalog ingested');
    return result;
  });
}
