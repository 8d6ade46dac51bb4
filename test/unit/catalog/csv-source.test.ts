import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestSources, readSource, SourceError } from '../../../src/catalog/sources';
import { makeTmpDir } from '../../helpers/tmp-dir';

const FIXTURES = path.join(__dirname, '../../fixtures/catalog');
const TOP2000 = `csv:${path.join(FIXTURES, 'top2000-quirks.csv')}`;
const tmp = makeTmpDir('catalog-csv-');
const ctx = { seed: 1, currentYear: 2025, cacheDir: tmp.dir };
afterAll(() => tmp.cleanup());

function writeCsv(name: string, text: string): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('csv: the "Spotify - All Time Top 2000s" layout', () => {
  it('reads BOM, CRLF, quoted titles with commas, quotes and newlines; scales energy and danceability; reads "1,412" and m:ss', async () => {
    const { songs } = await readSource(TOP2000, ctx);
    const byTitle = new Map(songs.map((s) => [s.title, s]));
    expect(songs[0]).toEqual({
      title: 'Sunrise',
      artist: 'Norah Jones',
      album: '',
      genre: 'adult standards',
      year: 2004,
      popularity: 71,
      danceability: 0.53,
      energy: 0.3,
      length_seconds: 201,
      source: TOP2000,
      imputed: [],
    });
    expect(byTitle.get('Hey, Soul Sister')?.artist).toBe('Train');
    expect(byTitle.get('The "Real" Slim Shady')?.danceability).toBe(0.95);
    expect(byTitle.get('Echoes')?.length_seconds).toBe(1412);
    expect(byTitle.get('Bohemian Rhapsody')?.length_seconds).toBe(355);
    expect(byTitle.has('Line one line two')).toBe(true);
    expect(Object.keys(songs[0])).not.toContain('\ufeffIndex');
  });

  it('skips bad rows by reason, showing the first with their line numbers', async () => {
    const { report } = await readSource(TOP2000, ctx);
    expect(report.rowsRead).toBe(16);
    expect(report.songsKept).toBe(10);
    expect(report.skipped).toEqual({
      'year out of range': 1,
      'missing artist': 1,
      'energy out of range': 1,
      'popularity out of range': 1,
      'empty row': 1,
      'length not positive': 1,
    });
    // the record with a newline inside quotes spans lines 9-10, so "Future Song" ends on line 11
    expect(report.examples[0]).toBe('line 11: year out of range: 2031 (allowed 1900..2026)');
    expect(report.examples[1]).toMatch(/^line 12: missing artist/);
    expect(report.examples).toHaveLength(5);
  });

  it('imputes what a row lacks, flags it, and never leaves 0 or empty', async () => {
    const { songs } = await readSource(TOP2000, ctx);
    const plain = songs.find((s) => s.title === 'No Genre')!;
    expect(plain.imputed).toEqual(['genre', 'popularity']);
    expect(plain.genre).not.toBe('');
    expect(plain.popularity).toBeGreaterThan(0);
    expect(plain.year).toBe(1999);
    const again = (await readSource(TOP2000, { ...ctx, seed: 999 })).songs.find((s) => s.title === 'No Genre')!;
    expect(again).toEqual(plain);
  });

  it('merges duplicates ignoring case and spacing, and counts them', async () => {
    const { songs, report } = await ingestSources([TOP2000], ctx);
    expect(report.duplicatesMerged).toBe(1);
    expect(songs.filter((s) => s.title.toLowerCase().trim() === 'sunrise')).toHaveLength(1);
    expect(report.songs).toBe(9);
  });
});

describe('csv: other layouts', () => {
  it('recognises the 600k-tracks layout by its headers: first of the artists list, release_date year, duration_ms', async () => {
    const { songs, report } = await readSource(`csv:${path.join(FIXTURES, 'tracks-600k.csv')}`, ctx);
    expect(songs.map((s) => [s.title, s.artist, s.year, s.length_seconds])).toEqual([
      ['Carve', 'Uli', 1922, 127],
      ["Don't Stop Me Now", 'Queen', 1978, 211],
      ['Under Pressure', 'Queen', 1981, 248],
    ]);
    expect(songs[2]).toMatchObject({ danceability: 0.671, energy: 0.712, popularity: 70, imputed: ['genre'] });
    expect(report.skipped).toEqual({ 'year not a number': 1, 'danceability out of range': 1 });
  });

  it('keeps an album column when the source has one, and leaves the album empty when not', async () => {
    const file = writeCsv('albums.csv', 'track_name,artists,track_album_name,year\nOne,A,First Album,2001\nTwo,A,,2002\n');
    const { songs } = await readSource(`csv:${file}`, ctx);
    expect(songs.map((s) => [s.title, s.album])).toEqual([
      ['One', 'First Album'],
      ['Two', ''],
    ]);
    const { songs: top } = await readSource(TOP2000, ctx);
    expect(new Set(top.map((s) => s.album))).toEqual(new Set(['']));
  });

  it('reads a layout through a source:PATH.json column mapping, path relative to the description', async () => {
    const described = await readSource(`source:${path.join(FIXTURES, 'tracks-600k.json')}`, ctx);
    const direct = await readSource(`csv:${path.join(FIXTURES, 'tracks-600k.csv')}`, ctx);
    expect(described.songs.map(({ source: _s, ...rest }) => rest)).toEqual(direct.songs.map(({ source: _s, ...rest }) => rest));

    writeCsv('odd.csv', 'col_a,col_b,col_c,col_d\n"A Song","A Band",87,55\n"B Song","B Band",12,88\n');
    const desc = path.join(tmp.dir, 'odd.json');
    fs.writeFileSync(
      desc,
      JSON.stringify({
        path: 'odd.csv',
        columns: { title: 0, artist: 'COL_B', danceability: 2, energy: 'col_d' },
        units: { danceability: 'percent', energy: 'percent' },
        defaults: { genre: 'indie' },
      }),
    );
    const { songs } = await readSource(`source:${desc}`, ctx);
    expect(songs[0]).toMatchObject({ title: 'A Song', artist: 'A Band', danceability: 0.87, energy: 0.55, genre: 'indie' });
    expect(songs[0].imputed).toEqual(['year', 'popularity', 'length_seconds']);
  });

  it('fails clearly: no title column, unknown mapped column, malformed CSV, missing file, no valid song', async () => {
    const noTitle = writeCsv('no-title.csv', 'Artist,Year\nA,2000\n');
    await expect(readSource(`csv:${noTitle}`, ctx)).rejects.toThrow(/names no title column .*"Artist", "Year"/);

    const desc = path.join(tmp.dir, 'bad-col.json');
    fs.writeFileSync(desc, JSON.stringify({ path: 'no-title.csv', columns: { title: 'Song Name' } }));
    await expect(readSource(`source:${desc}`, ctx)).rejects.toThrow(
      /column "Song Name" for title not found; the columns are: "Artist", "Year"/,
    );

    const badDesc = path.join(tmp.dir, 'bad-field.json');
    fs.writeFileSync(badDesc, JSON.stringify({ path: 'x.csv', colums: {} }));
    await expect(readSource(`source:${badDesc}`, ctx)).rejects.toThrow(/colums: unknown field/);

    const broken = writeCsv('broken.csv', 'Title,Artist\n"Unclosed,Band\nOther,Band\n');
    await expect(readSource(`csv:${broken}`, ctx)).rejects.toThrow(/not a readable CSV file .*broken\.csv/);

    await expect(readSource(`csv:${path.join(tmp.dir, 'nope.csv')}`, ctx)).rejects.toThrow(/file not found: .*nope\.csv/);

    const allBad = writeCsv('all-bad.csv', 'Title,Artist,Year\nA,,2000\nB,,1800\n');
    const err = await readSource(`csv:${allBad}`, ctx).catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/yielded no valid song from 2 rows \(skipped: missing artist 2; first: line 2: missing artist/);
  });

  it('rejects unknown source kinds and bad synthetic counts', async () => {
    await expect(readSource('ftp:x', ctx)).rejects.toThrow(/unknown catalog source kind "ftp"/);
    await expect(readSource('synthetic:0', ctx)).rejects.toThrow(/N must be a whole number of songs/);
    await expect(readSource('csv:', ctx)).rejects.toThrow(/needs a file path/);
  });
});
