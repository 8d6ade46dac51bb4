import * as fs from 'node:fs';
import { DamagedFile } from '../domain/errors';
import { writeFileAtomic } from '../runtime/atomic-file';
import { BrokenSeal, parseSealedJson, sealedJson } from '../runtime/json-file';
import type { WorldLayout } from './world-layout';

/** An advance a schedule fired: when the schedule meant it for, which schedule, the run, and the first day it wrote. */
export interface ScheduledAdvance {
  /** the schedule's time for the run (ISO), not when it started: a catch-up or backfill keeps its nominal times */
  scheduledAt: string;
  schedule: string | null;
  workflowId: string;
  firstDay: string;
}

/**
 * How close two scheduled advances of one world may lie: a day, less the hour a daylight-saving
 * change takes from a local day (a Web UI schedule at 02:00 Europe/Berlin fires 23 h after the night before, once a year).
 */
const SCHEDULED_ADVANCE_GAP_MS = 23 * 3_600_000;

/** Advances kept in the record: the latest ones, years of nightly runs. */
const KEPT = 1000;

/** A scheduled advance too close to another one of the same world: it writes nothing. */
export class AdvanceTooSoon extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdvanceTooSoon';
  }
}

const REPAIR =
  'it keeps schedules to one advance of the world a day: delete it to go on (the next scheduled run then has no earlier one to be compared with)';

function shapeProblem(v: { advances?: unknown }): string | undefined {
  if (!Array.isArray(v.advances)) return 'it has no list of advances';
  const bad = (v.advances as Partial<ScheduledAdvance>[]).find(
    (a) => typeof a?.scheduledAt !== 'string' || Number.isNaN(Date.parse(a.scheduledAt)) || typeof a.workflowId !== 'string',
  );
  return bad ? `it holds an advance without a time or a workflow: ${JSON.stringify(bad)}` : undefined;
}

/** The world's scheduled advances so far (none when the file is not there), or DamagedFile naming the file. */
export function readScheduledAdvances(layout: WorldLayout): ScheduledAdvance[] {
  const file = layout.scheduledAdvancesPath;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let problem: string | undefined;
  try {
    const parsed = parseSealedJson<{ advances?: unknown }>(text);
    problem = shapeProblem(parsed);
    if (!problem) return parsed.advances as ScheduledAdvance[];
  } catch (err) {
    if (!(err instanceof BrokenSeal)) throw err;
    problem = err.problem;
  }
  throw new DamagedFile(file, `the record of the world's scheduled advances: ${problem}`, REPAIR);
}

function apart(ms: number): string {
  const s = Math.abs(ms) / 1000;
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * Records `advance` as the world's next scheduled advance, or throws AdvanceTooSoon when another
 * one was scheduled less than SCHEDULED_ADVANCE_GAP_MS before or after it (whichever schedule
 * fired it): a schedule advances a world at most one day per day of its clock, however often it
 * fires and however many runs a catch-up or backfill brings at once. The same run asking again
 * (a retried activity) finds its own record and goes on. Call it while holding the world.
 */
export function takeScheduledTurn(layout: WorldLayout, world: string, advance: ScheduledAdvance): void {
  const advances = readScheduledAdvances(layout);
  const at = Date.parse(advance.scheduledAt);
  if (advances.some((a) => a.workflowId === advance.workflowId && a.scheduledAt === advance.scheduledAt)) return;
  const near = advances.find((a) => Math.abs(Date.parse(a.scheduledAt) - at) < SCHEDULED_ADVANCE_GAP_MS);
  if (near) {
    const by = (a: ScheduledAdvance) => (a.schedule ? `schedule ${a.schedule}` : 'a schedule');
    const gap = at - Date.parse(near.scheduledAt);
    throw new AdvanceTooSoon(
      `world ${world}: this run (${by(advance)}, scheduled at ${advance.scheduledAt}) comes ${apart(gap)} ${gap >= 0 ? 'after' : 'before'} ` +
        `the advance ${by(near)} scheduled at ${near.scheduledAt} (workflow ${near.workflowId}, from day ${near.firstDay}); ` +
        `a schedule advances a world by at most one day per day (scheduled advances at least ${SCHEDULED_ADVANCE_GAP_MS / 3_600_000} h apart), ` +
        `so this run writes nothing. Let the schedule fire at most once a day (e.g. cron "0 2 * * *", as \`wrapped-etl schedule create --world\` makes it), ` +
        `or advance by hand: \`wrapped-etl world advance ${world}\``,
    );
  }
  const kept = [...advances, advance].sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt)).slice(-KEPT);
  writeFileAtomic(layout.scheduledAdvancesPath, sealedJson({ advances: kept }, 1) + '\n');
}
