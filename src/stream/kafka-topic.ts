import { Admin, Consumer, murmur2 } from '@platformatic/kafka';
import { BrokerRefused, brokerRefused, kafkaErrorText } from './kafka-error';

/** Headers naming a message's place in the world's stream: its day and its index in that day's event-time order. */
export const DAY_HEADER = 'wrapped-etl-day';
export const SEQ_HEADER = 'wrapped-etl-seq';

export interface StreamPosition {
  day: string;
  seq: number;
}

/** Kafka's default partitioner for keyed messages (murmur2 of the key, positive, modulo the partitions), as Java clients compute it. */
export function partitionFor(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

function clientOptions(brokers: string[], clientId: string) {
  return { clientId, bootstrapBrokers: brokers, retries: 10, retryDelay: 300 };
}

/**
 * The topic's partition count, creating it with `partitions` when missing, once every
 * partition has a leader (producing before that made brokers answer NOT_LEADER).
 */
export async function ensureTopic(brokers: string[], topic: string, partitions: number): Promise<number> {
  const admin = new Admin(clientOptions(brokers, 'wrapped-etl-stream-admin'));
  try {
    const existing = await admin.listTopics();
    // records carry the events' own times, often older than any time-based retention (7 days by default): a broker would delete them at its next retention check
    if (!existing.includes(topic))
      await admin
        .createTopics({ topics: [topic], partitions, replicas: 1, configs: [{ name: 'retention.ms', value: '-1' }] })
        .catch((err: unknown) => {
          if (!brokerRefused(err)) throw err;
          throw new BrokerRefused(`the broker refused to create topic ${topic} with ${partitions} partitions: ${kafkaErrorText(err)}`, {
            cause: err,
          });
        });
    for (let attempt = 0; ; attempt++) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
      const info = metadata.topics.get(topic);
      if (info && info.partitions.length > 0 && info.partitions.every((p) => p.leader >= 0)) return info.partitions.length;
      if (attempt >= 100) throw new Error(`topic ${topic}: partitions have no leader after 30 s`);
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await admin.close();
  }
}

/** A partition no longer holds its last message: the broker deleted it (retention), so where the stream stopped is unknown. */
export class TopicRetentionError extends Error {
  override name = 'TopicRetentionError';
}

/**
 * The position of the last message in each partition (absent for an empty partition, or one whose last
 * message is not from this stream). With an idempotent producer a partition holds a prefix of what was sent
 * to it, in order, so everything up to its last position is in it, once.
 */
export async function readTails(brokers: string[], topic: string, attempts = 5): Promise<Map<number, StreamPosition>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readTailsOnce(brokers, topic);
    } catch (err) {
      if (err instanceof TopicRetentionError) throw err;
      if (attempt >= attempts)
        throw new Error(`topic ${topic}: could not read where each partition stopped: ${kafkaErrorText(err)}`, { cause: err });
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** Enough for the producer's largest batch (the broker answers whole batches). */
const TAIL_FETCH_BYTES = 16 * 1024 * 1024;

/**
 * Fetches the last message of each non-empty partition from its leader by offset, outside any
 * consumer group: a group's members, generations and rebalances live on the broker beyond the
 * process that joined it, so a reader that died (or could not leave in time on a loaded machine)
 * would stall or break every later read of the topic.
 */
async function readTailsOnce(brokers: string[], topic: string): Promise<Map<number, StreamPosition>> {
  // fetch, listOffsets and metadata never join the group a Consumer must name
  const consumer = new Consumer({ ...clientOptions(brokers, 'wrapped-etl-stream-resume'), groupId: 'wrapped-etl-stream-resume' });
  const tails = new Map<number, StreamPosition>();
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const wanted = new Map<number, bigint>();
    ends.forEach((end, partition) => {
      if (end > 0n) wanted.set(partition, end - 1n);
    });
    if (wanted.size === 0) return tails;
    const starts = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic) ?? [];
    for (const [partition, last] of wanted) {
      if ((starts[partition] ?? 0n) > last)
        throw new TopicRetentionError(
          `topic ${topic}: partition ${partition} no longer holds its messages (the broker deleted offsets below ${starts[partition]}), so where the stream stopped is unknown; ` +
            "the records' timestamps are the events' times: give the topic retention.ms=-1 (topics stream creates have it) or a retention longer than the world's age, and stream into a new topic",
        );
    }
    const info = (await consumer.metadata({ topics: [topic] })).topics.get(topic);
    if (!info) throw new Error(`topic ${topic} is not in the broker's metadata`);
    const byLeader = new Map<number, number[]>();
    for (const partition of wanted.keys()) {
      const leader = info.partitions[partition]?.leader ?? -1;
      if (leader < 0) throw new Error(`partition ${partition} of ${topic} has no leader`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    for (const [node, partitions] of byLeader) {
      const response = await consumer.fetch({
        node,
        topics: [
          {
            topicId: info.id,
            partitions: partitions.map((partition) => ({
              partition,
              currentLeaderEpoch: -1,
              fetchOffset: wanted.get(partition)!,
              lastFetchedEpoch: -1,
              partitionMaxBytes: TAIL_FETCH_BYTES,
            })),
          },
        ],
        maxBytes: TAIL_FETCH_BYTES,
        maxWaitTime: 200,
      });
      for (const answer of response.responses.flatMap((t) => t.partitions)) {
        const last = wanted.get(answer.partitionIndex);
        for (const batch of answer.records ?? []) {
          const record = batch.records.find((r) => batch.firstOffset + BigInt(r.offsetDelta) === last);
          if (!record) continue;
          wanted.delete(answer.partitionIndex);
          const headers = new Map(record.headers.filter((h): h is [Buffer, Buffer] => h[0] !== null && h[1] !== null));
          const position = headerPosition(headers);
          if (position) tails.set(answer.partitionIndex, position);
        }
      }
    }
    if (wanted.size > 0) throw new Error(`the last message of partition(s) ${[...wanted.keys()].join(', ')} did not come back`);
    return tails;
  } finally {
    await consumer.close(true);
  }
}

/** The stream position a message's headers carry, if any. */
export function headerPosition(headers: Map<Buffer, Buffer>): StreamPosition | undefined {
  let day: string | undefined;
  let seq: number | undefined;
  for (const [k, v] of headers) {
    const key = k.toString();
    if (key === DAY_HEADER) day = v.toString();
    else if (key === SEQ_HEADER) seq = Number(v.toString());
  }
  return day !== undefined && seq !== undefined && Number.isInteger(seq) ? { day, seq } : undefined;
}

/** True when `a` is at or after `b` in the stream. */
export function atOrAfter(a: StreamPosition, b: StreamPosition): boolean {
  return a.day > b.day || (a.day === b.day && a.seq >= b.seq);
}
