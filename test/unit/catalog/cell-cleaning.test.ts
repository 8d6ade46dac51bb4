import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { resolveColumns, unitsFromHeaders } from '../../../src/catalog/columns';
import { cleanArtist, cleanCellText, cleanTitle, stripInvisible, tableGrid } from '../../../src/catalog/html-table';
import { readHtmlSource } from '../../../src/catalog/html-source';
import { SourceTally } from '../../../src/catalog/source-tally';
import { parseArtist, parseLength, parseYear } from '../../../src/catalog/song-row';

describe('cell text of real-world tables', () => {
  it('drops footnote markers and &nbsp;, keeps line breaks', () => {
    expect(cleanCellText('Band\u00a0Aid[1][a] ')).toBe('Band Aid');
    expect(cleanCellText('Title[note 3][citation needed]')).toBe('Title');
    expect(cleanCellText('  A \n\n  B ')).toBe('A\nB');
    expect(cleanCellText('Song [Live]')).toBe('Song [Live]');
  });

  it('takes the first title of a double A-side and strips quotes', () => {
    expect(cleanTitle('"Penny Lane" / "Strawberry Fields Forever"')).toBe('Penny Lane');
    expect(cleanTitle('"We Can Work It Out"\n"Day Tripper"')).toBe('We Can Work It Out');
    expect(cleanTitle('“Rocket Man” (featuring Someone)')).toBe('Rocket Man');
    expect(cleanTitle('Plain Title / Other')).toBe('Plain Title');
    expect(cleanTitle('AC/DC Song')).toBe('AC/DC Song');
    expect(cleanTitle('Obscure Hit †')).toBe('Obscure Hit');
    expect(cleanTitle('""')).toBe('');
    expect(cleanArtist('Lil Nas X\nfeaturing Billy Ray Cyrus')).toBe('Lil Nas X featuring Billy Ray Cyrus');
  });

  it('expands rowspan and colspan so a spanning cell applies to each row it covers', () => {
    const $ = cheerio.load(`<table>
      <tr><th>Year</th><th>Title</th><th>Artist</th></tr>
      <tr><td rowspan="3">1999</td><td>A</td><td rowspan="2">X</td></tr>
      <tr><td>B</td></tr>
      <tr><td colspan="2">C and D</td></tr>
    </table>`);
    stripInvisible($);
    const grid = tableGrid($, $('table')[0]);
    expect(grid.map((r) => r.cells.map((c) => c?.text))).toEqual([
      ['Year', 'Title', 'Artist'],
      ['1999', 'A', 'X'],
      ['1999', 'B', 'X'],
      ['1999', 'C and D', 'C and D'],
    ]);
  });

  it('removes hidden sort keys and reference superscripts before reading text', () => {
    const $ = cheerio.load(
      '<table><tr><td><span style="display: none">000001</span>Song<sup class="reference">[12]</sup></td></tr></table>',
    );
    stripInvisible($);
    expect(cleanCellText($('td').text())).toBe('Song');
  });
});

describe('columns and values', () => {
  it('finds title, artist and year by header words, preferring artist words', () => {
    expect(resolveColumns(['No.', 'Single title', 'Original artist', 'Year of release'])).toMatchObject({ title: 1, artist: 2, year: 3 });
    expect(resolveColumns(['Song', 'Artist(s)', 'Weeks'])).toMatchObject({ title: 0, artist: 1 });
    expect(resolveColumns(['Track[1]', 'Performer'])).toMatchObject({ title: 0, artist: 1 });
  });

  it('knows the units of the Top 2000s and 600k-tracks layouts', () => {
    const top = ['Index', 'Title', 'Artist', 'Top Genre', 'Year', 'Beats Per Minute (BPM)', 'Energy', 'Danceability', 'Length (Duration)'];
    expect(unitsFromHeaders(top, resolveColumns(top))).toEqual({ length: 'seconds', danceability: 'percent', energy: 'percent' });
    const tracks = ['id', 'name', 'popularity', 'duration_ms', 'artists', 'release_date', 'danceability', 'energy'];
    expect(unitsFromHeaders(tracks, resolveColumns(tracks))).toEqual({ length: 'ms', danceability: 'fraction', energy: 'fraction' });
    const y2023 = ['track_name', 'artist(s)_name', 'released_year', 'danceability_%', 'energy_%'];
    expect(resolveColumns(y2023)).toEqual({ title: 0, artist: 1, year: 2, danceability: 3, energy: 4 });
    expect(unitsFromHeaders(y2023, resolveColumns(y2023))).toEqual({ length: 'seconds', danceability: 'percent', energy: 'percent' });
    const top10s = ['', 'title', 'artist', 'top genre', 'year', 'bpm', 'nrgy', 'dnce', 'dB', 'live', 'val', 'dur', 'acous', 'spch', 'pop'];
    expect(resolveColumns(top10s)).toEqual({
      title: 1,
      artist: 2,
      genre: 3,
      year: 4,
      energy: 6,
      danceability: 7,
      length: 11,
      popularity: 14,
    });
    expect(unitsFromHeaders(top10s, resolveColumns(top10s))).toEqual({ length: 'seconds', danceability: 'percent', energy: 'percent' });
  });

  it('parses lengths, years and artist lists', () => {
    expect(parseLength('1,412', 'seconds')).toBe(1412);
    expect(parseLength('3:35', 'seconds')).toBe(215);
    expect(parseLength('1:02:03', 'seconds')).toBe(3723);
    expect(parseLength('211000', 'ms')).toBe(211);
    expect(parseYear('March 5, 1999')).toBe(1999);
    expect(parseYear('1922-02-22')).toBe(1922);
    expect(parseArtist("['Queen', 'David Bowie']")).toBe('Queen');
    expect(parseArtist('["Guns N\' Roses"]')).toBe("Guns N' Roses");
    expect(parseArtist('Simon & Garfunkel')).toBe('Simon & Garfunkel');
    expect(parseArtist('Gen Hoshino;Sayuri')).toBe('Gen Hoshino');
  });
});

describe('table selectors of a description', () => {
  const page = {
    body: Buffer.from(
      '<table><tr><th>Song</th><th>Artist</th></tr><tr><td>Other</td><td>X</td></tr></table><div id="main"><table><tr><th>Song</th><th>Artist</th></tr><tr><td>A</td><td>B</td></tr></table></div>',
    ),
  };
  const read = (table: string) => {
    const tally = new SourceTally('source:test.json');
    readHtmlSource(tally, 'http://127.0.0.1/x', page, { table, currentYear: 2025 });
    return tally.songs.map((s) => s.title);
  };

  it('picks the tables inside a selected element, and says so when a selector is not valid CSS', () => {
    expect(read('#main')).toEqual(['A']);
    expect(read('table')).toEqual(['Other', 'A']);
    expect(() => read('div[')).toThrow(/table: "div\[" is not a valid CSS selector/);
    expect(() => read('#none')).toThrow(/the page has no tables matching "#none" with rows/);
  });
});
