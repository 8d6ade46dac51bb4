import * as fs from 'node:fs';
import * as path from 'node:path';
import { isWithin } from '../runtime/data-root';
import { scheduledTimeOf } from '../config/generation-input';
import { DAY_MS } from '../domain/time-units';
import { RunLayout } from './run-layout';

export { scheduledTimeOf } from '../config/generation-input';

/**
 * The schedule's complete generations (real folders with a manifest, no symbolic
 * links) under `parent` scheduled strictly more than keepDays before `runAt`, never
 * `runAt` itself nor anything dated after it, nor after `now`.
 */
export function prunableGenerations(parent: string, schedule: string, runAt: Date, keepDays: number, now = Date.now()): string[] {
  if (!Number.isInteger(keepDays) || keepDays < 1) throw new RangeError(`keepDays must be a whole number >= 1, got ${keepDays}`);
  if (!fs.existsSync(parent)) return [];
  const cutoff = Math.min(runAt.getTime(), now) - keepDays * DAY_MS;
  const realParent = fs.realpathSync.native(parent);
  return fs
    .readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.isSymbolicLink())
    .filter((d) => {
      const at = scheduledTimeOf(d.name, schedule);
      return at !== undefined && at.getTime() < cutoff;
    })
    .map((d) => path.join(parent, d.name))
    .filter((dir) => {
      const manifest = fs.lstatSync(new RunLayout(dir).manifestPath, { throwIfNoEntry: false });
      return manifest?.isFile() === true && isWithin(realParent, fs.realpathSync.native(dir));
    })
    .sort();
}
