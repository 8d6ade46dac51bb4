import { deviceClass, type DeviceClass } from './devices';
import { SeededRandom } from './seeded-random';
import { HOUR_MS, MINUTE_MS } from '../domain/time-units';

/**
 * How much a user listens in a year when the input does not fix sessionsPerUser: an
 * activity level per user (lognormal, heavy-tailed: many light listeners, a few very
 * heavy ones) sets how many of the period's days they listen on and how many sessions
 * an active day holds; sessions last a heavy-tailed (lognormal) time, shorter on mobile.
 * Calibrated so that the mean user listens ~20-25 hours a month (docs/realism.md).
 */

/** spread of the activity level across users (lognormal sigma; median 1) */
const ACTIVITY_SIGMA = 0.9;
/** share of the period's days the median user listens on */
const MEDIAN_ACTIVE_SHARE = 0.35;
/** active share = MEDIAN_ACTIVE_SHARE x level ^ this, at most MAX_ACTIVE_SHARE */
const ACTIVE_SHARE_ELASTICITY = 0.6;
const MAX_ACTIVE_SHARE = 0.97;
/** sessions on an active day: 1 + Poisson(this x level ^ SESSIONS_ELASTICITY) */
const MEDIAN_EXTRA_SESSIONS = 1.2;
const SESSIONS_ELASTICITY = 0.4;
const MAX_EXTRA_SESSIONS = 8;

/** median session length and its lognormal sigma: many short sessions, a few very long ones */
const MEDIAN_SESSION_MS = 20 * MINUTE_MS;
const SESSION_SIGMA = 1.1;
const MIN_SESSION_MS = 30_000;
/** no modelled session lasts longer */
export const MAX_SESSION_HOURS = 8;
/** session length by device class, relative to the median: mobile sessions shorter, desktop ones longer */
const SESSION_LENGTH_FACTOR: Record<DeviceClass, number> = { mobile: 0.8, desktop: 1.5, other: 1.2 };
/**
 * The session lengths the modelled calendar deconvolves the hour x weekday table with: a
 * uniform [min, max] hours whose length-weighted spread is close to the lognormal's.
 */
export const MODELLED_SESSION_SPAN: [number, number] = [0.1, 2];

export interface UserActivity {
  /** the user's activity level, median 1 */
  level: number;
  /** days of the period the user listens on */
  activeDays: number;
  /** sessions on one active day: 1 + Poisson(extraSessions) */
  extraSessions: number;
}

/** A user's activity over a period of `periodDays` days, from the user's own stream. */
export function userActivity(seed: number, userId: number, periodDays: number): UserActivity {
  const rng = new SeededRandom(seed, 'user-activity', userId);
  const level = Math.exp(rng.normal(0, ACTIVITY_SIGMA));
  const share = Math.min(MAX_ACTIVE_SHARE, MEDIAN_ACTIVE_SHARE * Math.pow(level, ACTIVE_SHARE_ELASTICITY));
  const activeDays = Math.max(1, Math.min(periodDays, Math.round(share * periodDays)));
  const extraSessions = Math.min(MAX_EXTRA_SESSIONS, MEDIAN_EXTRA_SESSIONS * Math.pow(level, SESSIONS_ELASTICITY));
  return { level, activeDays, extraSessions };
}

/** Poisson draw (Knuth); the means here are a few sessions a day. */
export function poisson(rng: SeededRandom, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** A modelled session's length on `device`, in ms: lognormal, between 30 s and MAX_SESSION_HOURS. */
export function modelledSessionMs(rng: SeededRandom, device: string): number {
  const ms = MEDIAN_SESSION_MS * SESSION_LENGTH_FACTOR[deviceClass(device)] * Math.exp(rng.normal(0, SESSION_SIGMA));
  return Math.round(Math.min(MAX_SESSION_HOURS * HOUR_MS, Math.max(MIN_SESSION_MS, ms)));
}
