import { cityLocation, type City } from './cities';
import { LocalTime } from '../domain/local-time';
import type { SimulationParams } from './simulation-params';
import { tendencies } from './behaviour';
import { SeededRandom } from './seeded-random';
import type { PopulationModel, UserProfile } from './user-profile';
import { CatalogIndex, type CatalogIndexParts } from './catalog-index';
import type { SongTable } from './song-table';
import { PlaybackMachine, sessionTraits } from './playback-context';
import { gapAfterMs, InteractionModel } from './interactions';
import { ListenerMemory } from './listener-memory';
import { simulatedEvent, type SimulatedEvent } from '../domain/listening-record';
import { SESSION_GAP_MS, SessionCalendar, type ActiveDays } from './session-calendar';
import { SessionStreams } from './session-streams';
import { poisson, userActivity } from './listening-volume';

export interface SimulationContext {
  params: SimulationParams;
  songs: SongTable;
  population: PopulationModel;
  index: CatalogIndex;
  memory: ListenerMemory;
  calendar: SessionCalendar;
  localTime: LocalTime;
}

const indexes = new WeakMap<SongTable, CatalogIndex>();

/** The catalog's indexes, once per catalog and thread: from `parts` when stored with the catalog, else built on first use. */
export function catalogIndex(songs: SongTable, parts?: CatalogIndexParts): CatalogIndex {
  let index = indexes.get(songs);
  if (!index) indexes.set(songs, (index = new CatalogIndex(songs, parts)));
  return index;
}

/** Everything a shard needs to simulate its users; the catalog indexes are built once per catalog and thread. */
export function simulationContext(params: SimulationParams, songs: SongTable, population: PopulationModel): SimulationContext {
  const index = catalogIndex(songs);
  return {
    params,
    songs,
    population,
    index,
    memory: new ListenerMemory(index),
    calendar: new SessionCalendar(params),
    localTime: new LocalTime(),
  };
}

interface PlannedSession {
  /** the session's middle, or its start in a dense period */
  at: number;
  place: City;
  /** the slot's length in a dense period (the session's length is at most 60% of it) */
  slot: number;
  /** events must end by then (the next slot, when sessions are dense) */
  hardEnd: number;
}

/** How many sessions the user has, and on which days: sessionsPerUser when given, else the listening-volume model. */
function sessionPlan(ctx: SimulationContext, user: UserProfile, rng: SeededRandom): { count: number; active?: ActiveDays } {
  const { params, calendar } = ctx;
  if (params.sessionsPerUser !== null) return { count: calendar.sessionCount(rng, params.sessionsPerUser) };
  const activity = userActivity(params.seed, user.userId, calendar.days);
  let count = 0;
  for (let d = 0; d < activity.activeDays; d++) count += 1 + poisson(rng, activity.extraSessions);
  return { count, active: calendar.activeDays(rng, activity.activeDays) };
}

/**
 * The user's sessions in time order: how many (sessionsPerUser, heavy-tailed, or the
 * listening-volume model's active days and sessions per active day), where (home, or
 * travelling with travelShare) and when (the hour x weekday table, local time, on one of
 * the user's active days, the drawn time being the session's middle). How long each lasts
 * is drawn when it starts, on its device.
 */
function planSessions(ctx: SimulationContext, user: UserProfile, rng: SeededRandom): PlannedSession[] {
  const { params, calendar, localTime } = ctx;
  const { count: n, active } = sessionPlan(ctx, user, rng);
  // a crowded period gives every user slots, however many sessions they have
  const dense = params.sessionsPerUser !== null && calendar.dense(Math.max(n, params.sessionsPerUser));
  const sessions: PlannedSession[] = [];
  const slot = (calendar.periodEnd - calendar.periodStart) / n;
  for (let i = 0; i < n; i++) {
    const place = params.travelShare > 0 && rng.chance(params.travelShare) ? ctx.population.travelCity(rng, user.home) : user.home;
    if (dense) {
      const slotStart = calendar.periodStart + i * slot;
      sessions.push({ at: slotStart, place, slot, hardEnd: Math.floor(slotStart + slot) });
    } else {
      sessions.push({ at: localTime.toUtc(place.timezone, calendar.drawLocalTime(rng, active)), place, slot: 0, hardEnd: Infinity });
    }
  }
  return dense ? sessions : sessions.sort((a, b) => a.at - b.at);
}

/**
 * All listening events of one user, session by session, in time order, from the
 * user's own random streams (seed, user id): the same user gives the same events
 * whatever shard or thread simulates it. Sessions never overlap: one starts at
 * least SESSION_GAP_MS after the previous one ended.
 */
export function* simulateUser(ctx: SimulationContext, user: UserProfile): Generator<SimulatedEvent> {
  const { params, songs, index, memory } = ctx;
  const planRng = new SeededRandom(params.seed, 'user-sessions', user.userId);
  const rng = new SeededRandom(params.seed, 'user-listening', user.userId);
  const tend = tendencies(user.personality, params.axisStrength);
  const interactions = new InteractionModel(params.interactions, tend);
  memory.reset();
  const sessions = planSessions(ctx, user, planRng);
  let previousEnd = -Infinity;
  // numbers only the sessions that have events (a short one may have none), so the
  // numbering can be recovered from the gaps between sessions (spotify-export)
  let session = 0;
  for (const plan of sessions) {
    let events = 0;
    const playback = sessionTraits(params.seed, user.userId, session);
    const device = playback.traits.device;
    let length = ctx.calendar.sessionLengthMs(planRng, device);
    let start: number;
    if (plan.slot > 0) {
      length = Math.min(length, plan.slot * 0.6);
      start = Math.floor(plan.at + planRng.next() * (plan.slot * 0.7 - length));
    } else start = plan.at - Math.floor(length / 2);
    let time = Math.max(start, previousEnd + SESSION_GAP_MS);
    const end = time + length;
    // the last event may run past the planned length, never past the longest session asked for
    const limit = Math.min(plan.hardEnd, time + ctx.calendar.maxSessionMs);
    const location = cityLocation(plan.place);
    const playYear = new Date(time).getUTCFullYear();
    const streams = new SessionStreams(
      songs,
      index,
      memory,
      tend,
      interactions,
      rng,
      playYear,
      new PlaybackMachine(playback.rng, playback.traits),
      time,
    );
    while (time < end) {
      const draw = streams.next();
      const stop = time + draw.ms;
      if (stop > limit) break;
      streams.played(draw);
      yield simulatedEvent(user, location, draw.interaction, draw.song, time, stop, session, streams.device);
      events++;
      previousEnd = stop;
      time = stop + gapAfterMs(draw.interaction, rng);
    }
    if (events > 0) session++;
  }
}
