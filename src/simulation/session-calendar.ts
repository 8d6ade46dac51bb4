import type { SimulationParams } from './simulation-params';
import { AliasTable } from './alias-table';
import type { SeededRandom } from './seeded-random';
import { dateToEpochMs, DAY_MS, HOUR_MS } from '../domain/time-units';


/** Relative listening by local hour 0..23: night trough, commute bumps, evening peak. */
export const WEEKDAY_HOURS = [3, 1.8, 1, 0.6, 0.5, 0.8, 2.2, 4.5, 5.5, 4.2, 3.6, 3.6, 4.2, 4, 3.6, 3.8, 4.5, 5.8, 6.5, 7.5, 8.5, 8.5, 7, 5];
/** Weekends start later and stay up later. */
export const WEEKEND_HOURS = [4.5, 3, 1.8, 1, 0.6, 0.5, 0.7, 1.2, 2.2, 3.5, 4.5, 5, 5.2, 5.2, 5, 5, 5.2, 5.8, 6.5, 7.5, 8.5, 8.5, 7.5, 6];
/** Relative listening by weekday, Sunday first (as Date.getUTCDay). */
export const WEEKDAY_WEIGHTS = [0.95, 0.9, 0.95, 0.95, 1, 1.15, 1.1];

/** Minimum time between the end of one session and the start of the next. */
export const SESSION_GAP_MS = 30 * 60_000;

/**
 * When sessions start, in local wall-clock time (a number of ms that reads as UTC),
 * over the requested period: a day drawn with the weekly pattern, an hour drawn with
 * the daily curve of weekdays or weekends, a uniform minute.
 */
export class SessionCalendar {
  readonly firstDay: number;
  readonly days: number;
  readonly dense: boolean;
  private readonly weekday = new AliasTable(WEEKDAY_HOURS);
  private readonly weekend = new AliasTable(WEEKEND_HOURS);
  private readonly maxDayWeight = Math.max(...WEEKDAY_WEIGHTS);

  constructor(readonly params: Pick<SimulationParams, 'from' | 'to' | 'sessionsPerUser' | 'sessionHours'>) {
    this.firstDay = dateToEpochMs(params.from);
    this.days = Math.round((dateToEpochMs(params.to) - this.firstDay) / DAY_MS) + 1;
    // Sessions drawn freely would crowd each other: give each its own slot of the period instead.
    this.dense = params.sessionsPerUser * (params.sessionHours[1] * HOUR_MS + SESSION_GAP_MS + HOUR_MS) > 0.5 * this.days * DAY_MS;
  }

  get periodStart(): number {
    return this.firstDay;
  }

  get periodEnd(): number {
    return this.firstDay + this.days * DAY_MS;
  }

  /** A local start time (ms reading as UTC) drawn with the weekly and daily curves. */
  drawLocalStart(rng: SeededRandom): number {
    let day: number;
    do day = this.firstDay + Math.floor(rng.next() * this.days) * DAY_MS;
    while (!rng.chance(WEEKDAY_WEIGHTS[new Date(day).getUTCDay()] / this.maxDayWeight));
    const weekDay = new Date(day).getUTCDay();
    const hour = (weekDay === 0 || weekDay === 6 ? this.weekend : this.weekday).draw(rng);
    return day + hour * HOUR_MS + Math.floor(rng.next() * HOUR_MS);
  }

  sessionLengthMs(rng: SeededRandom): number {
    const [lo, hi] = this.params.sessionHours;
    return Math.round(rng.uniform(lo, hi) * HOUR_MS);
  }
}
