import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realismOfRun, type RunScorecard } from '../../../src/analytics/realism/run-realism';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { CONCENTRATION_FLOOR } from '../../../src/analytics/realism/year-metrics';
import { makeTmpDir } from '../../helpers/tmp-dir';

const ROOT = path.resolve(__dirname, '../../..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'realism', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('the default simulation against published streaming data (100 users, ~570k streams)', () => {
  const tmp = makeTmpDir();
  const runDir = path.join(tmp.dir, 'run');
  let card: RunScorecard;

  beforeAll(async () => {
    // the defaults, in schema v2 so that the device metrics are measured too
    await runInProcess(runDir, { users: 100, schemaVersion: 2 });
    card = await realismOfRun(runDir);
    // 100 default users are a year at real volume: ~580k streams to generate and read back
  }, 400_000);
  afterAll(() => tmp.cleanup());

  const value = (id: string) => card.metrics.find((m) => m.id === id)!.value!;

  it('passes every metric of the scorecard', () => {
    expect(card.users).toBe(100);
    expect(card.catalogFrom).toBe('catalog');
    expect(card.metrics.filter((m) => m.status === 'fail').map((m) => `${m.id}=${m.value}`)).toEqual([]);
    expect(card.metrics.filter((m) => m.status === 'n/a')).toEqual([]);
    expect(card.pass).toBe(true);
  });

  it('follows the published skip curve and keeps every stream within its song', () => {
    expect(Math.abs(value('skip.within5s') - 0.24)).toBeLessThan(0.03);
    expect(Math.abs(value('skip.within30s') - 0.3505)).toBeLessThan(0.03);
    expect(Math.abs(value('skip.beforeEnd') - 0.486)).toBeLessThan(0.03);
    expect(value('stream.longerThanSong')).toBe(0);
    expect(value('stream.playedToEnd')).toBe(1);
    expect(value('stream.repeatedReplaysPrevious')).toBe(1);
    expect(value('device.mobileSkip')).toBeGreaterThan(value('device.desktopSkip') + 0.05);
  });

  it('listens like a real year: volume, heavy-tailed sessions, concentration checked below the law, an unplayed tail', () => {
    expect(value('volume.hoursPerUserMonth')).toBeGreaterThan(15);
    expect(value('session.minutesP10')).toBeLessThan(10);
    expect(value('session.shortShare')).toBeGreaterThan(0.05);
    expect(value('session.over3hShare')).toBeGreaterThan(0);
    // concentration is checked against floors below the law at this catalog's size (docs/realism.md)
    const law = card.metrics.find((m) => m.id === 'catalog.top1pctArtistShare')!;
    expect(law.target).toBeGreaterThan(0.5);
    expect(law.status).toBe('pass');
    expect(value('catalog.top1pctArtistShare')).toBeGreaterThanOrEqual(CONCENTRATION_FLOOR.top1pctArtists);
    expect(value('catalog.top10pctArtistShare')).toBeGreaterThanOrEqual(CONCENTRATION_FLOOR.top10pctArtists);
    // the least popular quarter of the catalog goes unplayed (Luminate's 24.8%), more of it with few users
    expect(value('catalog.unplayedShare')).toBeGreaterThanOrEqual(0.248);
    expect(card.metrics.find((m) => m.id === 'catalog.unplayedShare')!.status).toBe('pass');
  });

  it('plays back as a state machine and follows the seasons and the release calendar', () => {
    expect(Object.keys(card.playback.reasonEnd).sort()).toEqual(
      [
        'backbtn',
        'clickrow',
        'endplay',
        'fwdbtn',
        'logout',
        'remote',
        'trackdone',
        'unexpected-exit',
        'unexpected-exit-while-paused',
      ].sort(),
    );
    expect(card.playback.transitions['backbtn>backbtn']).toBeGreaterThan(0);
    expect(card.playback.transitions['endplay>playbtn']).toBeGreaterThan(0);
    expect(value('playback.backbtnReplays')).toBe(1);
    expect(value('playback.offlineWithoutDownload')).toBe(0);
    expect(value('playback.wholeSecondFullPlays')).toBeLessThan(0.01);
    expect(value('season.holidayJanToOct')).toBeLessThan(0.001);
    expect(value('season.holidayPeakWeek')).toBeGreaterThan(0.09);
    expect(card.holidayByWeek.filter(([day]) => day.startsWith('2025-12')).length).toBeGreaterThan(3);
    expect(value('release.fridayShare')).toBe(1);
    expect(value('release.firstWeeksOverNext')).toBeGreaterThan(1.2);
  });

  it('starts streams like the published hour x weekday table, and keeps rotation human', () => {
    expect(value('time.hourDowPearson')).toBeGreaterThanOrEqual(0.95);
    expect(value('time.weekday07')).toBeGreaterThan(value('time.weekend07') + 0.1);
    expect(value('user.topSongShareP90')).toBeLessThanOrEqual(0.15);
    expect(value('user.loyaltyReplayGap')).toBeGreaterThanOrEqual(0.15);
    expect(value('market.unavailable')).toBe(0);
  });

  it('prints the scorecard from the CLI; --check exits 0 in range and 1 out of it', async () => {
    const json = cli(runDir, '--json', '--check');
    expect(json.status).toBe(0);
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
    const parsed = JSON.parse(json.stdout) as RunScorecard;
    expect(parsed.metrics.map((m) => m.id)).toEqual(card.metrics.map((m) => m.id));
    expect(Object.keys(parsed.metrics[0]).sort()).toEqual(['id', 'label', 'max', 'min', 'source', 'status', 'target', 'unit', 'value']);
    expect(parsed.hourDow.run).toHaveLength(7);
    expect(parsed.hourDow.park2019[5][12]).toBe(1);
    const text = cli(runDir).stdout;
    expect(text).toMatch(/ok +skip\.within5s/);
    expect(text).toMatch(/every metric in range/);

    const skipless = path.join(tmp.dir, 'skipless');
    await runInProcess(skipless, { users: 20, sessionsPerUser: 4, interactions: { played: 1 } });
    const failing = cli(skipless, '--check');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/FAIL skip\.within5s/);
    expect(failing.stderr).toMatch(/skip\.within5s.* out of range/);
    expect(cli().status).toBe(2);
    expect(
      execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'realism', '--help'], { cwd: ROOT, encoding: 'utf8' }),
    ).toMatch(/--check/);
  }, 120_000);
});
