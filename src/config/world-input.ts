import { parseInput, says, z } from '../domain/input-schema';
import { resolveGenerationInput, type GenerationInput, type GenerationParams } from './generation-input';

/** Generation fields a world does not take: it starts on `start` and goes on day by day. */
const NOT_WORLD_FIELDS = ['from', 'to', 'sessionsPerUser', 'resume', 'runId'] as const;

const perDayProblem = says((v) => `must be a number above 0 and at most 48, got ${JSON.stringify(v)}`);

/** The world's own fields; the others are a generation input's (generationInputSchema checks them). */
export const worldFieldsSchema = z
  .looseObject(
    {
      /** the world's name: its folder under `out` */
      name: z.string(says((v) => `must be the world's name, got ${JSON.stringify(v)}`)),
      /** its first day, YYYY-MM-DD */
      start: z.string(says((v) => `must be the first day, YYYY-MM-DD, got ${JSON.stringify(v)}`)),
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
    const field = NOT_WORLD_FIELDS.find((f) => f in input);
    if (field !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'is not a world field: a world starts on `start` and goes on day by day', input: input[field] });
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

export const DEFAULT_SESSIONS_PER_DAY = 1.5;

/** Validates a world input and fills in every default (the world's params, without the catalog yet). */
export function resolveWorldInput(raw: unknown): Omit<WorldDefinition, 'catalogSha256'> {
  const { name, start, sessionsPerDay, ...generation } = parseInput(worldFieldsSchema, raw);
  const params = resolveGenerationInput({ ...generation, from: start, to: start, runId: name }, name);
  return { name: params.runId, start, sessionsPerDay, params };
}
