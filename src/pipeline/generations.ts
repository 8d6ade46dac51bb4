import * as fs from 'node:fs';
import * as path from 'node:path';
import { DAY_MS } from '../domain/time-units';

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** When a scheduled generation's folder name <schedule>-YYYYMMDDTHHMMSSZ says it was scheduled, or undefined for other folders. */
export function scheduledTimeOf(folder: string, schedule: string): Date | undefined {
  if (!folder.startsWith(`${schedule}-`)) return undefined;
  const m = STAMP.exec(folder.slice(schedule.length + 1));
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/** The schedule's generation folders under `parent` scheduled more than keepDays before `now`. */
export function prunableGenerations(parent: string, schedule: string, now: Date, keepDays: number): string[] {
  if (!fs.existsSync(parent)) return [];
  const cutoff = now.getTime() - keepDays * DAY_MS;
  return fs
    .readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .filter((d) => {
      const at = scheduledTimeOf(d.name, schedule);
      return at !== undefined && at.getTime() < cutoff;
    })
    .map((d) => path.join(parent, d.name))
    .sort();
}
