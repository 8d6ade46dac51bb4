import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalogFile, writeCatalogFile } from '../../../src/catalog/catalog-file';
import { imputeSong } from '../../../src/catalog/impute';
import { ingestSources } from '../../../src/catalog/sources';
import { syntheticCatalog } from '../../../src/catalog/synthetic';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir('catalog-synth-');
afterAll(() => tmp.cleanup());
const ctx = { seed: 5, currentYear: 2025, cacheDir: tmp.dir };

describe('synthetic catalog', () => {
  const songs = syntheticCatalog(2000, 5, 2025);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(syntheticCatalog(2000, 5, 2025)).toEqual(songs);
    expect(syntheticCatalog(2000, 6, 2025)[0]).not.toEqual(songs[0]);
    const a = writeCatalogFile(path.join(tmp.dir, 'a.avro'), songs);
    const b = writeCatalogFile(path.join(tmp.dir, 'b.avro'), syntheticCatalog(2000, 5, 2025));
    expect(a.sha256).toBe(b.sha256);
  });

  it('has a power-law number of songs per artist: many with one, a few with many', () => {
    const perArtist = new Map<string, number>();
    for (const s of songs) perArtist.set(s.artist, (perArtist.get(s.artist) ?? 0) + 1);
    const counts = [...perArtist.values()].sort((x, y) => y - x);
    const singles = counts.filter((c) => c === 1).length;
    expect(singles / counts.length).toBeGreaterThan(0.25);
    expect(counts[0]).toBeGreaterThanOrEqual(15);
  });

  it('shapes features by genre, skews years recent and popularity toward a long tail', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const of = (g: string) => songs.filter((s) => s.genre === g);
    expect(mean(of('metal').map((s) => s.energy))).toBeGreaterThan(mean(of('jazz').map((s) => s.energy)) + 0.3);
    expect(mean(of('hip hop').map((s) => s.danceability))).toBeGreaterThan(mean(of('rock').map((s) => s.danceability)) + 0.15);
    const years = songs.map((s) => s.year).sort((a, b) => a - b);
    expect(years[Math.floor(years.length / 2)]).toBeGreaterThanOrEqual(2005);
    expect(Math.max(...years)).toBeLessThanOrEqual(2025);
    const pop = songs.map((s) => s.popularity);
    // popularity is mostly the artist's fame (docs/realism.md): the famous artists' songs are the head
    expect(pop.filter((p) => p >= 70).length / pop.length).toBeLessThan(0.25);
    expect(pop.filter((p) => p < 30).length / pop.length).toBeGreaterThan(0.5);
    expect(mean(pop)).toBeLessThan(40);
    for (const s of songs) expect(s.imputed).toEqual([]);
  });
});

describe('imputation and merging', () => {
  it('imputes from identity (and genre), deterministically, never 0 or empty', () => {
    const a = imputeSong({ title: 'Some Song', artist: 'Some Band', source: 'x' }, 2025);
    const b = imputeSong({ title: 'some  song', artist: 'SOME BAND', source: 'y' }, 2025);
    expect({ ...b, title: a.title, artist: a.artist, source: a.source }).toEqual(a);
    expect(a.imputed).toEqual(['genre', 'year', 'popularity', 'danceability', 'energy', 'length_seconds']);
    for (const field of ['year', 'popularity', 'danceability', 'energy', 'length_seconds'] as const) expect(a[field]).toBeGreaterThan(0);
    expect(a.genre).not.toBe('');
    const metal = Array.from({ length: 200 }, (_, i) =>
      imputeSong({ title: `T${i}`, artist: 'A', genre: 'death metal', source: 'x' }, 2025),
    );
    const classical = Array.from({ length: 200 }, (_, i) =>
      imputeSong({ title: `T${i}`, artist: 'A', genre: 'classical', source: 'x' }, 2025),
    );
    const meanEnergy = (xs: typeof metal) => xs.reduce((n, s) => n + s.energy, 0) / xs.length;
    expect(meanEnergy(metal)).toBeGreaterThan(meanEnergy(classical) + 0.5);
    expect(metal[0].imputed).not.toContain('genre');
  });

  it('merges duplicates across sources, taking real values for imputed ones, and round-trips through AVRO', async () => {
    const { songs, report } = await ingestSources(['synthetic:300', 'synthetic:300'], ctx);
    expect(report.duplicatesMerged).toBe(300);
    expect(songs).toHaveLength(300);
    const file = writeCatalogFile(path.join(tmp.dir, 'merged.avro'), songs);
    const back = await readCatalogFile(file.path);
    expect(back.map((s) => [s.title, s.artist, s.year, s.imputed])).toEqual(songs.map((s) => [s.title, s.artist, s.year, s.imputed]));
    expect(back[0].danceability).toBeCloseTo(songs[0].danceability, 5);
  });

  it('fills the imputed fields of a kept song from a later duplicate that has them', async () => {
    const chart = path.join(tmp.dir, 'chart.csv');
    const full = path.join(tmp.dir, 'full.csv');
    fs.writeFileSync(chart, 'Song,Artist\nHey Jude,The Beatles\n');
    fs.writeFileSync(full, 'Title,Artist,Top Genre,Year\n"hey  jude",THE BEATLES,british invasion,1968\n');
    const { songs, report } = await ingestSources([`csv:${chart}`, `csv:${full}`], ctx);
    expect(report.duplicatesMerged).toBe(1);
    expect(songs).toHaveLength(1);
    expect(songs[0]).toMatchObject({ title: 'Hey Jude', artist: 'The Beatles', genre: 'british invasion', year: 1968 });
    expect(songs[0].imputed).toEqual(['popularity', 'danceability', 'energy', 'length_seconds']);
  });
});
