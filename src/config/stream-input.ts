import { dateToEpochMs } from '../domain/time-units';
import { parseInput, says, z } from '../domain/input-schema';
import { worldNameSchema } from './world-input';

const problem = (text: string) => says((v) => `${text}, got ${JSON.stringify(v)}`);
const numberWhere = (text: string, ok: (v: number) => boolean) => z.number(problem(text)).refine(ok, problem(text));
const orElse = <S extends z.ZodType, D>(schema: S, fallback: D) =>
  schema.nullish().transform((v): z.output<S> | D => (v === undefined || v === null ? fallback : (v as z.output<S>)));

const STREAM_FIELDS = {
  /** the world's name: its folder under `out` */
  world: worldNameSchema,
  /** where worlds live, under the data root (default "data") */
  out: orElse(z.string(problem('must be a folder under the data root')).min(1, problem('must be a folder under the data root')), 'data'),
  /** bootstrap brokers, HOST:PORT (the worker must allow them: WRAPPED_ETL_KAFKA_ALLOW) */
  brokers: z
    .array(z.unknown(), problem('must be a list of HOST:PORT'))
    .refine(
      (b) => b.length > 0 && b.length <= 32 && b.every((x) => typeof x === 'string' && /^[^\s:/]+:\d{1,5}$/.test(x)),
      problem('must be a list of HOST:PORT'),
    )
    .transform((b) => b as string[]),
  topic: z
    .string(problem('must be a Kafka topic name (letters, digits, . _ -)'))
    .regex(/^[A-Za-z0-9._-]{1,249}$/, problem('must be a Kafka topic name (letters, digits, . _ -)')),
  /** first day to publish, YYYY-MM-DD (default: after the last day published to the topic) */
  from: orElse(
    z.string(problem('must be a day YYYY-MM-DD')).refine((v) => !Number.isNaN(dateToEpochMs(v)), problem('must be a day YYYY-MM-DD')),
    null,
  ),
  /** event time per wall time, or "max" (default) */
  speed: orElse(
    z.union(
      [z.literal('max'), z.number().refine((v) => v > 0, problem('must be a number above 0 or "max"'))],
      problem('must be a number above 0 or "max"'),
    ),
    'max' as const,
  ),
  /** a Confluent schema registry URL (allowed by the worker like the brokers) */
  schemaRegistry: orElse(z.string(problem('must be a URL')), null),
  /** partitions of a topic created by the stream (default 6) */
  partitions: orElse(
    numberWhere('must be a whole number from 1 to 10000', (v) => Number.isInteger(v) && v >= 1 && v <= 10_000),
    6,
  ),
  /** keep going: wait for the world's next days instead of ending (default false) */
  follow: orElse(z.boolean(problem('must be true or false')), false),
  /** with follow: seconds between two looks for a new day (default 60) */
  pollSeconds: orElse(
    numberWhere('must be a number of seconds from 1 to 86400', (v) => v >= 1 && v <= 86_400),
    60,
  ),
};

/** The input of the streamWorld workflow: which world to publish where, and how. */
export const streamInputSchema = z.strictObject(STREAM_FIELDS, {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `is not a field of a stream (fields: ${Object.keys(STREAM_FIELDS).join(', ')})`
      : `must be a JSON object like {"world": "demo", "brokers": ["kafka:9092"], "topic": "listens"}, got ${JSON.stringify(issue.input)}`,
});

export type StreamInput = z.input<typeof streamInputSchema>;
export type StreamRequest = z.output<typeof streamInputSchema>;

/** Validates a stream input and fills in its defaults (the brokers' allow-list is the worker's to check). */
export function resolveStreamInput(raw: unknown): StreamRequest {
  return parseInput(streamInputSchema, raw);
}
