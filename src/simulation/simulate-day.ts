import { cityLocation, type City } from './cities';
import { tendencies } from './behaviour';
import { SeededRandom } from './seeded-random';
import { PlaybackMachine, sessionTraits } from './playback-context';
import { gapAfterMs, InteractionModel } from './interactions';
import { simulatedEvent, type SimulatedEvent } from '../domain/listening-record';
import { monthWeightOf, SESSION_GAP_MS, WEEKDAY_WEIGHTS } from './session-calendar';
import { poisson } from './listening-volume';
import type { SimulationContext } from './simulate-user';
import { SessionStreams } from './session-streams';
import { DAY_MS } from '../domain/time-units';
import type { UserProfile } from './user-profile';
import { dayStartMs } from '../domain/days';
import { trimRotation, type WorldUserState } from './world-user-state';

const MEAN_DAY_WEIGHT = WEEKDAY_WEIGHTS.reduce((a, b) => a + b, 0) / WEEKDAY_WEIGHTS.length;

/** A user's activity level: a multiplier of the world's sessions per day, log-normal around 1, fixed for life. */
function activityLevel(seed: number, userId: number): number {
  const rng = new SeededRandom(seed, 'world-activity', userId);
  return Math.exp(rng.normal(-0.125, 0.5));
}

interface DaySession {
  /** the session's middle */
  at: number;
  place: City;
}

/**
 * The user's sessions of one UTC day: how many (their activity, the weekday), where and when.
 * A start is drawn in local wall-clock time on that date and, when the time zone moves it into
 * the UTC day before or after, shifted by one day so every session starts within the UTC day.
 */
function planDay(
  ctx: SimulationContext,
  user: UserProfile,
  activity: number,
  sessionsPerDay: number,
  rng: SeededRandom,
  dayStart: number,
): DaySession[] {
  const weekday = new Date(dayStart).getUTCDay();
  const count = poisson(rng, (sessionsPerDay * activity * WEEKDAY_WEIGHTS[weekday] * monthWeightOf(dayStart)) / MEAN_DAY_WEIGHT);
  const sessions: DaySession[] = [];
  for (let i = 0; i < count; i++) {
    const place = ctx.params.travelShare > 0 && rng.chance(ctx.params.travelShare) ? ctx.population.travelCity(rng, user.home) : user.home;
    // the drawn time is the session's middle (session-calendar)
    let at = ctx.localTime.toUtc(place.timezone, ctx.calendar.drawLocalTime(rng));
    if (at < dayStart) at += DAY_MS;
    else if (at >= dayStart + DAY_MS) at -= DAY_MS;
    sessions.push({ at, place });
  }
  return sessions.sort((a, b) => a.at - b.at);
}

/**
 * One user's events of one UTC day, continuing from `state` (which it updates to the end of
 * the day). Random streams come from (seed, user id, day) only, so a day's events do not
 * depend on how many days one command advanced. Every event starts and ends within the day:
 * sessions belong to the day they start in and are cut at midnight UTC (an event that would
 * end after midnight is not played, and the session ends there).
 * `ctx.calendar` must be the calendar of this one day; `ctx.memory` is reset here.
 */
export function* simulateUserDay(
  ctx: SimulationContext,
  user: UserProfile,
  state: WorldUserState,
  day: string,
  sessionsPerDay: number,
): Generator<SimulatedEvent> {
  const { params, songs, index, memory } = ctx;
  const dayStart = dayStartMs(day);
  const dayEnd = dayStart + DAY_MS;
  const planRng = new SeededRandom(params.seed, 'world-sessions', user.userId, day);
  const rng = new SeededRandom(params.seed, 'world-listening', user.userId, day);
  const tend = tendencies(user.personality, params.axisStrength);
  const interactions = new InteractionModel(params.interactions, tend);
  memory.reset();
  for (const song of state.played) memory.record(song, false);
  for (const song of state.rotation) memory.record(song, true);
  const playYear = new Date(dayStart).getUTCFullYear();
  for (const plan of planDay(ctx, user, activityLevel(params.seed, user.userId), sessionsPerDay, planRng, dayStart)) {
    const playback = sessionTraits(params.seed, user.userId, state.sessions);
    const device = playback.traits.device;
    const length = ctx.calendar.sessionLengthMs(planRng, device);
    // sessions start within the UTC day they belong to
    const start = Math.min(dayEnd - 1, Math.max(dayStart, plan.at - Math.floor(length / 2)));
    let time = Math.max(start, state.lastEnd + SESSION_GAP_MS);
    const end = time + length;
    const limit = Math.min(dayEnd, time + ctx.calendar.maxSessionMs);
    const location = cityLocation(plan.place);
    let events = 0;
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
      if (!memory.hasPlayed(draw.song)) state.played.push(draw.song);
      if (streams.played(draw)) state.rotation.push(draw.song);
      yield simulatedEvent(user, location, draw.interaction, draw.song, time, stop, state.sessions, streams.device);
      events++;
      state.lastEnd = stop;
      time = stop + gapAfterMs(draw.interaction, rng);
    }
    if (events > 0) state.sessions++;
  }
  trimRotation(state);
}
