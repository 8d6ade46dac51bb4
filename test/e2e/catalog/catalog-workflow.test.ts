import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCatalogFile } from '../../../src/catalog/catalog-file';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { readRun, sha256 } from '../../helpers/read-run';
import { PageServer } from '../../helpers/page-server';

const TASK_QUEUE = 'it-catalog';

describe('generateDataset with a scraped catalog, on a real Temporal dev server', () => {
  let stack: GenerationStack;
  let pages: PageServer;

  beforeAll(async () => {
    pages = await new PageServer().start();
    // the page server is on 127.0.0.1, which a worker fetches only when allowed
    stack = await startGenerationStack({
      taskQueue: TASK_QUEUE,
      threads: 1,
      tmpPrefix: 'catalog-it-',
      workerEnv: { WRAPPED_ETL_FETCH_ALLOW: '127.0.0.1' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await pages?.stop();
  });

  const generate = (workflowId: string, input: object) => stack.generate(workflowId, input);

  it('scrapes the page into the checkpointed catalog, plays its songs, and reuses the checkpoint on a rerun', async () => {
    const url = pages.url('/year-end.html');
    const input = { users: 6, shardSize: 3, sessionsPerUser: 2, seed: 3, runId: 'scraped', catalog: [`html:${url}`] };
    const result = await generate('it-catalog-scraped', input);
    const layout = new RunLayout(result.outDir);

    const catalog = await readCatalogFile(layout.catalogPath);
    expect(catalog.map((s) => s.title)).toEqual([
      'Old Town Road',
      'Sunflower (Spider-Man: Into the Spider-Verse)',
      'Without Me',
      'Bad Guy',
      'Wow.',
    ]);
    expect(catalog[0]).toMatchObject({
      artist: 'Lil Nas X featuring Billy Ray Cyrus',
      year: 2018,
      length_seconds: 157,
      source: `html:${url}`,
    });
    expect(catalog[0].imputed).toEqual(['genre', 'popularity', 'danceability', 'energy']);

    const report = JSON.parse(fs.readFileSync(layout.catalogReportPath, 'utf8'));
    expect(report.songs).toBe(5);
    expect(report.sha256).toBe(sha256(layout.catalogPath));
    expect(report.report.sources[0].skipped).toEqual({ 'missing title': 1, 'year out of range': 1, 'note row': 1 });
    expect(
      fs
        .readdirSync(layout.httpCacheDir)
        .map((f) => path.extname(f))
        .sort(),
    ).toEqual(['.html', '.json']);

    const { records } = await readRun(result.outDir);
    expect(records.length).toBeGreaterThan(0);
    const titles = new Set(catalog.map((s) => s.title));
    for (const r of records) expect(titles.has(r.song_name)).toBe(true);

    expect(pages.hitsOf('/year-end.html')).toHaveLength(1);
    const catalogHash = sha256(layout.catalogPath);
    const again = await generate('it-catalog-scraped-again', input);
    expect(again.outDir).toBe(result.outDir);
    expect(pages.hitsOf('/year-end.html')).toHaveLength(1);
    expect(sha256(layout.catalogPath)).toBe(catalogHash);
  });

  it('fails at once, naming the URL, when the page is missing or has no song table', async () => {
    for (const [id, p, expected] of [
      ['it-catalog-404', '/missing', /answered HTTP 404/],
      ['it-catalog-no-table', '/no-songs.html', /no table at .* has a title-like column/],
    ] as const) {
      const err = await generate(id, { users: 2, catalog: [`html:${pages.url(p)}`] }).catch((e) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(String(err.cause?.message)).toContain(pages.url(p));
      expect(String(err.cause?.message)).toMatch(expected);
      const history = await stack.env.client.workflow.getHandle(id).fetchHistory();
      const attempts = history
        .events!.filter((e) => e.activityTaskStartedEventAttributes)
        .map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts).toEqual([1, 1]);
      expect(pages.hitsOf(p)).toHaveLength(1);
    }
  });

  it('retries an unavailable page at one level only: the attempts of the fetch, never again by activity retries', async () => {
    const err = await generate('it-catalog-500', { users: 2, catalog: [`html:${pages.url('/always-500')}`] }).catch((e) => e);
    expect(String(err.cause?.message)).toMatch(/failed 4 times, last: HTTP 503/);
    const history = await stack.env.client.workflow.getHandle('it-catalog-500').fetchHistory();
    const attempts = history
      .events!.filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => e.activityTaskStartedEventAttributes!.attempt);
    expect(attempts).toEqual([1, 1]);
    expect(pages.hitsOf('/always-500')).toHaveLength(4);
  });
});
