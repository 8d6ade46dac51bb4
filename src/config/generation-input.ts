/**
 * The one input type of a generation: the CLI flags, the Web UI's JSON input and
 * schedules all become a GenerationInput, and resolveGenerationInput turns it into
 * fully defaulted, validated GenerationParams (or throws InputError naming the field).
 */

import { InputError } from '../domain/errors';
import { dateToEpochMs } from '../domain/time-units';
import { INTERACTIONS } from '../domain/listening-record';
import type { AxisStrength } from '../domain/personality';
import type { SimulationParams } from '../simulation/simulation-params';
import { OUTPUT_FORMATS, PRIMARY_FORMAT, type OutputFormat } from '../formats/part-formats';
import { checkPathText } from '../runtime/path-text';

export type { OutputFormat };

export interface GenerationInput {
  users?: number;
  sessionsPerUser?: number;
  /** [min, max] hours, or "MIN-MAX" */
  sessionHours?: [number, number] | string;
  /** first day of the simulated period, YYYY-MM-DD (UTC) */
  from?: string;
  /** last day of the simulated period, inclusive, YYYY-MM-DD (UTC) */
  to?: string;
  seed?: number;
  /** catalog sources: csv:PATH, html:URL, source:PATH.json, synthetic:N */
  catalog?: string[] | string;
  /** output root; each generation writes to <out>/<runId> */
  out?: string;
  /** name of the generation's folder under out; defaults to the workflow id */
  runId?: string;
  shardSize?: number;
  parallelism?: number;
  format?: OutputFormat[] | string;
  schemaVersion?: 1 | 2;
  /** share of sessions spent away from home, 0..1 */
  travelShare?: number;
  /** restrict users to these ISO alpha-2 countries (list), or weight them (object) */
  countries?: string[] | Record<string, number>;
  /** relative weights of personality names; unlisted ones get 0 when any is listed */
  personalities?: Record<string, number>;
  /** how strongly each axis pole drives behaviour, 0..1 */
  axisStrength?: Partial<AxisStrength>;
  /** base weights of interactions (names: INTERACTIONS); unlisted ones get 0; personality factors apply on top */
  interactions?: Record<string, number>;
  /** workflow id of a failed/cancelled generation to resume into the same folder */
  resume?: string;
  /** set by `wrapped-etl schedule create` on the schedule's action: the run is named <schedule>-YYYYMMDDTHHMMSSZ */
  schedule?: string;
  /** with schedule: a completed run deletes the schedule's complete generations scheduled more than keepDays before it */
  keepDays?: number;
}

/** A validated input with every default filled in: what the simulation needs, and where and how to write it. */
export interface GenerationParams extends SimulationParams {
  catalog: string[];
  out: string;
  runId: string;
  shardSize: number;
  parallelism: number;
  format: OutputFormat[];
  schemaVersion: 1 | 2;
  resume: string | null;
  schedule: string | null;
  keepDays: number | null;
}

export const DEFAULTS = {
  users: 100,
  sessionsPerUser: 20,
  sessionHours: [0.5, 2] as [number, number],
  from: '2025-01-01',
  to: '2025-12-31',
  seed: 42,
  catalog: ['synthetic:8000'],
  out: 'data',
  parallelism: 4,
  format: ['avro'] as OutputFormat[],
  schemaVersion: 1 as const,
  travelShare: 0.02,
  axisStrength: { familiarity: 0.85, newness: 0.85, loyalty: 0.85, commonality: 0.85 },
};

const LIMITS = {
  users: 100_000_000,
  sessionsPerUser: 100_000,
  sessionHours: 24,
  shardSize: 1_000_000,
  parallelism: 1000,
  keepDays: 36_500,
};

const KNOWN_FIELDS = new Set<string>([
  'users', 'sessionsPerUser', 'sessionHours', 'from', 'to', 'seed', 'catalog', 'out', 'runId',
  'shardSize', 'parallelism', 'format', 'schemaVersion', 'travelShare', 'countries',
  'personalities', 'axisStrength', 'interactions', 'resume', 'schedule', 'keepDays',
]);

const describe = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

function integer(field: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InputError(field, `must be a whole number, got ${describe(v)}`);
  }
  if (v < min || v > max) throw new InputError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}

function share(field: string, v: unknown, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InputError(field, `must be a number from 0 to 1, got ${describe(v)}`);
  }
  return v;
}

function parseHours(v: unknown): [number, number] {
  if (v === undefined || v === null) return DEFAULTS.sessionHours;
  let pair: unknown[];
  if (typeof v === 'string') {
    const m = /^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$/.exec(v);
    if (!m) throw new InputError('sessionHours', `must look like "MIN-MAX" (e.g. "0.5-2"), got ${describe(v)}`);
    pair = [Number(m[1]), Number(m[2])];
  } else if (Array.isArray(v) && v.length === 2) {
    pair = v;
  } else {
    throw new InputError('sessionHours', `must be [min, max] or "MIN-MAX", got ${describe(v)}`);
  }
  const [lo, hi] = pair;
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new InputError('sessionHours', `must be two numbers, got ${describe(v)}`);
  }
  if (lo <= 0 || hi < lo || hi > LIMITS.sessionHours) {
    throw new InputError('sessionHours', `needs 0 < min <= max <= ${LIMITS.sessionHours}, got ${lo}-${hi}`);
  }
  return [lo, hi];
}

function parseDate(field: string, v: unknown, dflt: string): string {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string' || Number.isNaN(dateToEpochMs(v))) {
    throw new InputError(field, `must be a date YYYY-MM-DD, got ${describe(v)}`);
  }
  return v;
}

function stringList(field: string, v: unknown, dflt: string[]): string[] {
  if (v === undefined || v === null) return dflt;
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s.trim() === '')) {
    throw new InputError(field, `must be a list of non-empty strings, got ${describe(v)}`);
  }
  return list.length === 0 ? dflt : list.map((s: string) => s.trim());
}

function weights(field: string, v: unknown): Record<string, number> | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new InputError(field, `must be an object of name: weight, got ${describe(v)}`);
  }
  const out: Record<string, number> = {};
  for (const [k, w] of Object.entries(v as Record<string, unknown>)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new InputError(`${field}.${k}`, `must be a weight >= 0, got ${describe(w)}`);
    }
    out[k] = w;
  }
  if (!Object.values(out).some((w) => w > 0)) throw new InputError(field, 'needs at least one weight > 0');
  return out;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function name(field: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !SAFE_NAME.test(v) || v.includes('..')) {
    throw new InputError(field, `must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got ${describe(v)}`);
  }
  return v;
}

function countries(v: unknown): Record<string, number> | null {
  if (v === undefined || v === null) return null;
  const table = Array.isArray(v) ? Object.fromEntries(v.map((c) => [c, 1])) : v;
  const w = weights('countries', table);
  if (w) {
    for (const code of Object.keys(w)) {
      if (!/^[A-Z]{2}$/.test(code)) throw new InputError('countries', `"${code}" is not an ISO 3166 alpha-2 code like "SE"`);
    }
  }
  return w;
}

function interactionWeights(v: unknown): Record<string, number> | null {
  const w = weights('interactions', v);
  const unknown = w ? Object.keys(w).filter((k) => !(INTERACTIONS as readonly string[]).includes(k)) : [];
  if (unknown.length) throw new InputError(`interactions.${unknown[0]}`, `unknown interaction; known: ${INTERACTIONS.join(', ')}`);
  return w;
}

function axisStrength(v: unknown): AxisStrength {
  if (v === undefined || v === null) return { ...DEFAULTS.axisStrength };
  if (typeof v !== 'object' || Array.isArray(v)) throw new InputError('axisStrength', `must be an object, got ${describe(v)}`);
  const out = { ...DEFAULTS.axisStrength };
  for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
    if (!(k in out)) throw new InputError(`axisStrength.${k}`, `unknown axis; known: ${Object.keys(out).join(', ')}`);
    out[k as keyof AxisStrength] = share(`axisStrength.${k}`, s, 0);
  }
  return out;
}

const STAMP = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** "2026-11-29T02:00:00.000Z" -> "20261129T020000Z" */
export function compactTime(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** When a scheduled generation's folder name <schedule>-YYYYMMDDTHHMMSSZ says it was scheduled, or undefined for other names. */
export function scheduledTimeOf(folder: string, schedule: string): Date | undefined {
  if (!folder.startsWith(`${schedule}-`)) return undefined;
  const m = STAMP.exec(folder.slice(schedule.length + 1));
  if (!m) return undefined;
  const at = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return compactTime(at) === folder.slice(schedule.length + 1) ? at : undefined;
}

/** How far a scheduled time may lie ahead of the worker's clock (clock skew between server and worker). */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * The run folder of a scheduled run: named after its scheduled time. A runId given with
 * a schedule (a resume) must be one of the schedule's folder names, not dated ahead of `now`.
 */
function scheduledRunId(schedule: string, runId: string | null, scheduledAt: Date | undefined, now: number): string {
  if (runId === null) {
    const at = scheduledAt ?? new Date(now);
    if (Number.isNaN(at.getTime()) || at.getTime() > now + CLOCK_SKEW_MS) {
      throw new InputError('schedule', `the scheduled time ${Number.isNaN(at.getTime()) ? 'is not a time' : `${at.toISOString()} lies in the future`}`);
    }
    return `${schedule}-${compactTime(at)}`;
  }
  const at = scheduledTimeOf(runId, schedule);
  if (!at) throw new InputError('runId', `with schedule "${schedule}" must be ${schedule}-YYYYMMDDTHHMMSSZ (each run is named after its scheduled time), got ${describe(runId)}`);
  if (at.getTime() > now + CLOCK_SKEW_MS) throw new InputError('runId', `${runId} is dated in the future`);
  return runId;
}

/** When to resolve a scheduled run: the time it was scheduled for (checked by the workflow), and the clock. */
export interface ScheduleClock {
  scheduledAt?: Date;
  now?: number;
}

/**
 * Validates an input (from JSON, flags or a schedule) and fills in every default.
 * `defaultRunId` names the output folder when the input does not; a scheduled run
 * (`schedule` set) is named after `clock.scheduledAt` instead.
 */
export function resolveGenerationInput(raw: unknown, defaultRunId: string, clock: ScheduleClock = {}): GenerationParams {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError('input', `must be one JSON object (use {} for all defaults), got ${describe(raw)}`);
  }
  const input = raw as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length) {
    throw new InputError(unknown[0], `unknown field; known fields: ${[...KNOWN_FIELDS].join(', ')}`);
  }
  const from = parseDate('from', input.from, DEFAULTS.from);
  const to = parseDate('to', input.to, DEFAULTS.to);
  if (dateToEpochMs(to) < dateToEpochMs(from)) throw new InputError('to', `must not be before from (${from}), got ${to}`);

  const format = stringList('format', input.format, DEFAULTS.format) as OutputFormat[];
  for (const f of format) {
    if (!OUTPUT_FORMATS.includes(f)) throw new InputError('format', `unknown format "${f}"; known: ${OUTPUT_FORMATS.join(', ')}`);
  }
  if (!format.includes(PRIMARY_FORMAT)) throw new InputError('format', `must include ${PRIMARY_FORMAT} (the other formats are written beside the ${PRIMARY_FORMAT} parts)`);

  const schemaVersion = integer('schemaVersion', input.schemaVersion, 1, 2, DEFAULTS.schemaVersion) as 1 | 2;
  const out = input.out ?? DEFAULTS.out;
  if (typeof out !== 'string' || out.trim() === '') throw new InputError('out', `must be a folder path, got ${describe(out)}`);
  checkPathText('out', out);
  const catalog = stringList('catalog', input.catalog, DEFAULTS.catalog);
  catalog.forEach((spec, i) => {
    if (/^(csv|source):/.test(spec)) checkPathText(`catalog[${i}]`, spec.slice(spec.indexOf(':') + 1));
    else if (spec.includes('\0')) throw new InputError(`catalog[${i}]`, 'contains a NUL byte');
  });
  const schedule = name('schedule', input.schedule);
  if (schedule !== null && schedule.length > 64) throw new InputError('schedule', `must be at most 64 characters, got ${schedule.length}`);
  const keepDays = integer('keepDays', input.keepDays, 1, LIMITS.keepDays, 0) || null;
  if (keepDays !== null && schedule === null) throw new InputError('keepDays', 'only goes with schedule: it prunes that schedule\'s generations');
  const resume = name('resume', input.resume);
  // a resume goes on in the folder of the generation it names, unless runId says otherwise
  const givenRunId = name('runId', input.runId) ?? resume;
  const runId = schedule === null ? (givenRunId ?? name('runId', defaultRunId)!) : scheduledRunId(schedule, givenRunId, clock.scheduledAt, clock.now ?? Date.now());

  const users = integer('users', input.users, 1, LIMITS.users, DEFAULTS.users);
  const sessionsPerUser = integer('sessionsPerUser', input.sessionsPerUser, 1, LIMITS.sessionsPerUser, DEFAULTS.sessionsPerUser);
  const sessionHours = parseHours(input.sessionHours);
  return {
    users,
    sessionsPerUser,
    sessionHours,
    from,
    to,
    seed: integer('seed', input.seed, 0, Number.MAX_SAFE_INTEGER, DEFAULTS.seed),
    catalog,
    out,
    runId,
    shardSize: integer('shardSize', input.shardSize, 1, LIMITS.shardSize, adaptiveShardSize(users, sessionsPerUser, sessionHours)),
    parallelism: integer('parallelism', input.parallelism, 1, LIMITS.parallelism, DEFAULTS.parallelism),
    format: [...new Set(format)],
    schemaVersion,
    travelShare: share('travelShare', input.travelShare, DEFAULTS.travelShare),
    countries: countries(input.countries),
    personalities: weights('personalities', input.personalities),
    axisStrength: axisStrength(input.axisStrength),
    interactions: interactionWeights(input.interactions),
    resume,
    schedule,
    keepDays,
  };
}

/** seconds of session time per listening event, measured with the default catalog and interactions (~23 events per 1.25-hour session) */
const SESSION_SECONDS_PER_EVENT = 196;
/** records a default shard aims at: ~1-2 s of one thread, so the fixed cost of a shard (activity, thread hand-off, files, checkpoint) stays a few percent */
export const SHARD_TARGET_RECORDS = 250_000;
/** a default run has at least this many shards (fewer users than that: one user each), so every thread gets work and progress moves in steps */
export const MIN_DEFAULT_SHARDS = 8;

/**
 * The default shard size follows the work: users per shard such that a shard carries
 * ~SHARD_TARGET_RECORDS expected records (sessions per user x expected events per
 * session), but never so many that the run has fewer than MIN_DEFAULT_SHARDS shards.
 * An explicit shardSize always wins. Depends only on the input, never on the machine,
 * so the same input gives the same part files everywhere.
 */
export function adaptiveShardSize(users: number, sessionsPerUser: number, sessionHours: [number, number]): number {
  const eventsPerSession = Math.max(1, ((sessionHours[0] + sessionHours[1]) / 2) * 3600 / SESSION_SECONDS_PER_EVENT);
  const byWork = Math.ceil(SHARD_TARGET_RECORDS / (sessionsPerUser * eventsPerSession));
  return Math.max(1, Math.min(byWork, Math.ceil(users / MIN_DEFAULT_SHARDS), LIMITS.shardSize));
}

export function shardCount(params: Pick<GenerationParams, 'users' | 'shardSize'>): number {
  return Math.ceil(params.users / params.shardSize);
}

/** User ids are 1..users; shard k holds ids [first, last]. */
export function shardUserRange(params: Pick<GenerationParams, 'users' | 'shardSize'>, shard: number): { first: number; last: number } {
  const first = shard * params.shardSize + 1;
  return { first, last: Math.min(params.users, first + params.shardSize - 1) };
}
