import type { ParseArgsConfig } from 'node:util';
import type { GenerationInput } from '../src/config/generation-input';
import { UsageError } from './usage-error';

/** The flags shared by `generate`, `schedule create` and anything else that starts a generation. */
export const GENERATION_FLAGS = {
  users: { type: 'string' },
  'sessions-per-user': { type: 'string' },
  'session-hours': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  seed: { type: 'string' },
  catalog: { type: 'string', multiple: true },
  out: { type: 'string' },
  'run-id': { type: 'string' },
  'shard-size': { type: 'string' },
  parallelism: { type: 'string' },
  format: { type: 'string' },
  'schema-version': { type: 'string' },
  'travel-share': { type: 'string' },
  countries: { type: 'string' },
  input: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const GENERATION_FLAGS_USAGE = `  --users N              users to simulate (default 100)
  --sessions-per-user N  sessions per user (default 20)
  --session-hours A-B    session length range in hours (default 0.5-2)
  --from DATE --to DATE  simulated period, YYYY-MM-DD (default 2025-01-01..2025-12-31)
  --seed N               run seed; same input, same bytes (default 42)
  --catalog SOURCE       csv:PATH | html:URL | source:PATH.json | synthetic:N (repeatable; default synthetic:8000)
  --out DIR              output root; the run goes to DIR/<run id> (default data)
  --run-id NAME          name of the run folder (default: the workflow id)
  --shard-size N         users per shard / part file (default: ~250k records per shard, >= 8 shards)
  --parallelism N        shards in flight at once (default 4)
  --format LIST          avro or avro,parquet (default avro)
  --schema-version 1|2   output schema version (default 1)
  --travel-share X       share of sessions away from home, 0..1 (default 0.02)
  --countries LIST       restrict to ISO countries, e.g. SE,NO or SE=3,NO=1
  --input JSON           the whole input as JSON (flags override its fields)`;

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} needs a number, got "${v}"`);
  return n;
}

function countries(v: string | undefined): GenerationInput['countries'] {
  if (v === undefined) return undefined;
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.every((p) => !p.includes('='))) return parts.map((p) => p.toUpperCase());
  return Object.fromEntries(
    parts.map((p) => {
      const [code, w] = p.split('=');
      return [code.toUpperCase(), num('countries', w ?? '1')!];
    }),
  );
}

/** Flags → GenerationInput. Values are checked later by resolveGenerationInput, field by field. */
export function inputFromFlags(values: Record<string, string | string[] | boolean | undefined>): GenerationInput {
  let base: GenerationInput = {};
  if (typeof values.input === 'string') {
    try {
      base = JSON.parse(values.input);
    } catch (err) {
      throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`);
    }
  }
  const s = (k: string) => values[k] as string | undefined;
  const flags: GenerationInput = {
    users: num('users', s('users')),
    sessionsPerUser: num('sessions-per-user', s('sessions-per-user')),
    sessionHours: s('session-hours'),
    from: s('from'),
    to: s('to'),
    seed: num('seed', s('seed')),
    catalog: values.catalog as string[] | undefined,
    out: s('out'),
    runId: s('run-id'),
    shardSize: num('shard-size', s('shard-size')),
    parallelism: num('parallelism', s('parallelism')),
    format: s('format'),
    schemaVersion: num('schema-version', s('schema-version')) as 1 | 2 | undefined,
    travelShare: num('travel-share', s('travel-share')),
    countries: countries(s('countries')),
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  return merged as GenerationInput;
}
