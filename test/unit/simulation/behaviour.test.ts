import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { profileRun } from '../../../src/analytics/profile/run-profile';
import { InputError } from '../../../src/domain/errors';
import { resolveGenerationInput } from '../../../src/config/generation-input';
import { personalityByName } from '../../../src/domain/personality';
import { runInProcess } from '../../../src/pipeline/in-process-run';
import type { ListeningRecord } from '../../../src/domain/listening-record';
import { readRun } from '../../helpers/read-run';
import { makeTmpDir } from '../../helpers/tmp-dir';

const BASE = { sessionsPerUser: 6, shardSize: 50, catalog: ['synthetic:1500'] };

describe('simulation parameters drive behaviour', () => {
  const tmp = makeTmpDir();
  afterAll(() => tmp.cleanup());
  let n = 0;
  const run = async (input: object) => {
    const dir = path.join(tmp.dir, `run-${n++}`);
    await runInProcess(dir, { ...BASE, ...input });
    return { dir, records: (await readRun(dir)).records };
  };

  it('restricts and weights home countries; places carry their own timezone', async () => {
    const { records } = await run({ users: 60, countries: { SE: 3, NO: 1 }, travelShare: 0 });
    const countries = new Map<string, number>();
    const cityOfUser = new Map<number, Set<string>>();
    for (const r of records) {
      countries.set(r.user_location.country, (countries.get(r.user_location.country) ?? 0) + 1);
      if (!cityOfUser.has(r.user_id)) cityOfUser.set(r.user_id, new Set());
      cityOfUser.get(r.user_id)!.add(r.user_location.city);
      expect(r.user_location.timezone).toBe(r.user_location.country === 'SE' ? 'Europe/Stockholm' : 'Europe/Oslo');
    }
    expect([...countries.keys()].sort()).toEqual(['NO', 'SE']);
    expect(countries.get('SE')!).toBeGreaterThan(countries.get('NO')!);
    for (const cities of cityOfUser.values()) expect(cities.size).toBe(1);
  });

  it('sends the travel share of sessions away from home', async () => {
    const { dir } = await run({ users: 40, travelShare: 0.5 });
    const profile = await profileRun(dir);
    expect(profile.travelShare).toBeGreaterThan(0.35);
    expect(profile.travelShare).toBeLessThan(0.65);
  });

  it('draws personalities by the given weights', async () => {
    const { records } = await run({ users: 20, personalities: { 'The replayer': 1 } });
    expect(new Set(records.map((r) => r.personality))).toEqual(new Set(['The replayer']));
  });

  it('uses the configured interaction weights, personality factors on top', async () => {
    const { records } = await run({ users: 20, interactions: { played: 3, skipped: 1 } });
    expect(new Set(records.map((r) => r.interaction))).toEqual(new Set(['played', 'skipped']));
    const err = (() => {
      try {
        resolveGenerationInput({ interactions: { liked: 1 } }, 'w');
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toMatch(/interactions\.liked: unknown interaction; known: played, paused, skipped, repeated, added_to_playlist/);
  });

  it('makes Loyalty repeat more and Exploration skip more', async () => {
    const { records } = await run({ users: 120 });
    const share = (keep: (r: ListeningRecord) => boolean, interaction: string) => {
      const mine = records.filter(keep);
      return mine.filter((r) => r.interaction === interaction).length / mine.length;
    };
    const pole = (axis: 'FE' | 'LV', sign: 1 | -1) => (r: ListeningRecord) => personalityByName(r.personality)!.poles[axis] === sign;
    expect(share(pole('LV', 1), 'repeated')).toBeGreaterThan(1.5 * share(pole('LV', -1), 'repeated'));
    expect(share(pole('FE', -1), 'skipped')).toBeGreaterThan(1.3 * share(pole('FE', 1), 'skipped'));
  });

  it('loses the signal when every axis strength is 0', async () => {
    const { dir } = await run({ users: 200, sessionsPerUser: 4, axisStrength: { familiarity: 0, newness: 0, loyalty: 0, commonality: 0 } });
    const profile = await profileRun(dir);
    for (const axis of ['FE', 'TN', 'LV', 'CU'] as const) expect(profile.accuracy[axis], axis).toBeLessThan(0.75);
  });

  it('keeps sessions apart and within their slots when they crowd the period', async () => {
    const { records } = await run({ users: 5, sessionsPerUser: 8, from: '2025-03-01', to: '2025-03-01', sessionHours: [0.5, 2] });
    const day = Date.UTC(2025, 2, 1);
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      expect(r.listening_time.start_time).toBeGreaterThanOrEqual(day);
      expect(r.listening_time.end_time).toBeLessThanOrEqual(day + 86_400_000);
      if (i > 0 && records[i - 1].user_id === r.user_id)
        expect(r.listening_time.start_time).toBeGreaterThanOrEqual(records[i - 1].listening_time.end_time);
    }
    expect(new Set(records.map((r) => r.user_id)).size).toBe(5);
  });
});
