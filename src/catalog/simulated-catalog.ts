import { sha256File } from '../runtime/atomic-file';
import { indexParts } from '../simulation/catalog-index';
import { SongTable } from '../simulation/song-table';
import { columnsPathOf, readCatalogColumns, writeCatalogColumns, type StoredCatalog } from './catalog-columns-file';
import { readSimulatedCatalog } from './catalog-file';

/** A catalog as a worker thread holds it, and whence it came. */
export interface LoadedCatalog extends StoredCatalog {
  from: 'columns' | 'avro';
  /** why the columns file could not serve, when the AVRO file did */
  columnsProblem?: string;
}

/**
 * The catalog hashing to `sha256` (the file at `catalogPath`), as the simulation reads it:
 * from its columns file when that is sound and of this catalog, else decoded from the
 * AVRO file and indexed, and then its columns file written (only when the AVRO file
 * hashes as named) so that the next thread or process reads that instead.
 */
export function loadSimulatedCatalog(catalogPath: string, sha256: string): LoadedCatalog {
  const columnsPath = columnsPathOf(catalogPath);
  const stored = readCatalogColumns(columnsPath, sha256);
  if ('table' in stored) return { ...stored, from: 'columns' };
  const decoded = readSimulatedCatalog(catalogPath);
  const parts = indexParts(decoded);
  try {
    if (sha256File(catalogPath) === sha256) writeCatalogColumns(columnsPath, sha256, decoded, parts);
  } catch {
    // derived data: without it the next load decodes the AVRO file again
  }
  // the decoded objects go: songs are made again on first use, as from the columns file
  return { table: new SongTable(decoded.columns), parts, from: 'avro', columnsProblem: stored.unusable };
}
