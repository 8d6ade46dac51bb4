import * as fs from 'node:fs';
import { writeCatalogFile } from '../../catalog/catalog-file';
import { ingestSources } from '../../catalog/sources';
import { sha256File, writeFileAtomic } from '../../runtime/atomic-file';
import { readJsonIfPresent } from '../../runtime/json-file';
import { RunLayout } from '../run-layout';
import { keepOwning, ownedRunRef } from './run-ownership';
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
  const heartbeat = setInterval(() => ctx.heartbeat(), 5000);
  const stopOwning = keepOwning(deps, ctx, ref);
  try {
    // a source fails (SourceError) only after its own retries (see HttpOptions.attempts)
    const { songs, report } = await ingestSources(ref.params.catalog, {
      seed: ref.params.seed,
      currentYear: Number(ref.params.to.slice(0, 4)),
      cacheDir: layout.httpCacheDir,
      signal: ctx.signal,
      ...deps.sourceAccess,
      onProgress: (event) => {
        ctx.heartbeat(event);
        l.info(event, 'catalog source');
      },
    });
    for (const source of report.sources) l.info(source, 'catalog source read');
    const file = writeCatalogFile(layout.catalogPath, songs);
    const result: CatalogRef = { path: file.path, songs: file.songs, sha256: file.sha256 };
    writeFileAtomic(
      layout.catalogReportPath,
      JSON.stringify({ ...result, catalog: ref.params.catalog, seed: ref.params.seed, report }, null, 2),
    );
    l.info({ songs: file.songs, duplicatesMerged: report.duplicatesMerged }, 'catalog ingested');
    return result;
  } finally {
    clearInterval(heartbeat);
    stopOwning();
  }
}
