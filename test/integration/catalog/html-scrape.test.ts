import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachePathFor, DEFAULT_HTTP } from '../../../src/catalog/polite-fetch';
import { ingestSources, readSource, SourceError, type IngestContext } from '../../../src/catalog/sources';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { PageServer } from '../../helpers/page-server';

const FAST = { delayMs: 0, backoffMs: 50, timeoutMs: 2000 };

describe('html: scraping song tables from a real HTTP server on 127.0.0.1', () => {
  let server: PageServer;
  const tmp = makeTmpDir('catalog-html-');
  let n = 0;
  /** a fresh cache dir per call, so each test really fetches */
  const ctx = (http: Partial<typeof DEFAULT_HTTP> = FAST): IngestContext => ({
    seed: 1,
    currentYear: 2025,
    cacheDir: path.join(tmp.dir, `cache-${n++}`),
    http,
  });

  beforeAll(async () => {
    server = await new PageServer().start();
  });
  afterAll(async () => {
    await server.stop();
    tmp.cleanup();
  });

  it('reads a wiki number-ones list: row headers, rowspan, footnotes, curly quotes, links, &nbsp;, double A-side, note row, year from the page title', async () => {
    const { songs, report } = await ingestSources([`html:${server.url('/number-ones.html')}`], ctx());
    expect(songs.map((s) => [s.title, s.artist])).toEqual([
      ["Do They Know It's Christmas?", 'Band Aid'],
      ['I Want to Know What Love Is', 'Foreigner'],
      ['Easy Lover', 'Philip Bailey and Phil Collins'],
      ['You Spin Me Round (Like a Record)', 'Dead or Alive'],
      ['Welcome to the Pleasuredome', 'Frankie Goes to Hollywood'],
    ]);
    // the song spanning two weeks (rowspan=2) is on two rows: read twice, merged once
    expect(report.duplicatesMerged).toBe(1);
    expect(report.sources[0]).toMatchObject({ rowsRead: 7, songsKept: 6, skipped: { 'note row': 1 } });
    expect(report.sources[0].examples[0]).toMatch(/^row 7: note row: "Chart suspended/);
    for (const s of songs) {
      expect(s.year).toBe(1985);
      expect(s.imputed).toEqual(['genre', 'popularity', 'danceability', 'energy', 'length_seconds']);
      expect(s.genre).not.toBe('');
      expect(s.danceability).toBeGreaterThan(0);
      expect(s.length_seconds).toBeGreaterThan(0);
    }
  });

  it('reads a sortable year-end table inside a layout table: thead/tfoot, hidden sort keys, <br> in artists, dates, lengths', async () => {
    const { songs, report } = await ingestSources([`html:${server.url('/year-end.html')}`], ctx());
    expect(songs.map((s) => [s.title, s.artist, s.year, s.length_seconds])).toEqual([
      ['Old Town Road', 'Lil Nas X featuring Billy Ray Cyrus', 2018, 157],
      ['Sunflower (Spider-Man: Into the Spider-Verse)', 'Post Malone and Swae Lee', 2018, 158],
      ['Without Me', 'Halsey', 2018, 201],
      ['Bad Guy', 'Billie Eilish', 2019, 194],
      ['Wow.', 'Post Malone', 2018, songs[4].length_seconds],
    ]);
    expect(songs[4].imputed).toContain('length_seconds');
    expect(report.sources[0].skipped).toEqual({ 'missing title': 1, 'year out of range': 1, 'note row': 1 });
    expect(report.sources[0].examples).toEqual([
      'row 7: missing title: ""',
      'row 9: year out of range: 2031 (allowed 1900..2026)',
      'row 10: note row: "Source: Billboard"',
    ]);
    expect(report.duplicatesMerged).toBe(1);
  });

  it('reads a plain table whose header row is made of <td>, with Track / Performer / Release date / Genre', async () => {
    const { songs } = await ingestSources([`html:${server.url('/plain.html')}`], ctx());
    expect(songs.map((s) => [s.title, s.artist, s.year, s.genre])).toEqual([
      ['Smells Like Teen Spirit', 'Nirvana', 1991, 'grunge'],
      ['Hey Ya!', 'OutKast', 2003, 'hip hop'],
      ['Crazy in Love', 'Beyoncé', 2003, songs[2].genre],
    ]);
    expect(songs[2].imputed).toContain('genre');
  });

  it('reads a discography through a source:PATH.json description: selector, mapping, default artist; two-row header, colspan, group rows', async () => {
    const template = fs.readFileSync(path.join(__dirname, '../../fixtures/catalog/discography.json'), 'utf8');
    const desc = path.join(tmp.dir, 'discography.json');
    fs.writeFileSync(desc, template.replace('http://127.0.0.1:PORT', server.base));
    const { songs, report } = await ingestSources([`source:${desc}`], ctx());
    expect(songs.map((s) => [s.title, s.artist, s.year, s.genre, s.album])).toEqual([
      ['First Light', 'Example Band', 1994, 'rock', 'Dawn'],
      ['Second Wind', 'Example Band', 1994, 'rock', 'Dawn'],
      ['Fourth Wall', 'Example Band', 1997, 'rock', 'Walls'],
    ]);
    expect(report.sources[0].skipped).toEqual({ 'note row': 2 });
    // without the description the page has no artist column
    const err = await readSource(`html:${server.url('/discography.html')}`, ctx()).catch((e) => e);
    expect(err.message).toMatch(/\[Title, Year, Peak chart positions US, Peak chart positions UK, Album\]/);
  });

  it('decodes pages in the charset their Content-Type or <meta> names, also from the cache', async () => {
    for (const p of ['/latin1-header', '/latin1-meta']) {
      const c = ctx();
      const { songs } = await ingestSources([`html:${server.url(p)}`], c);
      expect(songs.map((s) => [s.title, s.artist])).toEqual([['Déjà Vu', 'Beyoncé']]);
      const cached = await ingestSources([`html:${server.url(p)}`], c);
      expect(cached.songs).toEqual(songs);
      expect(server.hitsOf(p)).toHaveLength(1);
    }
  });

  it('sends a User-Agent naming the project and caches the page in the checkpoint dir: a second run does not fetch', async () => {
    const c = ctx();
    const url = server.url('/plain.html');
    const before = server.hitsOf('/plain.html').length;
    const first = await ingestSources([`html:${url}`], c);
    expect(server.hitsOf('/plain.html').length).toBe(before + 1);
    const second = await ingestSources([`html:${url}`], c);
    expect(second).toEqual(first);
    expect(server.hitsOf('/plain.html').length).toBe(before + 1);
    expect(fs.existsSync(cachePathFor(c.cacheDir, url))).toBe(true);
    expect(server.hitsOf('/plain.html').at(-1)!.userAgent).toMatch(/^wrapped-etl\//);
  });

  it('retries a 500 and gets the page', async () => {
    const { songs } = await ingestSources([`html:${server.url('/flaky/plain.html')}`], ctx());
    expect(songs).toHaveLength(3);
    expect(server.hitsOf('/flaky/plain.html')).toHaveLength(2);
  });

  it('honours Retry-After on 429', async () => {
    const { songs } = await ingestSources([`html:${server.url('/busy/plain.html')}`], ctx());
    expect(songs).toHaveLength(3);
    const [a, b] = server.hitsOf('/busy/plain.html');
    expect(b.at - a.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a page that hangs past the timeout, retryable, after the configured attempts', async () => {
    const started = Date.now();
    const err = await readSource(`html:${server.url('/hang')}`, ctx({ ...FAST, timeoutMs: 300, attempts: 2 })).catch((e) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/failed 2 times, last: no complete answer within 300 ms/);
    expect(server.hitsOf('/hang')).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries 5xx up to the attempts, then fails retryable', async () => {
    const err = await readSource(`html:${server.url('/always-500')}`, ctx({ ...FAST, attempts: 3 })).catch((e) => e);
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/always-500 failed 3 times, last: HTTP 503/);
    expect(server.hitsOf('/always-500')).toHaveLength(3);
  });

  it('does not retry a 404, nor a page without a matching table; both non-retryable and naming the URL', async () => {
    const notFound = await readSource(`html:${server.url('/missing')}`, ctx()).catch((e) => e);
    expect(notFound).toBeInstanceOf(SourceError);
    expect(notFound.retryable).toBe(false);
    expect(notFound.message).toContain(`GET ${server.url('/missing')} answered HTTP 404`);
    expect(server.hitsOf('/missing')).toHaveLength(1);

    const noTable = await readSource(`html:${server.url('/no-songs.html')}`, ctx()).catch((e) => e);
    expect(noTable.retryable).toBe(false);
    expect(noTable.message).toContain(
      `no table at ${server.url('/no-songs.html')} has a title-like column (Title, Song, Single, Track) and an artist-like column`,
    );
    expect(noTable.message).toContain('[Name, Population]');
    expect(server.hitsOf('/no-songs.html')).toHaveLength(1);
  });

  it('asks one host one request at a time, with the configured pause between', async () => {
    const pages = ['/plain.html', '/year-end.html', '/number-ones.html'];
    const start = server.hits.length;
    server.maxInFlight = 0;
    const c = ctx({ ...FAST, delayMs: 200 });
    await Promise.all(pages.map((p) => ingestSources([`html:${server.url(p)}`], c)));
    const hits = server.hits.slice(start);
    expect(hits).toHaveLength(3);
    expect(server.maxInFlight).toBe(1);
    for (let i = 1; i < hits.length; i++) expect(hits[i].at - hits[i - 1].at).toBeGreaterThanOrEqual(190);
  });
});
