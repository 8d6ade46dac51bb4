import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { columnsPathOf, readCatalogColumns } from '../../../src/catalog/catalog-columns-file';
import { readCatalogFile, writeCatalogFile } from '../../../src/catalog/catalog-file';
import { loadSimulatedCatalog } from '../../../src/catalog/simulated-catalog';
import { syntheticCatalog } from '../../../src/catalog/synthetic';
import { resolveGenerationInput } from '../../../src/config/generation-input';
import { indexParts } from '../../../src/simulation/catalog-index';
import { simulateUser, simulationContext } from '../../../src/simulation/simulate-user';
import { SongTable } from '../../../src/simulation/song-table';
import { PopulationModel } from '../../../src/simulation/user-profile';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('catalog-columns-');
afterAll(() => tmp.cleanup());

/** A catalog file of `n` synthetic songs in its own folder. */
function catalogIn(name: string, n = 3000) {
  return writeCatalogFile(path.join(tmp.dir, name, 'catalog.avro'), syntheticCatalog(n, 5, 2025));
}

const songsOf = (table: SongTable) => Array.from({ length: table.size }, (_, i) => ({ ...table.song(i) }));

describe('the columns file of a catalog (what pool threads load instead of the AVRO file)', () => {
  it('is written on the first load and then gives the same songs and indexes as the AVRO file', async () => {
    const file = catalogIn('round-trip');
    const first = loadSimulatedCatalog(file.path, file.sha256);
    expect(first).toMatchObject({ from: 'avro', columnsProblem: 'no columns file' });
    expect(fs.existsSync(columnsPathOf(file.path))).toBe(true);
    const second = loadSimulatedCatalog(file.path, file.sha256);
    expect(second.from).toBe('columns');

    const full = await readCatalogFile(file.path);
    const expected = full.map(({ source: _s, imputed: _i, ...song }) => song);
    expect(songsOf(second.table)).toEqual(expected);
    expect(songsOf(first.table)).toEqual(expected);
    const fromSongs = SongTable.fromSongs(full);
    expect(second.table.columns).toEqual(fromSongs.columns);
    expect(second.parts).toEqual(indexParts(fromSongs));
  });

  it('simulates the same records as the songs decoded from the AVRO file', async () => {
    const file = catalogIn('same-records', 800);
    loadSimulatedCatalog(file.path, file.sha256);
    const stored = loadSimulatedCatalog(file.path, file.sha256);
    expect(stored.from).toBe('columns');
    const params = resolveGenerationInput({ users: 4, seed: 3 }, 'columns');
    const users = new PopulationModel(params);
    const profiles = [0, 1, 2, 3].map((id) => users.profile(id));
    const records = (table: SongTable) => {
      const ctx = simulationContext(params, table, new PopulationModel(params));
      return profiles.flatMap((u) => [...simulateUser(ctx, u)]);
    };
    const decoded = records(SongTable.fromSongs(await readCatalogFile(file.path)));
    expect(decoded.length).toBeGreaterThan(100);
    expect(records(stored.table)).toEqual(decoded);
  });

  it('falls back to the AVRO file when the columns file is damaged, cut or of another catalog, and writes it again', () => {
    const file = catalogIn('damaged');
    const columns = columnsPathOf(file.path);
    loadSimulatedCatalog(file.path, file.sha256);
    const good = fs.readFileSync(columns);

    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)] ^= 1;
    fs.writeFileSync(columns, flipped);
    expect(readCatalogColumns(columns, file.sha256)).toEqual({ unusable: 'damaged (sha256)' });
    expect(loadSimulatedCatalog(file.path, file.sha256)).toMatchObject({ from: 'avro', columnsProblem: 'damaged (sha256)' });
    expect(fs.readFileSync(columns).equals(good)).toBe(true);

    fs.writeFileSync(columns, good.subarray(0, 1000));
    expect(loadSimulatedCatalog(file.path, file.sha256)).toMatchObject({ from: 'avro', columnsProblem: 'damaged (sha256)' });
    fs.writeFileSync(columns, 'title,artist\n');
    expect(loadSimulatedCatalog(file.path, file.sha256)).toMatchObject({ from: 'avro', columnsProblem: 'not a columns file' });
    expect(loadSimulatedCatalog(file.path, file.sha256).from).toBe('columns');

    const other = catalogIn('other', 100);
    fs.copyFileSync(columns, columnsPathOf(other.path));
    expect(loadSimulatedCatalog(other.path, other.sha256)).toMatchObject({ from: 'avro', columnsProblem: 'of another catalog' });
    expect(loadSimulatedCatalog(other.path, other.sha256).table.size).toBe(100);
  });

  it('is not written for a catalog file that does not hash as named', () => {
    const file = catalogIn('misnamed', 50);
    const loaded = loadSimulatedCatalog(file.path, 'f'.repeat(64));
    expect(loaded.table.size).toBe(50);
    expect(fs.existsSync(columnsPathOf(file.path))).toBe(false);
  });
});
