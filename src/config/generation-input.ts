/**
 * The one input of a generation: the CLI flags, the Web UI's JSON input and schedules
 * all give a GenerationInput, checked by one zod schema (generationInputSchema, the
 * source of both types); resolveGenerationInput turns it into fully defaulted
 * GenerationParams, or throws an InputError naming the field.
 */

import { InputError } from '../domain/errors';
import { dateToEpochMs } from '../domain/time-units';
import { daysBetween } from '../domain/days';
import { INTERACTIONS } from '../domain/listening-record';
import type { AxisStrength } from '../domain/personality';
import { OUTPUT_FORMATS, PRIMARY_FORMAT, type OutputFormat } from '../formats/part-formats';
import { PARQUET_CODECS, type ParquetCodec } from '../formats/parquet/parquet-codec';
import { AVRO_CODECS, type AvroCodec } from '../formats/avro/block-codecs';
import { pathProblem } from '../runtime/path-text';
import { isS3Location, s3LocationProblem } from '../runtime/storage/s3-location';
import { parseSourceSpec, sourceKindOf } from '../catalog/source-kinds';
import { SourceError } from '../catalog/source-error';
import { knownCountries } from '../simulation/cities';
import { describeValue, orDefault, parseInput, says, share, weights, wholeNumber, z } from '../domain/input-schema';

export type { OutputFormat };

export const DEFAULTS = {
  users: 100,
  /** null: each user's sessions come from the listening-volume model (docs/realism.md); a number overrides it */
  sessionsPerUser: null as number | null,
  /** null: session lengths come from the published heavy-tailed shape; [min, max] draws them uniformly */
  sessionHours: null as [number, number] | null,
  from: '2025-01-01',
  to: '2025-12-31',
  seed: 42,
  catalog: ['synthetic:40000'],
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

/** A path of the filesystem (see path-text.ts for what no path may be). */
function pathText(empty: string) {
  const problem = says((v) => `${empty}, got ${describeValue(v)}`);
  return z
    .string(problem)
    .refine((p) => p.trim() !== '', problem)
    .superRefine((p, ctx) => {
      const why = pathProblem(p);
      if (why !== undefined) ctx.addIssue({ code: 'custom', message: why, input: p });
    });
}

/** A name the data root can hold as one folder: letters, digits, '.', '_', '-', no '..'. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
function safeName() {
  const problem = says((v) => `must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got ${describeValue(v)}`);
  return z.string(problem).refine((v) => SAFE_NAME.test(v) && !v.includes('..'), problem);
}

function date() {
  const problem = says((v) => `must be a date YYYY-MM-DD, got ${describeValue(v)}`);
  return z.string(problem).refine((v) => !Number.isNaN(dateToEpochMs(v)), problem);
}

/** A list, or one comma-separated string (flags, the Web UI); empty: the default. */
function stringList(fallback: readonly string[]) {
  const problem = (v: unknown) => `must be a list of non-empty strings, got ${describeValue(v)}`;
  return z
    .union([z.string(), z.array(z.string())], says(problem))
    .nullish()
    .transform((v, ctx): string[] => {
      if (v === undefined || v === null) return [...fallback];
      const list =
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v;
      if (list.some((s) => s.trim() === '')) ctx.issues.push({ code: 'custom', message: problem(v), input: v });
      return list.length === 0 ? [...fallback] : list.map((s) => s.trim());
    });
}

const HOURS_TEXT = /^\s*([0-9.]+)\s*-\s*([0-9.]+)\s*$/;

/** [min, max] hours, or "MIN-MAX" */
const sessionHours = z
  .union(
    [z.tuple([z.number(), z.number()]), z.string()],
    says((v) =>
      Array.isArray(v) && v.length === 2
        ? `must be two numbers, got ${describeValue(v)}`
        : `must be [min, max] or "MIN-MAX", got ${describeValue(v)}`,
    ),
  )
  .nullish()
  .transform((v, ctx): [number, number] | null => {
    if (v === undefined || v === null) return DEFAULTS.sessionHours;
    const m = typeof v === 'string' ? HOURS_TEXT.exec(v) : null;
    const [lo, hi] = typeof v === 'string' ? [Number(m?.[1]), Number(m?.[2])] : v;
    if (typeof v === 'string' && !m) {
      ctx.issues.push({ code: 'custom', message: `must look like "MIN-MAX" (e.g. "0.5-2"), got ${describeValue(v)}`, input: v });
    } else if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      ctx.issues.push({ code: 'custom', message: `must be two numbers, got ${describeValue(v)}`, input: v });
    } else if (lo <= 0 || hi < lo || hi > LIMITS.sessionHours) {
      ctx.issues.push({ code: 'custom', message: `needs 0 < min <= max <= ${LIMITS.sessionHours}, got ${lo}-${hi}`, input: v });
    }
    return [lo, hi];
  });

const ISO_CODE = /^[A-Z]{2}$/;
const notAnIsoCode = (code: string) => `"${code}" is not an ISO 3166 alpha-2 code like "SE"`;

/** ISO codes (each weight 1) or code: weight */
const countries = orDefault(
  z
    .union(
      [z.array(z.string()).transform((codes) => Object.fromEntries(codes.map((c) => [c, 1]))), z.record(z.string(), z.unknown())],
      says((v) => {
        const code = Array.isArray(v)
          ? Object.keys(Object.fromEntries(v.map((c) => [String(c), 1]))).find((c) => !ISO_CODE.test(c))
          : undefined;
        return code === undefined ? `must be an object of name: weight, got ${describeValue(v)}` : notAnIsoCode(code);
      }),
    )
    .pipe(weights())
    .superRefine((w, ctx) => {
      const code = Object.keys(w).find((c) => !ISO_CODE.test(c));
      if (code !== undefined) return ctx.addIssue({ code: 'custom', message: notAnIsoCode(code), input: code });
      const known = knownCountries();
      const missing = Object.keys(w).filter((c) => !known.has(c));
      if (missing.length) ctx.addIssue({ code: 'custom', message: `no city known for ${missing.join(', ')}`, input: missing });
    }),
  null,
);

const interactions = orDefault(
  weights().superRefine((w, ctx) => {
    const unknown = Object.keys(w).find((k) => !(INTERACTIONS as readonly string[]).includes(k));
    if (unknown !== undefined)
      ctx.addIssue({ code: 'custom', path: [unknown], message: `unknown interaction; known: ${INTERACTIONS.join(', ')}`, input: w });
  }),
  null,
);

const AXES = Object.keys(DEFAULTS.axisStrength) as (keyof AxisStrength)[];
const axisStrength = orDefault(
  z.partialRecord(
    z.enum(AXES),
    // an axis given as null counts as strength 0
    orDefault(share(), 0),
    {
      error: (issue) =>
        (issue.code as string) === 'unrecognized_keys'
          ? `unknown axis; known: ${AXES.join(', ')}`
          : `must be an object, got ${describeValue(issue.input)}`,
    },
  ),
  {},
).transform((given): AxisStrength => ({ ...DEFAULTS.axisStrength, ...given }));

/** What no catalog source spec may hold: a file kind's path is checked like any path from the input. */
function catalogSpecProblem(spec: string): string | undefined {
  if (spec.includes('\0')) return 'contains a NUL byte';
  try {
    parseSourceSpec(spec);
  } catch (err) {
    if (err instanceof SourceError) return err.message;
    throw err;
  }
  // parseSourceSpec has refused an empty path already
  return sourceKindOf(spec)?.namesFile ? pathProblem(spec.slice(spec.indexOf(':') + 1)) : undefined;
}

const generationFields = {
  users: orDefault(wholeNumber(1, LIMITS.users), DEFAULTS.users),
  sessionsPerUser: orDefault(wholeNumber(1, LIMITS.sessionsPerUser), DEFAULTS.sessionsPerUser),
  sessionHours,
  /** first day of the simulated period, YYYY-MM-DD (UTC) */
  from: orDefault(date(), DEFAULTS.from),
  /** last day of the simulated period, inclusive, YYYY-MM-DD (UTC) */
  to: orDefault(date(), DEFAULTS.to),
  seed: orDefault(wholeNumber(0, Number.MAX_SAFE_INTEGER), DEFAULTS.seed),
  /** catalog sources: SOURCE_SPEC_FORMS (csv:PATH, html:URL, ...) */
  catalog: stringList(DEFAULTS.catalog).superRefine((specs, ctx) => {
    specs.forEach((spec, i) => {
      const problem = catalogSpecProblem(spec);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [i], message: problem, input: spec });
    });
  }),
  /**
   * output root, a folder or s3://bucket/prefix (a bucket the worker's WRAPPED_ETL_S3_ALLOW lists; the worker
   * checks that); each generation writes to <out>/<runId>
   */
  out: orDefault(
    pathText('must be a folder path or s3://bucket/prefix').superRefine((p, ctx) => {
      const why = isS3Location(p) ? s3LocationProblem(p) : undefined;
      if (why !== undefined) ctx.addIssue({ code: 'custom', message: why, input: p });
    }),
    DEFAULTS.out,
  ),
  /** name of the generation's folder under out; defaults to the workflow id (a resume: the resumed one's) */
  runId: orDefault(safeName(), null),
  /** users per shard; default: adaptiveShardSize */
  shardSize: orDefault(wholeNumber(1, LIMITS.shardSize), null),
  parallelism: orDefault(wholeNumber(1, LIMITS.parallelism), DEFAULTS.parallelism),
  format: stringList(DEFAULTS.format).transform((list, ctx): OutputFormat[] => {
    const unknown = list.find((f) => !(OUTPUT_FORMATS as readonly string[]).includes(f));
    if (unknown !== undefined)
      ctx.issues.push({ code: 'custom', message: `unknown format "${unknown}"; known: ${OUTPUT_FORMATS.join(', ')}`, input: list });
    else if (!list.includes(PRIMARY_FORMAT)) {
      ctx.issues.push({
        code: 'custom',
        message: `must include ${PRIMARY_FORMAT} (the other formats are written beside the ${PRIMARY_FORMAT} parts)`,
        input: list,
      });
    }
    return [...new Set(list as OutputFormat[])];
  }),
  schemaVersion: orDefault(wholeNumber(1, 2), DEFAULTS.schemaVersion).transform((v) => v as 1 | 2),
  /** page codec of the Parquet parts: snappy (default) or zstd */
  parquetCodec: orDefault(
    z.enum(PARQUET_CODECS, {
      error: (issue) => `unknown Parquet codec ${describeValue(issue.input)}; known: ${PARQUET_CODECS.join(', ')}`,
    }),
    null,
  ),
  /** block codec of the AVRO parts: deflate (default), snappy or zstandard */
  avroCodec: orDefault(
    z.enum(AVRO_CODECS, {
      error: (issue) => `unknown AVRO codec ${describeValue(issue.input)}; known: ${AVRO_CODECS.join(', ')}`,
    }),
    null,
  ),
  /** share of sessions spent away from home, 0..1 */
  travelShare: orDefault(share(), DEFAULTS.travelShare),
  /** restrict users to these ISO alpha-2 countries (list), or weight them (object) */
  countries,
  /** relative weights of personality names; unlisted ones get 0 when any is listed */
  personalities: orDefault(weights(), null),
  /** how strongly each axis pole drives behaviour, 0..1 */
  axisStrength,
  /** base weights of interactions (names: INTERACTIONS); unlisted ones get 0; personality factors apply on top */
  interactions,
  /** workflow id of a failed/cancelled generation to resume into the same folder */
  resume: orDefault(safeName(), null),
  /** set by `wrapped-etl schedule create` on the schedule's action: the run is named <schedule>-YYYYMMDDTHHMMSSZ */
  schedule: orDefault(
    safeName().refine(
      (v) => v.length <= 64,
      says((v) => `must be at most 64 characters, got ${String(v).length}`),
    ),
    null,
  ),
  /** with schedule: a completed run deletes the schedule's complete generations scheduled more than keepDays before it */
  keepDays: orDefault(wholeNumber(1, LIMITS.keepDays), null),
};

/** The schema of a generation's input: CLI flags, the Web UI's JSON and schedule actions alike. */
const generationInputSchema = z
  .strictObject(generationFields, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field; known fields: ${Object.keys(generationFields).join(', ')}`
        : `must be one JSON object (use {} for all defaults), got ${describeValue(issue.input)}`,
  })
  .superRefine((input, ctx) => {
    if (dateToEpochMs(input.to) < dateToEpochMs(input.from)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${input.from}), got ${input.to}`, input: input.to });
    }
    if (input.keepDays !== null && input.schedule === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['keepDays'],
        message: "only goes with schedule: it prunes that schedule's generations",
        input: input.keepDays,
      });
    }
  });

/** The input of a generation, every field optional (null: the default). */
export type GenerationInput = z.input<typeof generationInputSchema>;

/** A validated input with every default filled in: what the simulation needs, and where and how to write it. */
export type GenerationParams = Omit<z.output<typeof generationInputSchema>, 'runId' | 'shardSize' | 'parquetCodec' | 'avroCodec'> & {
  runId: string;
  shardSize: number;
  parquetCodec?: ParquetCodec;
  avroCodec?: AvroCodec;
};

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
      throw new InputError(
        'schedule',
        `the scheduled time ${Number.isNaN(at.getTime()) ? 'is not a time' : `${at.toISOString()} lies in the future`}`,
      );
    }
    return `${schedule}-${compactTime(at)}`;
  }
  const at = scheduledTimeOf(runId, schedule);
  if (!at)
    throw new InputError(
      'runId',
      `with schedule "${schedule}" must be ${schedule}-YYYYMMDDTHHMMSSZ (each run is named after its scheduled time), got ${describeValue(runId)}`,
    );
  if (at.getTime() > now + CLOCK_SKEW_MS) throw new InputError('runId', `${runId} is dated in the future`);
  return runId;
}

/** When to resolve a scheduled run: the time it was scheduled for (checked by the workflow), and the clock. */
export interface ScheduleClock {
  scheduledAt?: Date;
  now?: number;
}

/** The first field whose value differs between two params, ignoring `resume`. */
export function firstParamDifference(a: GenerationParams, b: GenerationParams): string | undefined {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('resume');
  return [...keys].find((k) => JSON.stringify(a[k as keyof GenerationParams]) !== JSON.stringify(b[k as keyof GenerationParams]));
}

/**
 * Validates an input (from JSON, flags or a schedule) and fills in every default.
 * `defaultRunId` names the output folder when the input does not; a scheduled run
 * (`schedule` set) is named after `clock.scheduledAt` instead.
 */
export function resolveGenerationInput(raw: unknown, defaultRunId: string, clock: ScheduleClock = {}): GenerationParams {
  const input = parseInput(generationInputSchema, raw ?? {});
  // a resume goes on in the folder of the generation it names, unless runId says otherwise
  const givenRunId = input.runId ?? input.resume;
  const runId =
    input.schedule === null
      ? (givenRunId ?? parseInput(safeName(), defaultRunId, 'runId'))
      : scheduledRunId(input.schedule, givenRunId, clock.scheduledAt, clock.now ?? Date.now());
  const { users, sessionsPerUser, sessionHours } = input;
  return {
    users,
    sessionsPerUser,
    sessionHours,
    from: input.from,
    to: input.to,
    seed: input.seed,
    catalog: input.catalog,
    out: input.out,
    runId,
    shardSize: input.shardSize ?? adaptiveShardSize(users, sessionsPerUser, sessionHours, daysBetween(input.from, input.to) + 1),
    parallelism: input.parallelism,
    format: input.format,
    schemaVersion: input.schemaVersion,
    // only when given, so that runs without it keep their params (and manifests) byte for byte
    ...(input.parquetCodec !== null && { parquetCodec: input.parquetCodec }),
    ...(input.avroCodec !== null && { avroCodec: input.avroCodec }),
    travelShare: input.travelShare,
    countries: input.countries,
    personalities: input.personalities,
    axisStrength: input.axisStrength,
    interactions: input.interactions,
    resume: input.resume,
    schedule: input.schedule,
    keepDays: input.keepDays,
  };
}

/** seconds of session time per listening event, measured with the default catalog and interactions (~23 events per 1.25-hour session) */
const SESSION_SECONDS_PER_EVENT = 196;
/** records a user makes in a year under the listening-volume model, on average (measured on 1,000 default users) */
export const MODELLED_RECORDS_PER_USER_YEAR = 6000;
/** records a default shard aims at: ~1-2 s of one thread, so the fixed cost of a shard (activity, thread hand-off, files, checkpoint) stays a few percent */
export const SHARD_TARGET_RECORDS = 250_000;
/** a default run has at least this many shards (fewer users than that: one user each), so every thread gets work and progress moves in steps */
const MIN_DEFAULT_SHARDS = 8;
/** ...but no default shard carries fewer expected records than this: below it a shard's fixed cost (activity round trip, a pool thread's warm-up) outweighs what spreading the work gains */
export const SHARD_MIN_RECORDS = 25_000;

/**
 * The default shard size follows the work: users per shard such that a shard carries
 * ~SHARD_TARGET_RECORDS expected records (sessions per user x expected events per
 * session), but never so many that the run has fewer than MIN_DEFAULT_SHARDS shards,
 * and never so few that a shard carries fewer than SHARD_MIN_RECORDS (a small run has
 * fewer, fuller shards; a run of less than that is one shard), then evened out over
 * that many shards. An explicit shardSize always wins. Depends only on the input, never on the machine, so the same input gives
 * the same part files everywhere.
 */
function adaptiveShardSize(users: number, sessionsPerUser: number | null, sessionHours: [number, number] | null, periodDays = 365): number {
  const eventsPerSession = sessionHours ? Math.max(1, (((sessionHours[0] + sessionHours[1]) / 2) * 3600) / SESSION_SECONDS_PER_EVENT) : 17;
  const recordsPerUser =
    sessionsPerUser === null ? Math.max(1, (MODELLED_RECORDS_PER_USER_YEAR * periodDays) / 365) : sessionsPerUser * eventsPerSession;
  const byWork = Math.ceil(SHARD_TARGET_RECORDS / recordsPerUser);
  const byThreads = Math.ceil(users / MIN_DEFAULT_SHARDS);
  const atLeast = Math.ceil(SHARD_MIN_RECORDS / recordsPerUser);
  const size = Math.max(1, Math.min(Math.max(Math.min(byWork, byThreads), atLeast), users, LIMITS.shardSize));
  // the same number of shards, evened out: no small last shard that leaves a thread idle at the end
  return Math.ceil(users / Math.ceil(users / size));
}

export function shardCount(params: Pick<GenerationParams, 'users' | 'shardSize'>): number {
  return Math.ceil(params.users / params.shardSize);
}

/** User ids are 1..users; shard k holds ids [first, last]. */
export function shardUserRange(params: Pick<GenerationParams, 'users' | 'shardSize'>, shard: number): { first: number; last: number } {
  const first = shard * params.shardSize + 1;
  return { first, last: Math.min(params.users, first + params.shardSize - 1) };
}
