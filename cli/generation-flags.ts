import { SOURCE_SPEC_FORMS } from '../src/catalog/source-kinds';
import { DEFAULTS, type GenerationInput } from '../src/config/generation-input';
import type { FlagDefs } from './flags';
import { UsageError } from './usage-error';

/** The flags that describe a generation, shared by `generate` and `schedule create` (without run-name). */
export const GENERATION_FLAGS = {
  users: { type: 'string', value: 'N', help: 'users to simulate (default 100)' },
  'sessions-per-user': {
    type: 'string',
    value: 'N',
    help: 'sessions per user, heavy-tailed around N (default: the listening-volume\nmodel, active days x sessions per active day; docs/realism.md)',
  },
  'session-hours': {
    type: 'string',
    value: 'A-B',
    help: 'session length uniform in A-B hours (default: heavy-tailed, median\n~20 min, shorter on mobile; docs/realism.md)',
  },
  from: { type: 'string', value: 'DATE', help: 'first simulated day, YYYY-MM-DD (default 2025-01-01)' },
  to: { type: 'string', value: 'DATE', help: 'last simulated day, YYYY-MM-DD (default 2025-12-31)' },
  seed: { type: 'string', value: 'N', help: 'run seed; same input, same bytes (default 42)' },
  catalog: {
    type: 'string',
    value: 'SOURCE',
    multiple: true,
    help: `${SOURCE_SPEC_FORMS.join(' | ')}\n(repeatable; default ${DEFAULTS.catalog.join(',')})`,
  },
  out: {
    type: 'string',
    value: 'DIR',
    help: 'output root under the data root (WRAPPED_ETL_DATA_ROOT, default the working directory); the run goes to DIR/<run name> (default data)',
  },
  'shard-size': { type: 'string', value: 'N', help: 'users per shard / part file (default: ~250k records per\nshard, >= 8 shards)' },
  parallelism: { type: 'string', value: 'N', help: 'shards in flight at once (default 4)' },
  format: { type: 'string', value: 'LIST', help: 'avro or avro,parquet (default avro)' },
  'parquet-codec': { type: 'string', value: 'snappy|zstd', help: 'page codec of the Parquet parts (default snappy)' },
  'avro-codec': { type: 'string', value: 'deflate|snappy|zstandard', help: 'block codec of the AVRO parts (default deflate)' },
  'schema-version': {
    type: 'string',
    value: '1|2',
    help: 'output schema version (default 1; 2 adds playback context\nand timestamp-millis times)',
  },
  'travel-share': { type: 'string', value: 'X', help: 'share of sessions away from home, 0..1 (default 0.02)' },
  countries: { type: 'string', value: 'LIST', help: 'restrict to ISO countries, e.g. SE,NO or SE=3,NO=1' },
  input: { type: 'string', value: 'JSON', help: 'the whole input as JSON (flags override its fields)' },
} as const satisfies FlagDefs;

/** Naming the run folder: only for one-off runs (a schedule names each run after its time). */
export const RUN_NAME_FLAGS = {
  'run-name': { type: 'string', value: 'NAME', help: 'name of the run folder (default: the workflow id)' },
  'run-id': { type: 'string', value: 'NAME', help: 'old name of --run-name', hidden: true },
} as const satisfies FlagDefs;

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} needs a number, got "${v}"`);
  return n;
}

function countries(v: string | undefined): GenerationInput['countries'] {
  if (v === undefined) return undefined;
  const parts = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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
    runId: s('run-name') ?? s('run-id'),
    shardSize: num('shard-size', s('shard-size')),
    parallelism: num('parallelism', s('parallelism')),
    format: s('format'),
    schemaVersion: num('schema-version', s('schema-version')) as 1 | 2 | undefined,
    parquetCodec: s('parquet-codec') as GenerationInput['parquetCodec'],
    avroCodec: s('avro-codec') as GenerationInput['avroCodec'],
    travelShare: num('travel-share', s('travel-share')),
    countries: countries(s('countries')),
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) merged[k] = v;
  return merged as GenerationInput;
}
