import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileRun, type RunProfile } from '../../../src/analytics/profile/run-profile';
import { cities } from '../../../src/simulation/cities';
import { RunLayout } from '../../../src/pipeline/run-layout';
import { dateToEpochMs } from '../../../src/domain/time-units';
import { INTERACTIONS } from '../../../src/domain/listening-record';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import { SESSION_GAP_MS } from '../../../src/simulation/session-calendar';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { readUsersOfShard } from '../../../src/pipeline/users-file';
import { readRun } from '../../helpers/read-run';
import { makeTmpDir } from '../../helpers/tmp-dir';

const ROOT = path.resolve(__dirname, '../../..');

describe('a 200-user run: the personality can be told from behaviour alone', () => {
  const tmp = makeTmpDir();
  const runDir = path.join(tmp.dir, 'run');
  let profile: RunProfile;
  let records: ListeningRecord[];

  beforeAll(async () => {
    await runInProcess(runDir, {
      users: 200,
      sessionsPerUser: 10,
      sessionHours: [0.5, 2],
      shardSize: 100,
      seed: 2025,
      catalog: ['synthetic:2000'],
    });
    profile = await profileRun(runDir);
    records = (await readRun(runDir)).records;
  });
  afterAll(() => tmp.cleanup());

  it('infers each axis for at least 90% of the users, and most whole types', () => {
    expect(profile.users).toBe(200);
    expect(profile.reference).toBe('catalog');
    for (const axis of ['FE', 'TN', 'LV', 'CU'] as const) expect(profile.accuracy[axis], axis).toBeGreaterThanOrEqual(0.9);
    expect(profile.accuracy.type).toBeGreaterThanOrEqual(0.8);
    const diagonal = Object.entries(profile.confusion).reduce((n, [assigned, row]) => n + (row[assigned] ?? 0), 0);
    expect(diagonal / profile.users).toBeCloseTo(profile.accuracy.type, 10);
    expect(profile.meanScoreByPole.LV.Loyalty).toBeGreaterThan(0.5);
    expect(profile.meanScoreByPole.LV.Variety).toBeLessThan(-0.5);
  });

  it('profiles interactions, hours, sessions and travel as generated', () => {
    expect(profile.records).toBe(records.length);
    expect(Object.keys(profile.interactions).sort()).toEqual([...INTERACTIONS].sort());
    expect(profile.skipRate).toBeGreaterThan(0.35);
    expect(profile.skipRate).toBeLessThan(0.5);
    const hour = (h: number[]) => h.reduce((s, x) => s + profile.localHourCurve[x], 0) / h.length;
    expect(hour([19, 20, 21, 22])).toBeGreaterThan(4 * hour([3, 4, 5]));
    // heavy-tailed sessions per user, 10 on average
    expect(profile.sessions.count).toBeGreaterThan(200 * 10 * 0.85);
    expect(profile.sessions.count).toBeLessThan(200 * 10 * 1.15);
    expect(profile.sessions.p10Minutes).toBeGreaterThanOrEqual(25);
    expect(profile.sessions.p90Minutes).toBeLessThanOrEqual(2 * 60);
    expect(profile.sessions.maxMinutes).toBeLessThanOrEqual(2 * 60);
    expect(profile.travelShare).toBeGreaterThan(0.005);
    expect(profile.travelShare).toBeLessThan(0.05);
  });

  it('writes events that agree with the songs, the places and the calendar', () => {
    const songLength = (r: ListeningRecord) => r.length_seconds * 1000;
    const from = dateToEpochMs('2025-01-01');
    const to = dateToEpochMs('2026-01-01');
    const knownPlaces = new Set(cities().map((c) => `${c.country}|${c.city}|${c.timezone}`));
    const layout = new RunLayout(runDir);
    const homes = new Map(
      [0, 1].flatMap((s) => readUsersOfShard(layout.usersPath, layout.usersOffsetsPath, s)).map((u) => [u.userId, u.home]),
    );
    let previous: ListeningRecord | undefined;
    let sessionsAway = 0;
    for (const r of records) {
      const { start_time: start, end_time: end } = r.listening_time;
      const listened = end - start;
      if (r.interaction === 'skipped' || r.interaction === 'paused') expect(listened).toBeLessThan(songLength(r));
      else {
        // the whole song: its whole seconds and the recording's milliseconds beyond them
        expect(listened).toBeGreaterThanOrEqual(songLength(r));
        expect(listened).toBeLessThan(songLength(r) + 1000);
      }
      if (r.interaction === 'repeated') {
        expect(previous?.user_id).toBe(r.user_id);
        expect([previous!.artist, previous!.song_name, previous!.listening_time.end_time - previous!.listening_time.start_time]).toEqual([
          r.artist,
          r.song_name,
          listened,
        ]);
      }
      expect(listened).toBeGreaterThan(0);
      expect(start).toBeGreaterThanOrEqual(from - 14 * 3_600_000);
      expect(start).toBeLessThan(to + 14 * 3_600_000);
      expect(r.year).toBeLessThanOrEqual(new Date(start).getUTCFullYear());
      const loc = r.user_location;
      expect(knownPlaces.has(`${loc.country}|${loc.city}|${loc.timezone}`)).toBe(true);
      if (previous?.user_id === r.user_id) {
        expect(start).toBeGreaterThanOrEqual(previous.listening_time.end_time);
        const gap = start - previous.listening_time.end_time;
        const newSession = gap >= SESSION_GAP_MS;
        expect(gap < 11 * 60_000 || newSession).toBe(true);
        if (newSession && loc.city !== homes.get(r.user_id)!.city) sessionsAway++;
      }
      previous = r;
    }
    expect(sessionsAway).toBeGreaterThan(0);
  }, 120_000);

  it('prints the profile from the CLI, as text and as one JSON line', () => {
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'profile', ...args], { cwd: ROOT, encoding: 'utf8' });
    const json = cli(runDir, '--json');
    expect(json.trim().split('\n')).toHaveLength(1);
    const parsed = JSON.parse(json) as RunProfile;
    expect(parsed.accuracy).toEqual(profile.accuracy);
    expect(parsed.perUser).toHaveLength(200);
    const text = cli(runDir);
    expect(text).toMatch(/FE +\d+\.\d%/);
    expect(text).toMatch(/whole type/);
    expect(text).toMatch(/skip rate/);
  }, 60_000);
});
