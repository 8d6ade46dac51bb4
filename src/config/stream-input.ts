import { describeValue, orDefault, parseInput, says, wholeNumber, z } from '../domain/input-schema';
import { daySchema, outSchema, worldNameSchema } from './world-input';
import { registryBaseUrl } from './registry-url';
import type { InputError } from '../domain/errors';

const brokersProblem = says((v) => `must be a list of HOST:PORT, got ${describeValue(v)}`);
const speedProblem = says((v) => `must be a number above 0 or "max", got ${describeValue(v)}`);
const pollProblem = says((v) => `must be a number of seconds from 1 to 86400, got ${describeValue(v)}`);

/**
 * The most partitions a stream creates a topic with: each costs the broker files and memory and the
 * stream a lane, and one world's stream, keyed by user, is read by far fewer consumers (asked for
 * 10,000, a broker answered with errors the stream retried for minutes).
 */
export const MAX_PARTITIONS = 1000;

const STREAM_FIELDS = {
  /** the world's name: its folder under `out` */
  world: worldNameSchema,
  /** where worlds live, under the data root (default "data") */
  out: orDefault(outSchema, 'data'),
  /** bootstrap brokers, HOST:PORT (the worker must allow them: WRAPPED_ETL_KAFKA_ALLOW) */
  brokers: z
    .array(z.string(brokersProblem).regex(/^[^\s:/]+:\d{1,5}$/, brokersProblem), brokersProblem)
    .min(1, brokersProblem)
    .max(32, brokersProblem),
  /** the topic */
  topic: z.string(says((v) => `must be a Kafka topic name (letters, digits, . _ -), got ${describeValue(v)}`)).regex(
    /^[A-Za-z0-9._-]{1,249}$/,
    says((v) => `must be a Kafka topic name (letters, digits, . _ -), got ${describeValue(v)}`),
  ),
  /** first day to publish, YYYY-MM-DD (default: after the last day published to the topic) */
  from: orDefault(daySchema, null),
  /** event time per wall time, or "max" (default) */
  speed: orDefault(z.union([z.literal('max'), z.number().positive(speedProblem).finite(speedProblem)], speedProblem), 'max' as const),
  /** a Confluent schema registry URL (allowed by the worker like the brokers) */
  schemaRegistry: orDefault(
    z.string(says((v) => `must be a URL, got ${describeValue(v)}`)).superRefine((v, ctx) => {
      try {
        registryBaseUrl(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as InputError).problem, input: v });
      }
    }),
    null,
  ),
  /** partitions of a topic created by the stream (default 6, at most MAX_PARTITIONS) */
  partitions: orDefault(wholeNumber(1, MAX_PARTITIONS), 6),
  /** keep going: wait for the world's next days instead of ending (default false) */
  follow: orDefault(z.boolean(says((v) => `must be true or false, got ${describeValue(v)}`)), false),
  /** with follow: seconds between two looks for a new day (default 60) */
  pollSeconds: orDefault(z.number(pollProblem).min(1, pollProblem).max(86_400, pollProblem), 60),
};

/** The input of the streamWorld workflow: which world to publish where, and how. */
const streamInputSchema = z.strictObject(STREAM_FIELDS, {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field; known fields: ${Object.keys(STREAM_FIELDS).join(', ')}`
      : `must be a JSON object like {"world": "demo", "brokers": ["kafka:9092"], "topic": "listens"}, got ${describeValue(issue.input)}`,
});

export type StreamInput = z.input<typeof streamInputSchema>;
export type StreamRequest = z.output<typeof streamInputSchema>;

/** Validates a stream input and fills in its defaults (the brokers' allow-list is the worker's to check). */
export function resolveStreamInput(raw: unknown): StreamRequest {
  return parseInput(streamInputSchema, raw);
}
