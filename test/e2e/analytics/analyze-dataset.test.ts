import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { WorkflowFailedError } from '@temporalio/client';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as wrappedCommand } from '../../../cli/commands/wrapped';
import { TASK_QUEUE } from '../../../cli/temporal/constants';
import { profileRun } from '../../../src/analytics/profile/run-profile';
import { formatHour, formatMinutes, formatPercent, REPORT_COUNTRIES } from '../../../src/analytics/wrapped/html-report';
import type { UserWrapped, WrappedSummary } from '../../../src/analytics/wrapped/wrapped-types';
import type { WrittenWrapped } from '../../../src/analytics/wrapped/write-wrapped';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { ANALYZE_DATASET, type AnalyzeDatasetWorkflow, type GenerationResult } from '../../../workflows/contracts';
import type { WrappedInput } from '../../../src/config/wrapped-input';
import { startGenerationStack, type GenerationStack } from '../../helpers/generation-stack';
import { readRun } from '../../helpers/read-run';
import { chromiumMissing, chromiumPath } from '../../helpers/test-tools';

const minutes = (ms: number) => Math.round(ms / 600) / 100;
const ms = (r: ListeningRecord) => r.listening_time.end_time - r.listening_time.start_time;

/** Ranks keys the way Wrapped promises: plays (not skipped), then time listened, then name. */
function topKeys(records: ListeningRecord[], key: (r: ListeningRecord) => string, n: number): string[] {
  const t = new Map<string, { plays: number; ms: number }>();
  for (const r of records) {
    const e = t.get(key(r)) ?? { plays: 0, ms: 0 };
    if (r.interaction !== 'skipped') e.plays++;
    e.ms += ms(r);
    t.set(key(r), e);
  }
  return [...t]
    .sort(([ka, a], [kb, b]) => b.plays - a.plays || b.ms - a.ms || (ka < kb ? -1 : 1))
    .slice(0, n)
    .map(([k]) => k);
}

/** Local hour straight from Intl, without any cache. */
function intlHour(r: ListeningRecord): number {
  return Number(
    new Intl.DateTimeFormat('en-US', { timeZone: r.user_location.timezone, hour: 'numeric', hourCycle: 'h23' }).format(
      r.listening_time.start_time,
    ),
  );
}

describe('analyzeDataset (Wrapped) on a real Temporal dev server', () => {
  let stack: GenerationStack;
  let run: GenerationResult;
  let records: ListeningRecord[];
  let result: WrittenWrapped;
  let users: UserWrapped[];
  let summary: WrappedSummary;

  const analyze = (workflowId: string, input: object) =>
    stack.env.client.workflow.execute<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input as WrappedInput],
    });

  beforeAll(async () => {
    stack = await startGenerationStack({ taskQueue: TASK_QUEUE });
    run = await stack.generate('wr-run', {
      users: 40,
      shardSize: 15,
      sessionsPerUser: 4,
      seed: 5,
      catalog: ['synthetic:300'],
      travelShare: 0.1,
    });
    records = (await readRun(run.outDir)).records;
    result = await analyze('wr-analyze', { run: 'data/wr-run', user: 7, parallelism: 2 });
    users = JSON.parse(fs.readFileSync(result.files.users, 'utf8'));
    summary = JSON.parse(fs.readFileSync(result.files.summary, 'utf8'));
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('computes every user’s Wrapped as the records say', () => {
    expect(result).toMatchObject({ outDir: path.join(run.outDir, 'wrapped'), users: 40, records: records.length, cardUser: 7 });
    expect(users.map((u) => u.user_id)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    for (const u of users) {
      const mine = records.filter((r) => r.user_id === u.user_id);
      expect(u.records).toBe(mine.length);
      expect(u.plays).toBe(mine.filter((r) => r.interaction !== 'skipped').length);
      expect(u.minutes).toBe(minutes(mine.reduce((s, r) => s + ms(r), 0)));
      expect(u.skip_rate).toBeCloseTo(mine.filter((r) => r.interaction === 'skipped').length / mine.length, 4);
      expect(u.distinct_songs).toBe(new Set(mine.map((r) => `${r.artist}/${r.song_name}`)).size);
      expect(u.distinct_artists).toBe(new Set(mine.map((r) => r.artist)).size);
      expect(u.top_songs.map((s) => `${s.artist}\u0001${s.song}`)).toEqual(topKeys(mine, (r) => `${r.artist}\u0001${r.song_name}`, 5));
      expect(u.top_artists.map((a) => a.name)).toEqual(topKeys(mine, (r) => r.artist, 5));
      expect(u.top_genres.map((g) => g.name)).toEqual(topKeys(mine, (r) => r.genre, 5));
      const byHour = u.minutes_by_local_hour;
      expect(byHour[u.most_active_local_hour]).toBe(Math.max(...byHour));
      expect(u.personality).toBe(mine[0].personality);
    }
  });

  it('takes the personality and its four axis scores from the fidelity profile’s inference', async () => {
    const profile = await profileRun(run.outDir);
    for (const u of users) {
      const p = profile.perUser.find((x) => x.userId === u.user_id)!;
      expect(u.inferred).toEqual({ personality: p.inferred, axes: p.scores });
    }
    expect(summary.personality_inference).toEqual({
      users: 40,
      matches: users.filter((u) => u.inferred!.personality === u.personality).length,
    });
  });

  it('sums the run and each country, with minutes by local hour', () => {
    expect(summary.global).toMatchObject({ records: records.length, users: 40, minutes: minutes(records.reduce((s, r) => s + ms(r), 0)) });
    expect(summary.global.top_songs.map((s) => `${s.artist}\u0001${s.song}`)).toEqual(
      topKeys(records, (r) => `${r.artist}\u0001${r.song_name}`, 10),
    );
    expect(summary.global.top_genres.map((g) => g.name)).toEqual(topKeys(records, (r) => r.genre, 10));
    const countries = [...new Set(records.map((r) => r.user_location.country))].sort();
    expect(Object.keys(summary.countries)).toEqual(countries);
    for (const c of countries) {
      const here = records.filter((r) => r.user_location.country === c);
      expect(summary.countries[c].records).toBe(here.length);
      expect(summary.countries[c].users).toBe(new Set(here.map((r) => r.user_id)).size);
      expect(summary.countries[c].top_artists.map((a) => a.name)).toEqual(topKeys(here, (r) => r.artist, 5));
    }
    const hours = new Array<number>(24).fill(0);
    for (const r of records) hours[intlHour(r)] += ms(r) / 60_000;
    const off = summary.global.minutes_by_local_hour.reduce((s, m, h) => s + Math.abs(m - hours[h]), 0);
    expect(off).toBeLessThan(0.01 * summary.global.minutes); // only streams near a daylight-saving switch may land an hour apart
    const grid = summary.global.streams_by_local_weekday_hour;
    expect(grid.map((row) => row.length)).toEqual([24, 24, 24, 24, 24, 24, 24]);
    expect(grid.flat().reduce((a, b) => a + b, 0)).toBe(records.length);
    const weekdays = new Array<number>(7).fill(0);
    const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
    for (const r of records)
      weekdays[
        names.indexOf(
          new Intl.DateTimeFormat('en-US', { timeZone: r.user_location.timezone, weekday: 'short' }).format(r.listening_time.start_time),
        )
      ]++;
    const offDays = grid.reduce((s, row, d) => s + Math.abs(row.reduce((a, b) => a + b, 0) - weekdays[d]), 0);
    expect(offDays).toBeLessThan(0.01 * records.length);
  });

  it('writes users, top items and hourly minutes as Parquet that DuckDB reads', async () => {
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const q = async (sql: string) => (await c.runAndReadAll(sql)).getRowObjectsJson();
    const [u] =
      await q(`select count(*)::int n, sum(records)::int records, round(sum(minutes), 2) AS total_minutes, count(inferred_personality)::int inferred
      from read_parquet('${result.files.usersParquet}')`);
    expect(u).toEqual({
      n: 40,
      records: records.length,
      total_minutes: Math.round(users.reduce((s, x) => s + x.minutes, 0) * 100) / 100,
      inferred: 40,
    });
    const [seven] = await q(`select top_artists, axis_fe from read_parquet('${result.files.usersParquet}') where user_id = 7`);
    expect(seven.top_artists).toEqual(users[6].top_artists.map((a) => a.name));
    expect(seven.axis_fe).toBeCloseTo(users[6].inferred!.axes.FE, 10);
    const top = await q(
      `select name, artist from read_parquet('${result.files.topItemsParquet}') where scope = 'global' and kind = 'song' order by rank`,
    );
    expect(top).toEqual(summary.global.top_songs.map((s) => ({ name: s.song, artist: s.artist })));
    const [h] = await q(
      `select count(*)::int n, round(sum(minutes) filter (where scope = 'global'), 1) m from read_parquet('${result.files.hourlyParquet}')`,
    );
    expect(h).toEqual({
      n: 24 * (1 + Object.keys(summary.countries).length),
      m: Math.round(summary.global.minutes_by_local_hour.reduce((a, b) => a + b, 0) * 10) / 10,
    });
  });

  it('shows the Wrapped card and the run’s charts in headless Chromium, with no network', async (ctx) => {
    const missing = chromiumMissing();
    if (missing) ctx.skip(missing);
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.request().url().startsWith('file://') ? route.continue() : route.abort();
      });
      await page.goto(`file://${result.files.report}`);
      const field = (name: string) => page.locator(`[data-field="${name}"]`).first().innerText();
      const u = users[6];
      expect(await field('user-id')).toBe('7');
      expect(await field('minutes')).toBe(formatMinutes(u.minutes));
      expect(await field('distinct-songs')).toBe(String(u.distinct_songs));
      expect(await field('distinct-artists')).toBe(String(u.distinct_artists));
      expect(await field('skip-rate')).toBe(formatPercent(u.skip_rate));
      expect(await field('active-hour')).toBe(formatHour(u.most_active_local_hour));
      expect(await field('inferred-personality')).toBe(u.inferred!.personality);
      expect(await field('axis-LV')).toBe(u.inferred!.axes.LV.toFixed(2));
      expect(await page.locator('[data-field="top-songs"] li').allInnerTexts()).toEqual(u.top_songs.map((s) => `${s.song} — ${s.artist}`));
      expect(await page.locator('[data-field="top-genres"] li').allInnerTexts()).toEqual(u.top_genres.map((g) => g.name));
      expect(await field('run-records')).toBe(String(records.length));
      expect(await field('run-minutes')).toBe(formatMinutes(summary.global.minutes));
      const labels = await page.locator('[data-field="run-top-artists"] text.label title').allTextContents();
      expect(labels).toEqual(summary.global.top_artists.map((a) => a.name));
      expect(await page.locator('#countries tbody tr').count()).toBe(Math.min(REPORT_COUNTRIES, Object.keys(summary.countries).length));
      expect(await page.locator('svg.chart').count()).toBe(7);
      expect(await page.locator('[data-field="run-weekday-hour"] rect.heat').count()).toBe(168);
      expect(await page.locator('[data-field="park-weekday-hour"] rect.heat').count()).toBe(168);
      // the published table's busiest hour (Saturday 12:00) is the darkest cell of its chart
      expect(
        await page
          .locator('[data-field="park-weekday-hour"] rect.heat')
          .nth(5 * 24 + 12)
          .getAttribute('fill-opacity'),
      ).toBe('1.000');
      const hourBars = page.locator('#global svg.chart').first().locator('rect.bar');
      expect(await hourBars.count()).toBe(24);
      const box = await page.locator('#wrapped-card').boundingBox();
      expect(box!.height).toBeGreaterThan(300);
      expect(requests.filter((r) => !r.startsWith('file://'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('runs from the CLI against a Temporal address, writing where --out says', async () => {
    const out = path.join(stack.dataRoot, 'elsewhere');
    await wrappedCommand([run.outDir, '--out', out, '--user', '3', '--address', stack.env.address, '--json']);
    const again = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(again).toEqual(summary);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('data-field="user-id">3<');
  });

  it('reuses the part analyses of an earlier run of the same parts', async () => {
    const work = path.join(result.outDir, '_work');
    const mtimes = () =>
      fs
        .readdirSync(work)
        .sort()
        .map((f) => [f, fs.statSync(path.join(work, f)).mtimeMs]);
    const before = mtimes();
    expect(before.map(([f]) => f)).toEqual(['part-00000.wrapped.partial', 'part-00001.wrapped.partial', 'part-00002.wrapped.partial']);
    await analyze('wr-again', { run: 'data/wr-run', user: 7 });
    expect(mtimes()).toEqual(before);
    expect(JSON.parse(fs.readFileSync(result.files.summary, 'utf8'))).toEqual(summary);
  });

  it('fails at once on a folder without a run, or a user the run does not have', async () => {
    const noRun = await analyze('wr-bad-run', { run: 'data/nope' }).catch((e) => e);
    expect(noRun).toBeInstanceOf(WorkflowFailedError);
    expect(String(noRun.cause?.message)).toMatch(/run: .*data\/nope has no _manifest.json/);
    const noUser = await analyze('wr-bad-user', { run: 'data/wr-run', user: 999 }).catch((e) => e);
    expect(String(noUser.cause?.message)).toMatch(/user: the run has users 1..40, got 999/);
  });
});
