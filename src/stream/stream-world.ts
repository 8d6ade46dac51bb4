import { Producer } from '@platformatic/kafka';
import { confluentFraming, singleObjectFraming, type MessageFraming } from '../formats/avro/message-framing';
import { loadSchemaJson, schemaType } from '../formats/avro/schemas';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import { writeFileAtomic } from '../runtime/atomic-file';
import { readSealedJsonIfValid, sealedJson } from '../runtime/json-file';
import { readWorldDefinition, WorldLayout } from '../pipeline/world-layout';
import { dayMessagesInOrder, messageValue } from './day-events';
import { atOrAfter, DAY_HEADER, ensureTopic, partitionFor, readTails, SEQ_HEADER, type StreamPosition } from './kafka-topic';
import { registerValueSchema } from './schema-registry';
import { PartitionLanes } from './partition-lanes';
import { claimOwnedChecked, holdOwned, processHolderAlive, processOwnerId, releaseOwned, type HolderAlive } from '../pipeline/run-owner';
import { streamOfTopic } from './stream-owner';

export interface StreamOptions {
  worldDir: string;
  brokers: string[];
  topic: string;
  /** first day to publish (default: the world's first day, or the day after the last one published) */
  from?: string;
  /** event time per wall time (60: a minute of events per second), or 'max' */
  speed: number | 'max';
  /** Confluent schema registry: values in its wire format instead of single-object encoding */
  schemaRegistry?: string;
  /** partitions of a topic this creates (default 6) */
  partitions?: number;
  /** messages per produce request (one partition's) */
  batchSize?: number;
  /** publish at most this many days (the stream workflow publishes one per run) */
  maxDays?: number;
  onProgress?: (p: StreamProgress) => void;
  signal?: AbortSignal;
  /**
   * Who streams: one streamer per (world, topic) at a time, a second one is refused naming the
   * holder. A workflow passes its id (and releases when it ends); without it, this process
   * streams and releases when done.
   */
  owner?: { id: string; holderAlive?: HolderAlive };
}

export interface StreamProgress {
  day: string;
  dayEvents: number;
  /** events of this day handled so far: sent now, or found in the topic already */
  dayDone: number;
  sent: number;
  skipped: number;
  daysDone: number;
}

export interface StreamResult {
  days: string[];
  sent: number;
  /** events found in the topic already (a resumed stream) */
  skipped: number;
  ms: number;
}

/** Per topic, in the world folder: the last day whose events are all acknowledged by the broker. */
interface StreamCheckpoint {
  topic: string;
  completeThrough: string;
}

/**
 * The topic's checkpoint, or undefined when there is none or it does not check (not JSON, or not
 * what its seal says): the stream then reads its days from the start, and the topic's tails skip
 * what the broker holds already, so nothing is sent twice.
 */
function readCheckpoint(layout: WorldLayout, topic: string): StreamCheckpoint | undefined {
  const checkpoint = readSealedJsonIfValid<StreamCheckpoint>(layout.streamCheckpointPath(topic));
  return typeof checkpoint?.completeThrough === 'string' && checkpoint.topic === topic ? checkpoint : undefined;
}

/**
 * LZ4: Kafka's fast codec (the client's WebAssembly build, the same on every Node); ~4x smaller
 * requests than none for these messages, at little CPU. zstd would need Node >= 22.15 in this client.
 */
const STREAM_COMPRESSION = 'lz4';

const DAY_HEADER_KEY = Buffer.from(DAY_HEADER);
const SEQ_HEADER_KEY = Buffer.from(SEQ_HEADER);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Publishes the world's complete days into a Kafka topic, day after day, each day's events in
 * event-time order, keyed by user id (Kafka's default partitioning, computed here so a message's
 * partition is known before it is sent), LZ4-compressed, up to 5 requests in flight but one per
 * partition (partition-lanes.ts). Exactly once across crashes: the producer is idempotent and a
 * partition has one request in flight at a time, so each partition holds a prefix of what was sent to it; every
 * message carries its (day, sequence) in headers; on start the last message of each partition
 * says where that partition stopped, and only what follows is sent. The checkpoint file records
 * the days fully acknowledged, so a restart does not re-read them.
 */
export async function streamWorld(options: StreamOptions): Promise<StreamResult> {
  const stream = streamOfTopic(options.worldDir, options.topic);
  const ownerId = options.owner?.id ?? processOwnerId();
  readWorldDefinition(new WorldLayout(options.worldDir));
  await claimOwnedChecked(stream, ownerId, {
    holderAlive: options.owner?.holderAlive ?? (async (holder) => processHolderAlive(holder)),
  });
  try {
    return await streamClaimed(options, () => holdOwned(stream, ownerId));
  } finally {
    if (!options.owner) releaseOwned(stream, ownerId);
  }
}

async function streamClaimed(options: StreamOptions, stillOwned: () => void): Promise<StreamResult> {
  const started = Date.now();
  const layout = new WorldLayout(options.worldDir);
  const world = readWorldDefinition(layout);
  const schemaFile = listeningHistorySchemaFile(world.params.schemaVersion);
  const type = schemaType(schemaFile);
  // the registry gets the whole writer schema (docs, defaults, logical types), so its consumers decode typed
  // timestamps and its compatibility checks see v2's defaults; single-object encoding fingerprints the canonical form
  const framing: MessageFraming = options.schemaRegistry
    ? confluentFraming(type, await registerValueSchema(options.schemaRegistry, options.topic, JSON.stringify(loadSchemaJson(schemaFile))))
    : singleObjectFraming(type);
  const checkpoint = readCheckpoint(layout, options.topic);
  const days = layout
    .completeDays()
    .filter((d) => d >= (options.from ?? world.start) && (!checkpoint || d > checkpoint.completeThrough || options.from !== undefined))
    .slice(0, options.maxDays);
  const readDay = (day: string) => {
    const read = dayMessagesInOrder(layout, day, type, framing);
    // awaited in its turn; until then a failure must not count as unhandled
    read.catch(() => {});
    return read;
  };
  // the first day is read while the broker answers about the topic
  let nextDay = days.length > 0 ? readDay(days[0]) : undefined;
  const partitions = await ensureTopic(options.brokers, options.topic, options.partitions ?? 6);
  const tails = await readTails(options.brokers, options.topic);

  const producer = new Producer({
    clientId: 'wrapped-etl-stream',
    bootstrapBrokers: options.brokers,
    idempotent: true,
    acks: -1,
    retries: 10,
    retryDelay: 300,
    compression: STREAM_COMPRESSION,
  });
  const batchSize = options.batchSize ?? 1000;
  const progress: StreamProgress = { day: '', dayEvents: 0, dayDone: 0, sent: 0, skipped: 0, daysDone: 0 };
  /** a user's key, made once */
  const keys = new Map<number, Buffer>();
  let firstEventTime: number | undefined;
  let wallStart = 0;
  try {
    for (const [d, day] of days.entries()) {
      const messages = await nextDay!;
      const dayBytes = Buffer.from(day);
      Object.assign(progress, { day, dayEvents: messages.count, dayDone: 0 });
      // each request only while this streamer still holds the topic's claim
      const lanes = new PartitionLanes(producer, partitions, batchSize, stillOwned, (sent) => {
        progress.sent += sent;
        options.onProgress?.({ ...progress });
      });
      const flush = () => lanes.flush();
      for (let seq = 0; seq < messages.count; seq++) {
        if (options.signal?.aborted) throw new Error('stream stopped');
        const userId = messages.userIds[seq];
        const key = keys.get(userId) ?? keys.set(userId, Buffer.from(String(userId))).get(userId)!;
        const partition = partitionFor(key, partitions);
        const here: StreamPosition = { day, seq };
        const tail = tails.get(partition);
        progress.dayDone = seq + 1;
        if (tail && atOrAfter(tail, here)) {
          progress.skipped++;
          continue;
        }
        const eventTime = messages.startTimes[seq];
        if (options.speed !== 'max') {
          if (firstEventTime === undefined) [firstEventTime, wallStart] = [eventTime, Date.now()];
          const due = wallStart + (eventTime - firstEventTime) / options.speed;
          if (due > Date.now() + 5) {
            await flush();
            await sleep(due - Date.now(), options.signal);
          }
        }
        await lanes.push(partition, {
          topic: options.topic,
          partition,
          key,
          value: messageValue(messages, seq),
          timestamp: BigInt(eventTime),
          headers: new Map([
            [DAY_HEADER_KEY, dayBytes],
            [SEQ_HEADER_KEY, Buffer.from(String(seq))],
          ]),
        });
      }
      // the next day is read while the broker answers this one's last requests
      nextDay = d + 1 < days.length ? readDay(days[d + 1]) : undefined;
      await flush();
      writeFileAtomic(
        layout.streamCheckpointPath(options.topic),
        sealedJson({ topic: options.topic, completeThrough: day } satisfies StreamCheckpoint) + '\n',
      );
      progress.daysDone++;
      options.onProgress?.({ ...progress });
    }
  } finally {
    await producer.close();
  }
  return { days, sent: progress.sent, skipped: progress.skipped, ms: Date.now() - started };
}
