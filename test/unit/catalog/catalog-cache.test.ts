import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogCache } from '../../../src/catalog/catalog-cache';
import { columnsPathOf } from '../../../src/catalog/catalog-columns-file';
import { writeCatalogFile } from '../../../src/catalog/catalog-file';
import { loadSimulatedCatalog } from '../../../src/catalog/simulated-catalog';
import { syntheticCatalog } from '../../../src/catalog/synthetic';
import { sha256File } from '../../../src/runtime/atomic-file';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('catalog-cache-');
afterAll(() => tmp.cleanup());

const report = { sources: [], duplicatesMerged: 0, songs: 300 };

function written(name: string, seed = 5) {
  return writeCatalogFile(path.join(tmp.dir, name), syntheticCatalog(300, seed, 2025));
}

describe('the synthetic catalog cache', () => {
  it('keys only catalogs made of synthetic sources, by every input', () => {
    const key = CatalogCache.key(['synthetic:300'], 5, 2025);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(CatalogCache.key(['synthetic:300'], 5, 2025)).toBe(key);
    for (const other of [
      CatalogCache.key(['synthetic:301'], 5, 2025),
      CatalogCache.key(['synthetic:300'], 6, 2025),
      CatalogCache.key(['synthetic:300'], 5, 2024),
      CatalogCache.key(['synthetic:300', 'synthetic:20'], 5, 2025),
    ])
      expect(other).not.toBe(key);
    expect(CatalogCache.key(['synthetic:300', 'csv:songs.csv'], 5, 2025)).toBeUndefined();
    expect(CatalogCache.key(['https://example.org/charts'], 5, 2025)).toBeUndefined();
    expect(CatalogCache.key([], 5, 2025)).toBeUndefined();
  });

  it('gives back the same bytes it was given, under the target name', () => {
    const cache = new CatalogCache(path.join(tmp.dir, 'cache-a'));
    const key = CatalogCache.key(['synthetic:300'], 5, 2025)!;
    const target = path.join(tmp.dir, 'run', 'catalog.avro');
    expect(cache.restore(key, target)).toBeUndefined();
    expect(fs.existsSync(target)).toBe(false);

    const file = written('fresh.avro');
    cache.store(key, file.path, { songs: file.songs, sha256: file.sha256, report });
    expect(cache.restore(key, target)).toEqual({ songs: 300, sha256: file.sha256, report });
    expect(sha256File(target)).toBe(file.sha256);
  });

  it('does not give back an entry whose file was damaged or lost', () => {
    const dir = path.join(tmp.dir, 'cache-b');
    const cache = new CatalogCache(dir);
    const key = CatalogCache.key(['synthetic:300'], 5, 2025)!;
    const file = written('b.avro');
    cache.store(key, file.path, { songs: file.songs, sha256: file.sha256, report });
    const avro = path.join(dir, `catalog-${key}.avro`);
    const bytes = fs.readFileSync(avro);
    bytes[bytes.length - 40] ^= 1;
    fs.writeFileSync(avro, bytes);
    const target = path.join(tmp.dir, 'damaged', 'catalog.avro');
    expect(cache.restore(key, target)).toBeUndefined();
    expect(fs.existsSync(target)).toBe(false);
    fs.rmSync(avro);
    expect(cache.restore(key, target)).toBeUndefined();
  });

  it('does not give back an entry whose record was changed: the catalog would be right, its song count and report wrong', () => {
    const dir = path.join(tmp.dir, 'cache-record');
    const cache = new CatalogCache(dir);
    const key = CatalogCache.key(['synthetic:300'], 5, 2025)!;
    const file = written('record.avro');
    cache.store(key, file.path, { songs: file.songs, sha256: file.sha256, report });
    const json = path.join(dir, `catalog-${key}.json`);
    fs.writeFileSync(json, fs.readFileSync(json, 'utf8').replace('"songs":300', '"songs":3000'));
    expect(cache.restore(key, path.join(tmp.dir, 'record-target', 'catalog.avro'))).toBeUndefined();
  });

  it('keeps the 16 catalogs used last', () => {
    const dir = path.join(tmp.dir, 'cache-c');
    const cache = new CatalogCache(dir);
    const file = written('c.avro');
    const keys = Array.from({ length: 18 }, (_, seed) => CatalogCache.key(['synthetic:300'], seed, 2025)!);
    keys.forEach((key, i) => {
      cache.store(key, file.path, { songs: file.songs, sha256: file.sha256, report });
      // one second apart, oldest first
      const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      fs.utimesSync(path.join(dir, `catalog-${key}.json`), at, at);
    });
    cache.store(keys[17], file.path, { songs: file.songs, sha256: file.sha256, report });
    const left = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(left).toHaveLength(16);
    expect(left).not.toContain(`catalog-${keys[0]}.json`);
    expect(left).not.toContain(`catalog-${keys[1]}.json`);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.avro'))).toHaveLength(16);
  });

  it("keeps the catalog's columns file with its entry and gives it back beside the catalog", () => {
    const cache = new CatalogCache(path.join(tmp.dir, 'cache-columns'));
    const key = CatalogCache.key(['synthetic:300'], 5, 2025)!;
    const file = written('with-columns.avro');
    cache.store(key, file.path, { songs: file.songs, sha256: file.sha256, report });
    const target = path.join(tmp.dir, 'run-columns', 'catalog.avro');
    cache.restore(key, target);
    expect(fs.existsSync(columnsPathOf(target))).toBe(false);

    // another catalog's columns are not kept under this entry
    const other = written('other-columns.avro', 6);
    loadSimulatedCatalog(other.path, other.sha256);
    cache.storeColumns(key, other.path, other.sha256);
    expect(fs.existsSync(columnsPathOf(path.join(cache.dir, `catalog-${key}.avro`)))).toBe(false);

    expect(loadSimulatedCatalog(target, file.sha256).from).toBe('avro');
    cache.storeColumns(key, target, file.sha256);
    const next = path.join(tmp.dir, 'run-columns-2', 'catalog.avro');
    cache.restore(key, next);
    expect(fs.readFileSync(columnsPathOf(next)).equals(fs.readFileSync(columnsPathOf(target)))).toBe(true);
    expect(loadSimulatedCatalog(next, file.sha256).from).toBe('columns');
  });
});
