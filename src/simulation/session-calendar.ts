import type { SimulationParams } from './simulation-params';
import { AliasTable } from './alias-table';
import type { SeededRandom } from './seeded-random';
import { dateToEpochMs, DAY_MS, HOUR_MS } from '../domain/time-units';
import { PARK_2019_HOUR_DOW } from './park-2019';
import { sessionStartWeights } from './start-time-weights';
import { MAX_SESSION_HOURS, modelledSessionMs, MODELLED_SESSION_SPAN } from './listening-volume';
import { MONTH_WEIGHTS } from './seasons';

/** Relative listening by weekday, Sunday first (as Date.getUTCDay): the published table's day totals. */
export const WEEKDAY_WEIGHTS: readonly number[] = [6, 0, 1, 2, 3, 4, 5].map((d) => PARK_2019_HOUR_DOW[d].reduce((a, b) => a + b, 0));

/** Minimum time between the end of one session and the start of the next. */
export const SESSION_GAP_MS = 30 * 60_000;

/** Spread of the per-user multiplier of an explicit sessionsPerUser (lognormal, mean 1): a few heavy listeners, many light ones. */
const ACTIVITY_SIGMA = 0.8;
/** No user has more than this many times sessionsPerUser sessions. */
const ACTIVITY_CAP = 8;
/** The quietest hour of the published table is 0 after its min-max scaling; keep it possible. */
const QUIETEST_WEIGHT = 0.01;

/** The UTC years the period's sessions can start in: its local days reach a day beyond it on either side in UTC. */
export function playYearsOf(period: Pick<SimulationParams, 'from' | 'to'>): number[] {
  const first = new Date(dateToEpochMs(period.from) - DAY_MS).getUTCFullYear();
  const last = new Date(dateToEpochMs(period.to) + 2 * DAY_MS - 1).getUTCFullYear();
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/**
 * When sessions happen, in local wall-clock time (a number of ms that reads as UTC),
 * over the requested period: the weekday and hour of the session's middle drawn together
 * so that its streams start like the published hour x weekday table of streaming
 * activity (Park et al. 2019; start-time-weights), a day of that weekday
 * within the period, a uniform minute. How many sessions a user has: heavy-tailed
 * around sessionsPerUser.
 */
export class SessionCalendar {
  readonly firstDay: number;
  readonly days: number;
  private readonly cells: AliasTable;
  /** the same weights, one table of 24 hours per weekday (Monday first) */
  private readonly hoursOfWeekday: AliasTable[];
  /** the days of the period by weekday, Monday first */
  private readonly daysByWeekday: number[][] = Array.from({ length: 7 }, () => []);
  /** the same days' weights by the month curve */
  private readonly dayWeightsByWeekday: number[][] = Array.from({ length: 7 }, () => []);
  /** the session lengths the hour x weekday weights are deconvolved for */
  readonly sessionSpan: readonly [number, number];

  constructor(readonly params: Pick<SimulationParams, 'from' | 'to' | 'sessionsPerUser' | 'sessionHours'>) {
    this.firstDay = dateToEpochMs(params.from);
    this.days = Math.round((dateToEpochMs(params.to) - this.firstDay) / DAY_MS) + 1;
    this.sessionSpan = params.sessionHours ?? MODELLED_SESSION_SPAN;
    const weights = sessionStartWeights(
      PARK_2019_HOUR_DOW.flat().map((v) => v + QUIETEST_WEIGHT),
      this.sessionSpan,
    );
    this.cells = new AliasTable(weights);
    this.hoursOfWeekday = Array.from({ length: 7 }, (_, d) => new AliasTable(weights.slice(d * 24, d * 24 + 24)));
    for (let d = 0; d < this.days; d++) {
      const day = this.firstDay + d * DAY_MS;
      const weekday = (new Date(day).getUTCDay() + 6) % 7;
      this.daysByWeekday[weekday].push(day);
      this.dayWeightsByWeekday[weekday].push(monthWeightOf(day));
    }
  }

  get periodStart(): number {
    return this.firstDay;
  }

  get periodEnd(): number {
    return this.firstDay + this.days * DAY_MS;
  }

  /** The longest a session may last. */
  get maxSessionMs(): number {
    return (this.params.sessionHours ? this.params.sessionHours[1] : MAX_SESSION_HOURS) * HOUR_MS;
  }

  /** Sessions drawn freely would crowd each other: then each gets its own slot of the period instead. */
  dense(sessions: number): boolean {
    return sessions * (this.sessionSpan[1] * HOUR_MS + SESSION_GAP_MS + HOUR_MS) > 0.5 * this.days * DAY_MS;
  }

  /** The number of sessions of one user: sessionsPerUser times a lognormal multiplier of mean 1. */
  sessionCount(rng: SeededRandom, sessionsPerUser: number): number {
    const n = sessionsPerUser;
    const multiplier = Math.exp(rng.normal(0, ACTIVITY_SIGMA) - (ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2);
    return Math.max(1, Math.min(ACTIVITY_CAP * n, Math.round(n * multiplier)));
  }

  /**
   * A local time (ms reading as UTC) drawn with the hour x weekday table: weekday and
   * hour together when the period holds every weekday, else a day of the period and an
   * hour of that weekday's row.
   */
  drawLocalTime(rng: SeededRandom, active?: ActiveDays): number {
    if (this.daysByWeekday.every((days) => days.length > 0)) {
      const cell = this.cells.draw(rng);
      const weekday = Math.floor(cell / 24);
      const own = active?.days[weekday];
      const day = own?.length ? own[rng.weightedIndex(active!.weights[weekday])] : this.dayOfWeekday(rng, weekday);
      return day + (cell % 24) * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
    }
    const day = this.firstDay + Math.floor(rng.next() * this.days) * DAY_MS;
    const hour = this.hoursOfWeekday[(new Date(day).getUTCDay() + 6) % 7].draw(rng);
    return day + hour * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
  }

  /** A day of the weekday (Monday 0), by the month curve. */
  private dayOfWeekday(rng: SeededRandom, weekday: number): number {
    const days = this.daysByWeekday[weekday];
    return days[rng.weightedIndex(this.dayWeightsByWeekday[weekday])];
  }

  /**
   * The `count` days of the period a user listens on, drawn without replacement by the
   * month curve (Efraimidis-Spirakis keys), by weekday (Monday first).
   */
  activeDays(rng: SeededRandom, count: number): ActiveDays {
    const keyed: { day: number; weight: number; key: number }[] = [];
    for (let d = 0; d < this.days; d++) {
      const day = this.firstDay + d * DAY_MS;
      const weight = monthWeightOf(day);
      keyed.push({ day, weight, key: Math.log(1 - rng.next()) / weight });
    }
    keyed.sort((a, b) => b.key - a.key || a.day - b.day);
    const days: number[][] = Array.from({ length: 7 }, () => []);
    const weights: number[][] = Array.from({ length: 7 }, () => []);
    for (const { day, weight } of keyed.slice(0, count)) {
      const weekday = (new Date(day).getUTCDay() + 6) % 7;
      days[weekday].push(day);
      weights[weekday].push(weight);
    }
    return { days, weights };
  }

  /** A session's length: uniform in sessionHours when given, else the modelled heavy-tailed length on `device`. */
  sessionLengthMs(rng: SeededRandom, device: string): number {
    if (!this.params.sessionHours) return modelledSessionMs(rng, device);
    const [lo, hi] = this.params.sessionHours;
    return Math.round(rng.uniform(lo, hi) * HOUR_MS);
  }
}

/** The days a user listens on, by weekday (Monday first), and their weights by the month curve. */
export interface ActiveDays {
  days: readonly (readonly number[])[];
  weights: readonly (readonly number[])[];
}

/** The month curve's weight of a day (ms at its UTC midnight). */
export function monthWeightOf(day: number): number {
  return MONTH_WEIGHTS[new Date(day).getUTCMonth()];
}
