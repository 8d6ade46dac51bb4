import { DAY_MS } from '../domain/time-units';

/**
 * The year's shape: relative listening by month (January first; docs/realism.md says where
 * each figure comes from). A mild curve: the darker months a little busier, December the
 * busiest with the holidays, late winter the quietest.
 */
export const MONTH_WEIGHTS: readonly number[] = [0.97, 0.94, 0.97, 0.98, 1.0, 0.99, 0.98, 0.98, 1.0, 1.01, 1.04, 1.1];

/** The holiday genre's share of streams on its peak days (Luminate: 13% of US on-demand audio in the peak week of 2023, 14.3% in 2020). */
export const HOLIDAY_PEAK_SHARE = 0.13;
/** ...and on the first of November, when listeners turn to it the day after Halloween (Luminate 2023: +70% day over day). */
const HOLIDAY_START_SHARE = 0.006;

/** Whether a catalog genre is the seasonal one (the synthetic catalog's "holiday"; sources may say "christmas"). */
export function isHolidayGenre(genre: string): boolean {
  return /holiday|christmas|xmas/i.test(genre);
}

/**
 * The holiday genre's share of streams on a UTC day: none until the end of October, then
 * rising exponentially from November 1 to its peak from December 18 to 25, falling to
 * nothing by December 31 and gone after (Luminate, "Happy Holidays", 2024; docs/realism.md).
 */
export function holidayShare(dayMs: number): number {
  const date = new Date(dayMs);
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  if (month === 10 || (month === 11 && day < 18)) {
    const start = Date.UTC(date.getUTCFullYear(), 10, 1);
    const peak = Date.UTC(date.getUTCFullYear(), 11, 18);
    const t = (dayMs - start) / (peak - start);
    return HOLIDAY_START_SHARE * Math.pow(HOLIDAY_PEAK_SHARE / HOLIDAY_START_SHARE, t);
  }
  if (month === 11 && day <= 25) return HOLIDAY_PEAK_SHARE;
  if (month === 11) return HOLIDAY_PEAK_SHARE * Math.pow(0.5, day - 25);
  return 0;
}

/** Days since the epoch of a time. */
export const epochDay = (ms: number): number => Math.floor(ms / DAY_MS);

/** The first Friday of a year, as days since the epoch. */
function firstFriday(year: number): number {
  const jan1 = epochDay(Date.UTC(year, 0, 1));
  // 1970-01-01 was a Thursday: day d is a Friday when (d - 1) % 7 === 0
  return jan1 + ((((1 - jan1) % 7) + 7) % 7);
}

/**
 * A release's date (days since the epoch): a Friday of its year, as releases come out on
 * Fridays (the global release day since 2015), picked by `hash` (any 32-bit number the
 * release gives, the same for all of its songs).
 */
export function releaseDayOf(year: number, hash: number): number {
  const first = firstFriday(year);
  const fridays = Math.floor((epochDay(Date.UTC(year, 11, 31)) - first) / 7) + 1;
  return first + 7 * ((hash >>> 0) % fridays);
}

/** A 32-bit mix of two integers (murmur3's finaliser over their combination). */
export function mix32(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
