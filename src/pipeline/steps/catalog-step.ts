import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOG_CACHE_DIR, CatalogCache } from '../../catalog/catalog-cache';
import { writeCatalogFile } from '../../catalog/catalog-file';
import { ingestSources, type IngestReport } from '../../catalog/sources';
import { sha256File, writeFileAtomic } from '../../runtime/atomic-file';
import { readSealedJsonIfValid, sealedJson } from '../../runtime/json-file';
import { RunLayout } from '../run-layout';
import { keepStepAlive, runJobStep } from './job-step';
import { ownedRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import type { CatalogRef, RunRef } from './step-refs';
import type { Logger } from 'pino';
import { catalogThreadJob } from '../thread-jobs';
import { StepCancelled } from './step-errors';
import { playYearsOf } from '../../simulation/session-calendar';

/** The year a synthetic catalog is made up to: the period's last. */
const currentYearOf = (ref: RunRef) => Number(ref.params.to.slice(0, 4));

/**
 * Reads the catalog sources into one checkpointed catalog file, or reuses a valid one;
 * then has a pool thread load it (writing its columns file if missing), so the shards'
 * threads read columns instead of decoding the AVRO file each.
 */
export async function catalogStep(deps: GenerationStepDeps, ctx: StepContext, given: RunRef): Promise<CatalogRef> {
  const { place, run: ref } = await ownedRunRef(deps, ctx, given);
  const layout = new RunLayout(ref.runDir);
  // a retry on another worker: what an earlier attempt published is checked below like a staged copy
  await place.pull([layout.catalogReportKey, layout.catalogKey], { onlyMissing: true });
  const l = deps.log.child({ runId: ref.params.runId, step: 'catalog' });
  const cache = new CatalogCache(path.join(deps.dataRoot(), CATALOG_CACHE_DIR));
  const cacheKey = CatalogCache.key(ref.params.catalog, ref.params.seed, currentYearOf(ref));
  const catalog = await catalogFile(deps, ctx, ref, l, cache, cacheKey);
  await place.publish([{ key: layout.catalogKey, sha256: catalog.sha256 }, { key: layout.catalogReportKey }]);
  await prepareThreadCatalog(deps, ctx, catalog, ref, l);
  try {
    // the columns file the threads wrote, for the next run that takes this catalog from the cache
    if (cacheKey) cache.storeColumns(cacheKey, catalog.path, catalog.sha256);
  } catch (err) {
    l.warn({ err, cache: cache.dir }, 'catalog columns not cached');
  }
  return catalog;
}

async function catalogFile(
  deps: GenerationStepDeps,
  ctx: StepContext,
  ref: RunRef,
  l: Logger,
  cache: CatalogCache,
  cacheKey: string | undefined,
): Promise<CatalogRef> {
  const layout = new RunLayout(ref.runDir);
  const previous = readSealedJsonIfValid<CatalogRef & { catalog: string[]; seed: number }>(layout.catalogReportPath);
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
  const currentYear = currentYearOf(ref);
  const recordIngest = (result: CatalogRef, report: IngestReport) =>
    writeFileAtomic(layout.catalogReportPath, sealedJson({ ...result, catalog: ref.params.catalog, seed: ref.params.seed, report }, 2));
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
    for (const source of report.sources) {
      l.info(source, 'catalog source read');
      // rows left out (a field too long, a year out of range...) are said where an operator looks
      if (source.songsKept < source.rowsRead)
        l.warn({ source: source.source, skipped: source.skipped, examples: source.examples }, 'catalog rows skipped');
    }
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

/**
 * Loads the catalog into every pool thread, with the views of the run's play years: one
 * thread first (it writes the columns file when missing), then every thread at once (they
 * read it). The shards go on without it when that fails (each thread loads the catalog then).
 */
async function prepareThreadCatalog(
  deps: GenerationStepDeps,
  ctx: StepContext,
  catalog: CatalogRef,
  ref: RunRef,
  l: Logger,
): Promise<void> {
  const started = performance.now();
  const load = () =>
    runJobStep(deps, ctx, ref, {
      job: catalogThreadJob,
      input: { catalogPath: catalog.path, sha256: catalog.sha256, playYears: playYearsOf(ref.params) },
      label: 'catalog load',
      progress: undefined,
      cancelled: () => new StepCancelled('catalog step cancelled'),
    });
  try {
    const { from } = await load();
    // as many jobs as threads at once: each goes to its own thread (the first's is then a no-op)
    await Promise.all(Array.from({ length: deps.jobs.size }, load));
    l.info({ from, threads: deps.jobs.size, ms: Math.round(performance.now() - started) }, 'catalog loaded into the pool threads');
  } catch (err) {
    if (err instanceof StepCancelled) throw err;
    l.warn({ err }, 'catalog not loaded ahead: each shard thread loads it');
  }
}
