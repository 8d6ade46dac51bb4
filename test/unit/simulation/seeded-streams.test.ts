import { describe, expect, it } from 'vitest';
import { resolveGenerationInput, type GenerationInput } from '../../../src/config/generation-input';
import { countsAsPlay, type SimulatedEvent } from '../../../src/domain/listening-record';
import { extraMsOf } from '../../../src/simulation/interactions';
import { ListenerMemory } from '../../../src/simulation/listener-memory';
import { PlaybackContextDeriver } from '../../../src/simulation/playback-context';
import { derivedBytes, SeededRandom } from '../../../src/simulation/seeded-random';
import { SESSION_GAP_MS, SessionCalendar } from '../../../src/simulation/session-calendar';
import { simulateUserDay } from '../../../src/simulation/simulate-day';
import { freshState, type WorldUserState } from '../../../src/simulation/world-user-state';
import { simulateUser, simulationContext } from '../../../src/simulation/simulate-user';
import { PopulationModel } from '../../../src/simulation/user-profile';
import { artistWithSongs, unitSongs as songs } from '../../helpers/unit-catalog';

// The simulator's promises at unit scale (no files, no runs): every random choice comes from a stream
// named by (seed, user[, day]), so a user's events are the same whatever else the process simulated.

function setup(input: GenerationInput) {
  const params = resolveGenerationInput({ seed: 11, sessionsPerUser: 4, travelShare: 0.3, ...input }, 'unit');
  const population = new PopulationModel(params);
  return { params, population, context: () => simulationContext(params, songs, population) };
}

const run = setup({ users: 12 });
/** a stream played to its end lasts the recording, to the millisecond */
const fullMs = (song: number) => songs.columns.lengthSeconds[song] * 1000 + extraMsOf(song);
const eventsOf = (ctx: ReturnType<typeof run.context>, userId: number) => [...simulateUser(ctx, run.population.profile(userId))];

describe('SeededRandom: a stream named by its parts', () => {
  it('is sfc32 seeded by the cyrb128 hash of the parts (values from an independent Python implementation)', () => {
    const r = new SeededRandom(11, 'user-listening', 3);
    expect([r.uint32(), r.uint32(), r.uint32(), r.uint32()]).toEqual([534783960, 229086488, 3999780393, 1105706640]);
    expect(derivedBytes([11, 'avro-sync', 'listening-history']).toString('hex')).toBe('a7e503710545d8febeb51f7d1476454d');
  });

  it('gives the same sequence for the same parts and another for other parts, their order or their split', () => {
    const first = (...parts: (string | number)[]) => {
      const r = new SeededRandom(...parts);
      return Array.from({ length: 8 }, () => r.uint32());
    };
    expect(first(11, 'user', 3)).toEqual(first(11, 'user', 3));
    expect(first(11, 'user', 3)).toEqual(first('11', 'user', '3'));
    const others = [first(12, 'user', 3), first(11, 'user', 4), first(3, 'user', 11), first(11, 'use', 'r3'), first(11, 'user', 3, 0)];
    for (const other of others) expect(other).not.toEqual(first(11, 'user', 3));
    expect(new Set(first(11, 'user', 3)).size).toBe(8);
  });

  it('draws integers in [min, max] both inclusive, uniforms in [min, max), and chances by their probability', () => {
    const rng = new SeededRandom('draws');
    const seen = new Set<number>();
    const wrong: unknown[] = [];
    let heads = 0;
    for (let i = 0; i < 4000; i++) {
      const k = rng.int(3, 6);
      if (!Number.isInteger(k) || k < 3 || k > 6) wrong.push(['int', k]);
      seen.add(k);
      const u = rng.uniform(2, 2.5);
      if (!(u >= 2 && u < 2.5)) wrong.push(['uniform', u]);
      const x = rng.next();
      if (!(x >= 0 && x < 1)) wrong.push(['next', x]);
      if (rng.chance(0.25)) heads++;
      if (rng.chance(0) || !rng.chance(1)) wrong.push(['chance', i]);
    }
    expect(wrong).toEqual([]);
    expect([...seen].sort()).toEqual([3, 4, 5, 6]);
    expect(heads / 4000).toBeGreaterThan(0.22);
    expect(heads / 4000).toBeLessThan(0.28);
  });

  it('picks every item, draws normals with their mean and spread, and weighted indexes by weight', () => {
    const rng = new SeededRandom('shapes');
    const items = ['a', 'b', 'c'];
    const picked = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const item = rng.pick(items);
      picked.set(item, (picked.get(item) ?? 0) + 1);
    }
    for (const n of picked.values()) expect(n).toBeGreaterThan(900);
    expect([...picked.keys()].sort()).toEqual(items);
    const normals = Array.from({ length: 20000 }, () => rng.normal(5, 2));
    const mean = normals.reduce((a, b) => a + b, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((a, b) => a + (b - mean) ** 2, 0) / normals.length);
    expect(Math.abs(mean - 5)).toBeLessThan(0.05);
    expect(Math.abs(sd - 2)).toBeLessThan(0.05);
    const standard = Array.from({ length: 20000 }, () => rng.normal());
    expect(Math.abs(standard.reduce((a, b) => a + b, 0) / standard.length)).toBeLessThan(0.03);
    expect(standard.some((x) => x < -2) && standard.some((x) => x > 2)).toBe(true);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) counts[rng.weightedIndex([1, 0, 3, 0])]++;
    expect(counts[1] + counts[3]).toBe(0);
    expect(counts[2] / counts[0]).toBeGreaterThan(2.6);
    expect(counts[2] / counts[0]).toBeLessThan(3.4);
    // rounding can leave r just above 0 after the last weight: the last index takes it
    expect(new SeededRandom('x').weightedIndex([0, 0])).toBe(1);
  });
});

describe('ListenerMemory: one user at a time', () => {
  const { index, artist: bigArtist, songs: bigArtistSongs } = artistWithSongs();

  it('marks songs and artists heard, builds affinity only from listens, and knows when an artist is exhausted', () => {
    const memory = new ListenerMemory(index);
    const [s0, s1, ...rest] = bigArtistSongs;
    expect(memory.hasPlayed(s0) || memory.knowsArtist(bigArtist)).toBe(false);
    memory.record(s0, false);
    expect(memory.hasPlayed(s0)).toBe(true);
    expect(memory.hasPlayed(s1)).toBe(false);
    expect(memory.knowsArtist(bigArtist)).toBe(true);
    expect(memory.knownArtists).toBe(1);
    expect(memory.listens).toBe(0);
    memory.record(s1, true);
    memory.record(s1, true);
    expect(memory.knownArtists).toBe(1);
    expect(memory.listens).toBe(2);
    expect(memory.exhausted(bigArtist)).toBe(false);
    for (const s of rest) memory.record(s, false);
    expect(memory.exhausted(bigArtist)).toBe(true);
    const rng = new SeededRandom('memory');
    // only the listened song comes back from the log and the rotation
    for (let i = 0; i < 50; i++) {
      expect(memory.randomListen(rng)).toBe(s1);
      expect(memory.replaySong(rng)).toBe(s1);
      expect(memory.randomKnownArtist(rng)).toBe(bigArtist);
    }
  });

  it('forgets everything on reset: the next user starts from nothing', () => {
    const memory = new ListenerMemory(index);
    const [s0, s1] = bigArtistSongs;
    memory.record(s0, true);
    memory.reset();
    expect(memory.hasPlayed(s0)).toBe(false);
    expect(memory.knowsArtist(bigArtist)).toBe(false);
    expect(memory.exhausted(bigArtist)).toBe(false);
    expect([memory.knownArtists, memory.listens]).toEqual([0, 0]);
    memory.record(s1, true);
    const rng = new SeededRandom('reset');
    for (let i = 0; i < 20; i++) expect(memory.replaySong(rng)).toBe(s1);
  });

  it('clears its stamps when they wrap, so a user after 2^32 users sees nothing of earlier ones', () => {
    const memory = new ListenerMemory(index);
    const [s0] = bigArtistSongs;
    (memory as unknown as { stamp: number }).stamp = 0xfffffffd;
    memory.record(s0, true);
    memory.reset(); // 0xfffffffe
    memory.reset(); // wraps to 1
    expect(memory.hasPlayed(s0)).toBe(false);
    expect(memory.knowsArtist(bigArtist)).toBe(false);
    // a user with the stamp the earlier one had (1 after the wrap) starts clean too
    (memory as unknown as { stamp: number }).stamp = 0xfffffffd;
    memory.record(s0, true);
    memory.reset();
    memory.reset();
    memory.record(bigArtistSongs[1], true);
    expect(memory.hasPlayed(s0)).toBe(false);
  });

  it('keeps every song, artist and listen past its first array sizes', () => {
    const memory = new ListenerMemory(index);
    for (let s = 0; s < songs.size; s++) memory.record(s, true);
    for (let s = 0; s < songs.size; s++) memory.record(s, true);
    expect(memory.listens).toBe(2 * songs.size);
    expect(memory.knownArtists).toBe(index.artistCount);
    for (let s = 0; s < songs.size; s++) expect(memory.hasPlayed(s)).toBe(true);
    const rng = new SeededRandom('grown');
    const artists = new Set(Array.from({ length: 5000 }, () => memory.randomKnownArtist(rng)));
    expect(artists.size).toBeGreaterThan(0.9 * index.artistCount);
    const listens = new Set(Array.from({ length: 5000 }, () => memory.randomListen(rng)));
    expect(Math.max(...listens)).toBeGreaterThan(songs.size - 50);
  });

  it('walks a popularity curve past the songs played, and again after more are played', () => {
    const memory = new ListenerMemory(index);
    const curve = index.yearView(2025).available;
    const at = (k: number) => curve.at(k);
    expect(memory.nextUnplayed(curve, 0)).toBe(0);
    for (const k of [0, 1, 2, 4]) memory.record(at(k), false);
    expect(memory.nextUnplayed(curve, 0)).toBe(3);
    expect(memory.nextUnplayed(curve, 4)).toBe(5);
    memory.record(at(3), false);
    memory.record(at(5), false);
    expect(memory.nextUnplayed(curve, 0)).toBe(6);
    expect(memory.nextUnplayed(curve, 1)).toBe(6);
    expect(memory.nextUnplayed(curve, 6)).toBe(6);
    for (let k = 0; k < curve.size; k++) memory.record(at(k), false);
    expect(memory.nextUnplayed(curve, 0)).toBe(curve.size);
    memory.reset();
    expect(memory.nextUnplayed(curve, 0)).toBe(0);
    memory.record(at(1), false);
    expect(memory.nextUnplayed(curve, 1)).toBe(2);
  });

  it('replays mostly from the current rotation, and the big acts of it most', () => {
    const memory = new ListenerMemory(index);
    // 200 songs listened to, the most popular first: the rotation (the last 40) is the least popular of them
    const rankOf = (s: number) => index.artistBestRank[index.artistOf[s]];
    const order = Array.from({ length: songs.size }, (_, s) => s)
      .sort((a, b) => rankOf(a) - rankOf(b))
      .slice(0, 200);
    for (const s of order) memory.record(s, true);
    const rotation = new Set(order.slice(-40));
    const rotationMedian = order.slice(-40).map(rankOf)[20];
    const rng = new SeededRandom('replays');
    let inRotation = 0;
    let bestHalf = 0;
    for (let i = 0; i < 2000; i++) {
      const s = memory.replaySong(rng);
      if (!rotation.has(s)) continue;
      inRotation++;
      if (rankOf(s) <= rotationMedian) bestHalf++;
    }
    // 80% from the rotation; the other 20% from all 200, where the best of 20 draws is nearly never in it
    expect(inRotation / 2000).toBeGreaterThan(0.76);
    expect(inRotation / 2000).toBeLessThan(0.84);
    // the best artist of 20 draws from the rotation's 40 songs lies in its better half
    expect(bestHalf / inRotation).toBeGreaterThan(0.95);
  });
});

describe('simulateUser: the same user gives the same events whatever else the shard simulated', () => {
  const allUsers = Array.from({ length: 12 }, (_, i) => i + 1);

  it('gives each user the same events in one shard of 12, in shards of 5, alone, and in reverse order', () => {
    const one = run.context();
    const whole = new Map(allUsers.map((u) => [u, eventsOf(one, u)]));
    for (const size of [1, 5]) {
      for (let first = 0; first < allUsers.length; first += size) {
        const shard = run.context();
        for (const u of allUsers.slice(first, first + size)) expect(eventsOf(shard, u)).toEqual(whole.get(u));
      }
    }
    const reversed = run.context();
    for (const u of [...allUsers].reverse()) expect(eventsOf(reversed, u)).toEqual(whole.get(u));
    // and they are real, different histories
    expect(whole.get(1)!.length).toBeGreaterThan(10);
    expect(whole.get(1)!.map((e) => e.song)).not.toEqual(whole.get(2)!.map((e) => e.song));
  });

  it('gives another seed other events, and the same seed the same events from a fresh population', () => {
    const other = setup({ users: 12, seed: 12 });
    const mine = eventsOf(run.context(), 3);
    expect([...simulateUser(other.context(), other.population.profile(3))]).not.toEqual(mine);
    const again = setup({ users: 12 });
    expect([...simulateUser(again.context(), again.population.profile(3))]).toEqual(mine);
  });

  it('keeps sessions apart by the gap, events in order and within the period, numbered from 0 up', () => {
    const ctx = run.context();
    for (const u of allUsers) {
      const events = eventsOf(ctx, u);
      events.forEach((e, i) => {
        const { start_time: start, end_time: end } = e.listening_time;
        expect(end).toBeGreaterThan(start);
        expect(start).toBeGreaterThanOrEqual(Date.UTC(2025, 0, 1) - 12 * 3_600_000);
        if (i === 0) return expect(e.session).toBe(0);
        const before = events[i - 1];
        const gap = start - before.listening_time.end_time;
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(e.session).toBe(before.session! + (gap >= SESSION_GAP_MS ? 1 : 0));
        if (e.session === before.session) expect(e.device).toBe(before.device);
      });
    }
  });

  it('repeats only a song played to its end, at most twice in a row, and replays the song the back button left', () => {
    const ctx = run.context();
    let repeated = 0;
    let backs = 0;
    for (const u of allUsers) {
      const events = eventsOf(ctx, u);
      const reasons = new PlaybackContextDeriver(run.params.seed);
      let inARow = 0;
      events.forEach((e, i) => {
        const reason = reasons.next({ user_id: e.user_id, interaction: e.interaction }, e.session!);
        const before = events[i - 1];
        const sameSession = before?.session === e.session;
        if (e.interaction === 'repeated') {
          repeated++;
          expect(sameSession).toBe(true);
          expect(e.song).toBe(before.song);
          expect(before.listening_time.end_time - before.listening_time.start_time).toBe(fullMs(e.song));
          inARow++;
          expect(inARow).toBeLessThanOrEqual(2);
        } else inARow = 0;
        if (sameSession && reason.reason_start === 'backbtn') {
          backs++;
          expect(e.song).toBe(before.song);
        }
      });
    }
    expect(repeated).toBeGreaterThan(5);
    expect(backs).toBeGreaterThan(0);
  });

  it('lasts each stream its interaction: a full play for all but skips and pauses', () => {
    const ctx = run.context();
    for (const u of allUsers) {
      for (const e of eventsOf(ctx, u)) {
        const ms = e.listening_time.end_time - e.listening_time.start_time;
        const full = fullMs(e.song);
        if (countsAsPlay(e.interaction) && e.interaction !== 'paused') expect(ms).toBe(full);
        else expect(ms).toBeLessThan(full);
      }
    }
  });

  it('keeps every session of a crowded one-day period within the day, one after the other', () => {
    const crowded = setup({ users: 3, sessionsPerUser: 8, from: '2025-03-01', to: '2025-03-01', sessionHours: [0.5, 2] });
    const ctx = crowded.context();
    const day = Date.UTC(2025, 2, 1);
    for (const u of [1, 2, 3]) {
      const events = [...simulateUser(ctx, crowded.population.profile(u))];
      expect(new Set(events.map((e) => e.session)).size).toBeGreaterThan(2);
      events.forEach((e, i) => {
        expect(e.listening_time.start_time).toBeGreaterThanOrEqual(day);
        expect(e.listening_time.end_time).toBeLessThanOrEqual(day + 86_400_000);
        if (i > 0) expect(e.listening_time.start_time).toBeGreaterThanOrEqual(events[i - 1].listening_time.end_time);
      });
    }
  });

  it('ends each session within its longest allowed length', () => {
    const short = setup({ users: 6, sessionsPerUser: 10, sessionHours: [0.1, 0.3] });
    const ctx = short.context();
    for (const u of [1, 2, 3, 4, 5, 6]) {
      const events = [...simulateUser(ctx, short.population.profile(u))];
      const firstOf = new Map<number, number>();
      for (const e of events) {
        if (!firstOf.has(e.session!)) firstOf.set(e.session!, e.listening_time.start_time);
        expect(e.listening_time.end_time - firstOf.get(e.session!)!).toBeLessThanOrEqual(0.3 * 3_600_000);
      }
    }
  });
});

describe('simulateUserDay: a world day from streams of (seed, user, day) and the user state', () => {
  const world = setup({ users: 8, sessionsPerUser: null });
  /** a day's context as the world's day job makes it: a calendar of that day alone */
  const dayContext = (day: string) => {
    const params = { ...world.params, from: day, to: day };
    return {
      ...simulationContext(params, songs, new PopulationModel(params)),
      calendar: new SessionCalendar({ ...params, sessionsPerUser: 1 }),
    };
  };
  const DAYS = ['2025-06-02', '2025-06-03', '2025-06-04'];
  const SESSIONS_PER_DAY = 3;
  /** each user's events per day and end state, the users simulated in `order` in one context per day */
  const advance = (order: number[], days = DAYS) => {
    const states = new Map(order.map((u) => [u, freshState(u)]));
    const events = new Map<string, SimulatedEvent[]>();
    for (const day of days) {
      const ctx = dayContext(day);
      for (const u of order)
        events.set(`${u}/${day}`, [...simulateUserDay(ctx, world.population.profile(u), states.get(u)!, day, SESSIONS_PER_DAY)]);
    }
    return { states, events };
  };
  const users = [1, 2, 3, 4, 5, 6, 7, 8];
  const base = advance(users);

  it('gives each user the same days and end state alone, after others, or in another order', () => {
    for (const order of [[...users].reverse(), [5], [2, 7]]) {
      const other = advance(order);
      for (const u of order) {
        expect(other.states.get(u)).toEqual(base.states.get(u));
        for (const day of DAYS) expect(other.events.get(`${u}/${day}`)).toEqual(base.events.get(`${u}/${day}`));
      }
    }
  });

  it('draws another day from other streams, and the same day from the same state alike', () => {
    const day = DAYS[1];
    const stateAfterFirst = advance([4], DAYS.slice(0, 1)).states.get(4)!;
    const copy = (s: WorldUserState): WorldUserState => structuredClone(s);
    const once = [...simulateUserDay(dayContext(day), world.population.profile(4), copy(stateAfterFirst), day, SESSIONS_PER_DAY)];
    const twice = [...simulateUserDay(dayContext(day), world.population.profile(4), copy(stateAfterFirst), day, SESSIONS_PER_DAY)];
    expect(twice).toEqual(once);
    expect(once).toEqual(base.events.get(`4/${day}`));
    const otherDay = [
      ...simulateUserDay(dayContext(DAYS[2]), world.population.profile(4), copy(stateAfterFirst), DAYS[2], SESSIONS_PER_DAY),
    ];
    expect(otherDay.map((e) => e.song)).not.toEqual(once.map((e) => e.song));
  });

  it("keeps each day's events within its UTC day, sessions apart and counted on from the state", () => {
    let all = 0;
    for (const u of users) {
      const days = DAYS.map((day) => base.events.get(`${u}/${day}`)!);
      const events = days.flat();
      all += events.length;
      days.forEach((list, d) => {
        const start = Date.UTC(2025, 5, 2 + d);
        for (const e of list) {
          expect(e.listening_time.start_time).toBeGreaterThanOrEqual(start);
          expect(e.listening_time.end_time).toBeLessThanOrEqual(start + 86_400_000);
        }
      });
      events.forEach((e, i) => {
        if (i === 0) return expect(e.session).toBe(0);
        const gap = e.listening_time.start_time - events[i - 1].listening_time.end_time;
        expect(gap).toBeGreaterThanOrEqual(0);
        expect(e.session).toBe(events[i - 1].session! + (gap >= SESSION_GAP_MS ? 1 : 0));
      });
      const state = base.states.get(u)!;
      expect(state.sessions).toBe(events.length ? events.at(-1)!.session! + 1 : 0);
      if (events.length) expect(state.lastEnd).toBe(events.at(-1)!.listening_time.end_time);
    }
    expect(all).toBeGreaterThan(100);
  });

  it('remembers across days every song played once, in first-play order, and the full plays in the rotation', () => {
    for (const u of users) {
      const events = DAYS.flatMap((day) => base.events.get(`${u}/${day}`)!);
      const state = base.states.get(u)!;
      expect(state.played).toEqual([...new Set(events.map((e) => e.song))]);
      const index = simulationContext(world.params, songs, world.population).index;
      expect(state.rotation).toEqual(events.filter((e) => countsAsPlay(e.interaction) && index.isHoliday[e.song] === 0).map((e) => e.song));
    }
  });
});
