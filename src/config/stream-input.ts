import { InputError } from '../domain/errors';
import { dateToEpochMs } from '../domain/time-units';
import { checkWorldName } from './world-input';

/** The input of the streamWorld workflow: which world to publish where, and how. */
export interface StreamInput {
  /** the world's name: its folder under `out` */
  world: string;
  /** where worlds live, under the data root (default "data") */
  out?: string;
  /** bootstrap brokers, HOST:PORT (the worker must allow them: WRAPPED_ETL_KAFKA_ALLOW) */
  brokers: string[];
  topic: string;
  /** first day to publish, YYYY-MM-DD (default: after the last day published to the topic) */
  from?: string;
  /** event time per wall time, or "max" (default) */
  speed?: number | 'max';
  /** a Confluent schema registry URL (allowed by the worker like the brokers) */
  schemaRegistry?: string;
  /** partitions of a topic created by the stream (default 6) */
  partitions?: number;
  /** keep going: wait for the world's next days instead of ending (default false) */
  follow?: boolean;
  /** with follow: seconds between two looks for a new day (default 60) */
  pollSeconds?: number;
}

export type StreamRequest = Required<Omit<StreamInput, 'from' | 'schemaRegistry'>> & { from: string | null; schemaRegistry: string | null };

const FIELDS = new Set(['world', 'out', 'brokers', 'topic', 'from', 'speed', 'schemaRegistry', 'partitions', 'follow', 'pollSeconds']);

/** Validates a stream input and fills in its defaults (the brokers' allow-list is the worker's to check). */
export function resolveStreamInput(raw: unknown): StreamRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError(
      'input',
      `must be a JSON object like {"world": "demo", "brokers": ["kafka:9092"], "topic": "listens"}, got ${JSON.stringify(raw)}`,
    );
  }
  const input = raw as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => !FIELDS.has(k));
  if (unknown) throw new InputError(unknown, `is not a field of a stream (fields: ${[...FIELDS].join(', ')})`);
  const world = checkWorldName('world', input.world);
  const out = input.out ?? 'data';
  if (typeof out !== 'string' || out === '')
    throw new InputError('out', `must be a folder under the data root, got ${JSON.stringify(input.out)}`);
  const brokers = input.brokers;
  if (
    !Array.isArray(brokers) ||
    brokers.length === 0 ||
    brokers.length > 32 ||
    !brokers.every((b) => typeof b === 'string' && /^[^\s:/]+:\d{1,5}$/.test(b))
  ) {
    throw new InputError('brokers', `must be a list of HOST:PORT, got ${JSON.stringify(brokers)}`);
  }
  const topic = input.topic;
  if (typeof topic !== 'string' || !/^[A-Za-z0-9._-]{1,249}$/.test(topic))
    throw new InputError('topic', `must be a Kafka topic name (letters, digits, . _ -), got ${JSON.stringify(topic)}`);
  const from = input.from ?? null;
  if (from !== null && (typeof from !== 'string' || Number.isNaN(dateToEpochMs(from))))
    throw new InputError('from', `must be a day YYYY-MM-DD, got ${JSON.stringify(from)}`);
  const speed = input.speed ?? 'max';
  if (speed !== 'max' && (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0))
    throw new InputError('speed', `must be a number above 0 or "max", got ${JSON.stringify(speed)}`);
  const schemaRegistry = input.schemaRegistry ?? null;
  if (schemaRegistry !== null && typeof schemaRegistry !== 'string')
    throw new InputError('schemaRegistry', `must be a URL, got ${JSON.stringify(schemaRegistry)}`);
  const partitions = input.partitions ?? 6;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1 || partitions > 10_000)
    throw new InputError('partitions', `must be a whole number from 1 to 10000, got ${JSON.stringify(partitions)}`);
  const follow = input.follow ?? false;
  if (typeof follow !== 'boolean') throw new InputError('follow', `must be true or false, got ${JSON.stringify(follow)}`);
  const pollSeconds = input.pollSeconds ?? 60;
  if (typeof pollSeconds !== 'number' || !Number.isFinite(pollSeconds) || pollSeconds < 1 || pollSeconds > 86_400)
    throw new InputError('pollSeconds', `must be a number of seconds from 1 to 86400, got ${JSON.stringify(pollSeconds)}`);
  return {
    world,
    out,
    brokers: brokers as string[],
    topic,
    from: from as string | null,
    speed: speed as number | 'max',
    schemaRegistry,
    partitions,
    follow,
    pollSeconds,
  };
}
