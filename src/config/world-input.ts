import { InputError } from '../domain/errors';
import { resolveGenerationInput, type GenerationInput, type GenerationParams } from './generation-input';

/** The input of `world create` (and of the world workflow): a generation input plus the world's own fields. */
export interface WorldInput extends Omit<GenerationInput, 'from' | 'to' | 'sessionsPerUser' | 'resume' | 'runId'> {
  /** the world's name: its folder under `out` */
  name?: string;
  /** its first day, YYYY-MM-DD */
  start?: string;
  /** sessions a day of a user of average activity (default 1.5) */
  sessionsPerDay?: number;
}

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
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError('input', `must be a JSON object like {"name": "demo", "users": 1000, "start": "2025-01-01"}, got ${JSON.stringify(raw)}`);
  }
  const { name, start, sessionsPerDay, ...generation } = raw as WorldInput & Record<string, unknown>;
  for (const field of ['from', 'to', 'sessionsPerUser', 'resume', 'runId']) {
    if (field in generation) throw new InputError(field, 'is not a world field: a world starts on `start` and goes on day by day');
  }
  if (typeof name !== 'string') throw new InputError('name', `must be the world's name, got ${JSON.stringify(name)}`);
  if (typeof start !== 'string') throw new InputError('start', `must be the first day, YYYY-MM-DD, got ${JSON.stringify(start)}`);
  const perDay = sessionsPerDay ?? DEFAULT_SESSIONS_PER_DAY;
  if (typeof perDay !== 'number' || !Number.isFinite(perDay) || perDay <= 0 || perDay > 48) {
    throw new InputError('sessionsPerDay', `must be a number above 0 and at most 48, got ${JSON.stringify(sessionsPerDay)}`);
  }
  const params = resolveGenerationInput({ ...generation, from: start, to: start, runId: name }, name);
  return { name: params.runId, start, sessionsPerDay: perDay, params };
}
