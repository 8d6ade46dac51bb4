import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Of, writeFileAtomic } from '../runtime/atomic-file';
import { codeDigest, type DigestedFolder } from '../runtime/code-digest';
import { readSealedJsonIfValid, sealedJson } from '../runtime/json-file';
import { columnsPathOf } from './catalog-columns-file';
import { parseSourceSpec } from './source-kinds';
import type { IngestReport } from './sources';

/** The cache's folder under a data root; a run cannot write a file at its top level (runs write inside their own folders). */
export const CATALOG_CACHE_DIR = '.catalog-cache';
/** Catalogs kept; the least recently used go first. */
const KEEP_ENTRIES = 16;

export interface CachedCatalog {
  songs: number;
  sha256: string;
  report: IngestReport;
}

let digest: string | undefined;

/**
 * What a catalog's bytes depend on besides its inputs: the project's code (every module
 * under src/, where the generator, the catalog writer and the AVRO schemas' readers live),
 * the schemas and the versions of the libraries that write it.
 */
function catalogCodeDigest(): string {
  if (digest) return digest;
  const srcRoot = path.join(__dirname, '..');
  const schemasDir = [path.join(srcRoot, '../schemas'), path.join(srcRoot, '../../schemas')].find((d) => fs.existsSync(d));
  const folders: DigestedFolder[] = [{ dir: srcRoot, recursive: true, include: (f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts') }];
  if (schemasDir) folders.push({ dir: schemasDir, include: () => true });
  digest = codeDigest(folders, ['@faker-js/faker', 'avsc']);
  return digest;
}

/**
 * Catalogs made only from synthetic sources are a pure function of the sources, the seed,
 * the year and the code: a repeated run takes the file from here instead of building it
 * again. An entry's record is sealed and its file checked by the sha256 the record holds before
 * use; a damaged one is built again.
 */
export class CatalogCache {
  constructor(readonly dir: string) {}

  /** The entry's name for these inputs, or undefined when a source reads data from outside (files, web pages). */
  static key(specs: readonly string[], seed: number, currentYear: number): string | undefined {
    const synthetic = (spec: string) => {
      try {
        return parseSourceSpec(spec).kind === 'synthetic';
      } catch {
        return false; // the ingest itself reports a bad source
      }
    };
    if (specs.length === 0 || !specs.every(synthetic)) return undefined;
    return sha256Of(JSON.stringify({ specs, seed, currentYear, code: catalogCodeDigest() }));
  }

  private entryPaths(key: string): { avro: string; json: string; columns: string } {
    const avro = path.join(this.dir, `catalog-${key}.avro`);
    return { avro, json: path.join(this.dir, `catalog-${key}.json`), columns: columnsPathOf(avro) };
  }

  /**
   * Writes the cached catalog to `target` (atomically) when a sound entry exists for `key`,
   * and its columns file beside it when the entry has one (whoever loads it checks it).
   */
  restore(key: string, target: string): CachedCatalog | undefined {
    const { avro, json, columns } = this.entryPaths(key);
    let entry: CachedCatalog | undefined;
    let bytes: Buffer;
    try {
      entry = readSealedJsonIfValid<CachedCatalog>(json);
      if (typeof entry?.sha256 !== 'string' || typeof entry.songs !== 'number' || typeof entry.report !== 'object') return undefined;
      bytes = fs.readFileSync(avro);
    } catch {
      return undefined;
    }
    if (sha256Of(bytes) !== entry.sha256) return undefined;
    writeFileAtomic(target, bytes);
    if (fs.existsSync(columns)) writeFileAtomic(columnsPathOf(target), fs.readFileSync(columns));
    // least recently used goes first: a hit counts as a use
    const now = new Date();
    fs.utimesSync(json, now, now);
    return entry;
  }

  /** Keeps a copy of the catalog file just written (`file`, hashing to entry.sha256) under `key`. */
  store(key: string, file: string, entry: CachedCatalog): void {
    const bytes = fs.readFileSync(file);
    if (sha256Of(bytes) !== entry.sha256) return;
    const { avro, json } = this.entryPaths(key);
    fs.mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(avro, bytes);
    // the entry's record last: a record always has its file
    writeFileAtomic(json, sealedJson(entry));
    this.evict();
  }

  /** Keeps a copy of the columns file of `catalogPath` with the entry for `key`, when the entry holds that catalog and has none yet. */
  storeColumns(key: string, catalogPath: string, sha256: string): void {
    const { json, columns } = this.entryPaths(key);
    const from = columnsPathOf(catalogPath);
    if (fs.existsSync(columns) || !fs.existsSync(from) || readSealedJsonIfValid<CachedCatalog>(json)?.sha256 !== sha256) return;
    writeFileAtomic(columns, fs.readFileSync(from));
  }

  private evict(): void {
    const records = fs
      .readdirSync(this.dir)
      .filter((f) => /^catalog-[0-9a-f]{64}\.json$/.test(f))
      .map((f) => ({ f, at: fs.statSync(path.join(this.dir, f), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
      .sort((a, b) => b.at - a.at);
    for (const { f } of records.slice(KEEP_ENTRIES)) {
      fs.rmSync(path.join(this.dir, f), { force: true });
      fs.rmSync(path.join(this.dir, f.replace(/\.json$/, '.avro')), { force: true });
      fs.rmSync(path.join(this.dir, f.replace(/\.json$/, '.columns')), { force: true });
    }
  }
}
