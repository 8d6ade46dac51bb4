import { loadSimulatedCatalog, type LoadedCatalog } from '../catalog/simulated-catalog';
import { catalogIndex } from '../simulation/simulate-user';
import type { SongTable } from '../simulation/song-table';

/**
 * The catalog of this thread's latest job, by checksum: every shard of a run (and of
 * other runs on the same catalog) reuses its songs and, through simulationContext, their
 * indexes. One catalog per thread at a time, so memory stays bounded.
 */
let cachedCatalog: { sha256: string; table: SongTable; from: LoadedCatalog['from'] } | undefined;

export function catalogFor(path: string, sha256: string): SongTable {
  return threadCatalog(path, sha256).table;
}

function threadCatalog(path: string, sha256: string): NonNullable<typeof cachedCatalog> {
  if (cachedCatalog?.sha256 !== sha256) {
    cachedCatalog = undefined;
    const { table, parts, from } = loadSimulatedCatalog(path, sha256);
    catalogIndex(table, parts);
    cachedCatalog = { sha256, table, from };
  }
  return cachedCatalog;
}

export interface CatalogJob {
  catalogPath: string;
  sha256: string;
  /** the play years whose views of the catalog the run's shards will need */
  playYears: number[];
}

/**
 * Loads the catalog into this thread ahead of its shards, with the views of the run's
 * play years; and so writes its columns file when it has none (see loadSimulatedCatalog)
 * for the threads that load it next.
 */
export function prepareCatalog(job: CatalogJob): { songs: number; from: LoadedCatalog['from'] } {
  const { table, from } = threadCatalog(job.catalogPath, job.sha256);
  const index = catalogIndex(table);
  for (const year of job.playYears) index.yearView(year);
  return { songs: table.size, from };
}
