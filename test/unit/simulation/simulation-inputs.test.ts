import { describe, expect, it } from 'vitest';
import { resolveGenerationInput, type GenerationInput } from '../../../src/config/generation-input';
import type { SimulatedEvent } from '../../../src/domain/listening-record';
import { ListenerMemory } from '../../../src/simulation/listener-memory';
import { SESSION_GAP_MS } from '../../../src/simulation/session-calendar';
import { simulateUser, simulationContext } from '../../../src/simulation/simulate-user';
import { PopulationModel } from '../../../src/simulation/user-profile';
import { artistWithSongs, unitSongs as songs } from '../../helpers/unit-catalog';

// The simulator does what the input asks for (model, travel, repeats, short sessions), at unit scale like
// seeded-streams.test.ts; both are the simulation-determinism mutation module's tests.

function setup(input: GenerationInput) {
  const params = resolveGenerationInput({ seed: 11, sessionsPerUser: 4, travelShare: 0.3, ...input }, 'unit');
  const population = new PopulationModel(params);
  return { params, population, context: () => simulationContext(params, songs, population) };
}

describe('ListenerMemory at its stamp limit', () => {
  const { index, artist: bigArtist, songs: bigArtistSongs } = artistWithSongs();

  it('clears its stamps when they wrap, so users after 2^32 - 1 still remember and forget as the first did', () => {
    const memory = new ListenerMemory(index);
    const [s0, s1] = bigArtistSongs;
    memory.record(s0, true); // the first user's stamp, 1, comes back after the wrap
    (memory as unknown as { stamp: number }).stamp = 0xfffffffe;
    memory.reset(); // reaches 0xffffffff: wraps to 1
    expect(memory.hasPlayed(s0)).toBe(false);
    expect(memory.knowsArtist(bigArtist)).toBe(false);
    memory.reset();
    memory.record(s1, true);
    expect(memory.hasPlayed(s1)).toBe(true);
    expect(memory.knowsArtist(bigArtist)).toBe(true);
    expect(memory.hasPlayed(s0)).toBe(false);
  });
});

describe('simulateUser: what the input asks for', () => {
  const eventsOfAll = (s: ReturnType<typeof setup>, users: number[]) => {
    const ctx = s.context();
    return users.map((u) => [...simulateUser(ctx, s.population.profile(u))]);
  };

  it('spreads users of the listening-volume model (no sessionsPerUser) over their active days, alike in any shard', () => {
    const model = setup({ users: 4, sessionsPerUser: null, from: '2025-03-01', to: '2025-03-14' });
    const together = eventsOfAll(model, [1, 2, 3, 4]);
    expect(eventsOfAll(model, [3])[0]).toEqual(together[2]);
    for (const events of together) {
      expect(events.length).toBeGreaterThan(0);
      for (const e of events) {
        expect(e.listening_time.start_time).toBeGreaterThanOrEqual(Date.UTC(2025, 2, 1) - 14 * 3_600_000);
        expect(e.listening_time.end_time).toBeLessThanOrEqual(Date.UTC(2025, 2, 15) + 14 * 3_600_000);
      }
    }
    const days = new Set(together.flat().map((e) => Math.floor(e.listening_time.start_time / 86_400_000)));
    expect(days.size).toBeGreaterThan(5);
  });

  it('keeps every session at home with travelShare 0, and sends some, not all, away with 0.3', () => {
    const place = (e: SimulatedEvent) => `${e.user_location.country}/${e.user_location.city}`;
    const home = setup({ users: 6, travelShare: 0, sessionsPerUser: 6 });
    for (const [i, events] of eventsOfAll(home, [1, 2, 3, 4, 5, 6]).entries()) {
      const profile = home.population.profile(i + 1);
      expect(new Set(events.map(place))).toEqual(new Set([`${profile.home.country}/${profile.home.city}`]));
    }
    const travel = setup({ users: 6, travelShare: 0.3, sessionsPerUser: 6 });
    let away = 0;
    let atHome = 0;
    for (const [i, events] of eventsOfAll(travel, [1, 2, 3, 4, 5, 6]).entries()) {
      const profile = travel.population.profile(i + 1);
      for (const e of events)
        if (place(e) === `${profile.home.country}/${profile.home.city}`) atHome++;
        else away++;
    }
    expect(away).toBeGreaterThan(0);
    expect(atHome).toBeGreaterThan(away);
  });

  it('repeats a song at most twice in a row even when repeats are nearly certain', () => {
    const loops = setup({ users: 3, interactions: { played: 1, repeated: 30 } });
    let twice = 0;
    for (const events of eventsOfAll(loops, [1, 2, 3])) {
      let inARow = 0;
      events.forEach((e, i) => {
        inARow = e.interaction === 'repeated' && events[i - 1]?.session === e.session ? inARow + 1 : 0;
        expect(inARow).toBeLessThanOrEqual(2);
        if (inARow === 2) twice++;
        if (e.interaction === 'repeated') expect(events[i - 1].song).toBe(e.song);
      });
    }
    expect(twice).toBeGreaterThan(5);
  });

  it('numbers only sessions with events, so the numbers follow from the gaps, also when short sessions have none', () => {
    const short = setup({ users: 8, sessionsPerUser: 20, sessionHours: [0.01, 0.03] });
    let gaps = 0;
    for (const events of eventsOfAll(short, [1, 2, 3, 4, 5, 6, 7, 8])) {
      events.forEach((e, i) => {
        if (i === 0) return expect(e.session).toBe(0);
        const gap = e.listening_time.start_time - events[i - 1].listening_time.end_time >= SESSION_GAP_MS;
        if (gap) gaps++;
        expect(e.session).toBe(events[i - 1].session! + (gap ? 1 : 0));
      });
    }
    expect(gaps).toBeGreaterThan(50);
  });
});
