import { dateToEpochMs } from '../domain/time-units';
import { DamagedFile } from '../domain/errors';
import { parseInput, says, z } from '../domain/input-schema';
import { isS3Location } from '../runtime/storage/s3-location';
import { resolveGenerationInput, type GenerationInput, type GenerationParams } from './generation-input';

/** Why a world's `out` may not be an object store: worlds (create, advance, stream) live in folders only. */
const WORLD_IN_BUCKET = (v: string) =>
  `${JSON.stringify(v)} is object storage: worlds (world create, world advance, stream) live in folders under the data root only, not in a bucket (docs/storage.md); give a folder`;

const outProblem = says((v) => `must be a folder under the data root, got ${JSON.stringify(v)}`);
/** The folder under the data root where worlds live, confined by the worker (world advance's and a stream's `out`); never s3://. */
export const outSchema = z
  .string(outProblem)
  .min(1, outProblem)
  .superRefine((v, ctx) => {
    if (isS3Location(v)) ctx.addIssue({ code: 'custom', message: WORLD_IN_BUCKET(v), input: v });
  });

/** Generation fields a world does not take: it starts on `start` and goes on day by day. */
const NOT_WORLD_FIELDS = ['from', 'to', 'sessionsPerUser', 'resume', 'runId'] as const;

const perDayProblem = says((v) => `must be a number above 0 and at most 48, got ${JSON.stringify(v)}`);

/** The world's own fields; the others are a generation input's (generationInputSchema checks them). */
const worldFieldsSchema = z
  .looseObject(
    {
      /** the world's name: its folder under `out` (checked here, so a refusal names `name`, not the runId it becomes) */
      name: z.lazy(() => worldNameSchema),
      /** its first day, YYYY-MM-DD */
      start: z.string(
        says((v) =>
          v === undefined ? 'is required: the first day, YYYY-MM-DD' : `must be the first day, YYYY-MM-DD, got ${JSON.stringify(v)}`,
        ),
      ),
      /** sessions a day of a user of average activity (default 1.5) */
      sessionsPerDay: z
        .number(perDayProblem)
        .refine((v) => v > 0 && v <= 48, perDayProblem)
        .nullish()
        .transform((v) => v ?? DEFAULT_SESSIONS_PER_DAY),
    },
    says((v) => `must be a JSON object like {"name": "demo", "users": 1000, "start": "2025-01-01"}, got ${JSON.stringify(v)}`),
  )
  .superRefine((input, ctx) => {
    // the generation input takes s3:// (a run may go to a bucket); a world may not
    if (typeof input.out === 'string' && isS3Location(input.out))
      ctx.addIssue({ code: 'custom', path: ['out'], message: WORLD_IN_BUCKET(input.out), input: input.out });
    const field = NOT_WORLD_FIELDS.find((f) => f in input);
    if (field !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'is not a world field: a world starts on `start` and goes on day by day',
        input: input[field],
      });
  });

/** The input of `world create` (and of the world workflow): a generation input plus the world's own fields. */
export type WorldInput = Omit<GenerationInput, (typeof NOT_WORLD_FIELDS)[number]> & z.input<typeof worldFieldsSchema>;

export interface WorldDefinition {
  name: string;
  start: string;
  sessionsPerDay: number;
  /** the generation params every day is simulated with (from/to: the start day) */
  params: GenerationParams;
  catalogSha256: string;
}

const DEFAULT_SESSIONS_PER_DAY = 1.5;

const SHA256 = /^[0-9a-f]{64}$/;

/** What is wrong with a parsed world.json ("its start is 5, not a day"), or undefined when it has a definition's shape. */
function definitionProblem(d: Partial<WorldDefinition> | null): string | undefined {
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return `it holds ${JSON.stringify(d)}, not a JSON object`;
  if (typeof d.name !== 'string' || !worldNameSchema.safeParse(d.name).success) return `its name is ${JSON.stringify(d.name)}`;
  if (typeof d.start !== 'string' || !daySchema.safeParse(d.start).success) return `its start is ${JSON.stringify(d.start)}, not a day`;
  if (typeof d.sessionsPerDay !== 'number' || !(d.sessionsPerDay > 0)) return `its sessionsPerDay is ${JSON.stringify(d.sessionsPerDay)}`;
  const p = d.params as Partial<GenerationParams> | undefined;
  if (typeof p !== 'object' || p === null) return 'it has no params';
  for (const field of ['users', 'shardSize', 'seed', 'parallelism'] as const)
    if (!Number.isInteger(p[field])) return `its params.${field} is ${JSON.stringify(p[field])}, not a whole number`;
  if (typeof d.catalogSha256 !== 'string' || !SHA256.test(d.catalogSha256))
    return `its catalogSha256 is ${JSON.stringify(d.catalogSha256)}, not a sha256`;
  return undefined;
}

/**
 * A world's definition from the text of its world.json at `file`, or DamagedFile naming the file
 * and what is wrong (world.json is written once, at world create, and never rewritten).
 */
export function parseWorldDefinition(text: string, file: string): WorldDefinition {
  let parsed: unknown;
  let problem: string | undefined;
  try {
    parsed = JSON.parse(text);
    problem = definitionProblem(parsed as WorldDefinition);
  } catch (err) {
    problem = `it is not JSON (${(err as Error).message}; the file has ${text.length} bytes)`;
  }
  if (problem)
    throw new DamagedFile(
      file,
      `the world's definition: ${problem}`,
      'world.json is written once, at world create: restore it from a copy of the world folder or a backup (the days written stay valid)',
    );
  return parsed as WorldDefinition;
}

/** Validates a world input and fills in every default (the world's params, without the catalog yet). */
export function resolveWorldInput(raw: unknown): Omit<WorldDefinition, 'catalogSha256'> {
  const { name, start, sessionsPerDay, ...generation } = parseInput(worldFieldsSchema, raw);
  const params = resolveGenerationInput({ ...generation, from: start, to: start, runId: name }, name);
  return { name: params.runId, start, sessionsPerDay, params };
}

const WORLD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const worldNameProblem = says((v) => `must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got ${JSON.stringify(v)}`);
/** A world's name: its folder's name, so no path in it. */
export const worldNameSchema = z.string(worldNameProblem).refine((v) => WORLD_NAME.test(v) && !v.includes('..'), worldNameProblem);

/** A world's name, or an InputError naming `field`. */
export function checkWorldName(field: string, v: unknown): string {
  return parseInput(worldNameSchema, v, field);
}

/** Days one advance may cover (ten years): a bound on what a starter can ask for, not on a world's age. */
export const MAX_ADVANCE_DAYS = 3660;

const ADVANCE_FIELDS = {
  /** the world's name: its folder under `out` */
  world: worldNameSchema,
  /** where worlds live, under the data root (default "data") */
  out: outSchema.nullish().transform((v) => v ?? 'data'),
  /** advance this many days (default 1); not with `through` */
  days: z
    .number(says((v) => `must be a whole number from 1 to ${MAX_ADVANCE_DAYS}, got ${JSON.stringify(v)}`))
    .refine(
      (v) => Number.isInteger(v) && v >= 1 && v <= MAX_ADVANCE_DAYS,
      says((v) => `must be a whole number from 1 to ${MAX_ADVANCE_DAYS}, got ${JSON.stringify(v)}`),
    )
    .nullish(),
  /** advance up to and including this day, YYYY-MM-DD; not with `days` */
  through: z
    .string(says((v) => `must be a day YYYY-MM-DD, got ${JSON.stringify(v)}`))
    .refine(
      (v) => !Number.isNaN(dateToEpochMs(v)),
      says((v) => `must be a day YYYY-MM-DD, got ${JSON.stringify(v)}`),
    )
    .optional(),
};

/** The input of `world advance` (and of the advanceWorld workflow and a world's schedule). */
const worldAdvanceInputSchema = z
  .strictObject(ADVANCE_FIELDS, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `is not a field of a world advance (fields: ${Object.keys(ADVANCE_FIELDS).join(', ')})`
        : `must be a JSON object like {"world": "demo", "days": 1}, got ${JSON.stringify(issue.input)}`,
  })
  .transform(({ world, out, days, through }, ctx) => {
    if (days !== undefined && through !== undefined) {
      ctx.issues.push({ code: 'custom', path: ['days'], message: 'give days or through, not both', input: days });
      return z.NEVER;
    }
    return through !== undefined ? { world, out, days: null, through } : { world, out, days: days ?? 1, through: null };
  });

export type WorldAdvanceInput = z.input<typeof worldAdvanceInputSchema>;
export type WorldAdvanceRequest = z.output<typeof worldAdvanceInputSchema>;

/** Validates an advance input and fills in its defaults. */
export function resolveWorldAdvanceInput(raw: unknown): WorldAdvanceRequest {
  return parseInput(worldAdvanceInputSchema, raw);
}

const dayProblem = says((v) => `must be a day YYYY-MM-DD, got ${JSON.stringify(v)}`);
/** A day, YYYY-MM-DD, that exists (a stream's `from`). */
export const daySchema = z.string(dayProblem).refine((v) => !Number.isNaN(dateToEpochMs(v)), dayProblem);
