import { Consumer, type Message } from '@platformatic/kafka';

/** Every message of the topic, from the start of each partition to its end offset at the time of the call. */
export async function readWholeTopic(brokers: string, topic: string): Promise<Message[]> {
  const consumer = new Consumer({
    clientId: 'test-reader',
    groupId: `test-reader-${topic}-${process.pid}-${Date.now()}`,
    bootstrapBrokers: [brokers],
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const total = ends.reduce((n, e) => n + Number(e), 0);
    const out: Message[] = [];
    if (total === 0) return out;
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false, maxWaitTime: 200 });
    try {
      for await (const m of stream) {
        out.push(m);
        if (out.length >= total) break;
      }
    } finally {
      await stream.close();
    }
    return out;
  } finally {
    await consumer.close(true);
  }
}

/** End offsets of each partition, summed: how many messages the topic holds (0 while the topic does not exist yet). */
export async function topicSize(brokers: string, topic: string): Promise<number> {
  const consumer = new Consumer({ clientId: 'test-size', groupId: `test-size-${process.pid}`, bootstrapBrokers: [brokers] });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    return ends.reduce((n, e) => n + Number(e), 0);
  } catch (err) {
    // only "no such topic" means empty; a broker that cannot be reached or refuses is a failure, said as such
    if (isUnknownTopic(err)) return 0;
    throw err;
  } finally {
    await consumer.close(true);
  }
}

function isUnknownTopic(err: unknown): boolean {
  const e = err as { apiId?: string; code?: string; message?: string; findBy?: (property: string, value: string) => unknown };
  // @platformatic/kafka turns the broker's UNKNOWN_TOPIC_OR_PARTITION in metadata into a UserError "Unknown topic T."
  if (e?.code === 'PLT_KFK_USER' && /^Unknown topic /.test(e.message ?? '')) return true;
  return e?.apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || !!e?.findBy?.('apiId', 'UNKNOWN_TOPIC_OR_PARTITION');
}
