import { dateToEpochMs, DAY_MS } from './time-units';

/** Epoch ms of 00:00 UTC of a YYYY-MM-DD day (the day must be valid). */
export function dayStartMs(day: string): number {
  const ms = dateToEpochMs(day);
  if (Number.isNaN(ms)) throw new Error(`not a date YYYY-MM-DD: ${JSON.stringify(day)}`);
  return ms;
}

export function addDays(day: string, n: number): string {
  return new Date(dayStartMs(day) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dayStartMs(to) - dayStartMs(from)) / DAY_MS);
}

/** The partition folder name of a day, Hive style. */
export function partitionName(day: string): string {
  return `dt=${day}`;
}
