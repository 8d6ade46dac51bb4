import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { resolveWorldInput } from '../src/config/world-input';
import { singleObjectFraming } from '../src/formats/avro/message-framing';
import { schemaType } from '../src/formats/avro/schemas';
import { listeningHistorySchemaFile } from '../src/formats/listening-history-versions';
import { runWorldDayJob } from '../src/pipeline/world-day-job';
import { WorldLayout } from '../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance, type RunDayShards } from '../src/pipeline/world-store';
import { dayMessagesInOrder } from '../src/stream/day-events';
import { ensureTopic } from '../src/stream/kafka-topic';
import { streamWorld } from '../src/stream/stream-world';
import { DAY_HEADER, SEQ_HEADER } from '../src/stream/kafka-topic';

const ROOT = path.resolve(__dirname, '..', '..');
/** the Kafka jars of test/kafka/pom.xml (kafka-tools among them), where the tests keep them */
const KAFKA_LIBS = path.resolve(process.env.WRAPPED_ETL_TEST_KAFKA_LIBS ?? path.join(ROOT, 'test', 'kafka', 'libs'));
const PARTITIONS = 6;
const START = '2025-06-01';

export interface StreamVsProducer {
  /** `stream --speed max`: events / the streamer's whole time (reading the days, topic checks, sending) */
  streamEventsPerSec: number;
  /** Kafka's ProducerPerformance: as many records of the same average size, same broker and settings */
  producerPerformancePerSec: number;
  ratio: number;
  /** each side's runs, in the order stream, producer, producer, stream: the figures above are their means */
  streamRuns: number[];
  producerRuns: number[];
  events: number;
  /** key + value + header bytes of the average message, the record size given to ProducerPerformance */
  recordBytes: number;
  settings: string;
}

/** The broker: the one given, or the test broker started as a process of its own (test/kafka/start-broker.ts). */
async function broker(given: string | undefined, log: (msg: string) => void): Promise<{ brokers: string; stop: () => void }> {
  if (given) return { brokers: given, stop: () => {} };
  log('starting the test broker (test/kafka/start-broker.ts)...');
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'test/kafka/start-broker.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, WRAPPED_ETL_TEST_KAFKA_LIBS: KAFKA_LIBS },
    },
  );
  const stop = () => child.kill('SIGTERM');
  for await (const line of createInterface({ input: child.stdout! })) {
    const m = /^brokers (\S+)$/.exec(line);
    if (m) return { brokers: m[1], stop };
  }
  throw new Error('the test broker did not start');
}

/**
 * `stream --speed max` of a world of `users` users and `days` days against Kafka's own
 * ProducerPerformance on the same broker, with the same acks (all), idempotence, compression
 * (lz4), partitions and record size: each twice, in the order stream, producer, producer, stream.
 */
export async function measureStreamVsProducer(
  dir: string,
  users: number,
  days: number,
  givenBrokers: string | undefined,
  log: (msg: string) => void,
): Promise<StreamVsProducer> {
  const worldDir = path.join(dir, 'world');
  log(`making a world of ${users} users, ${days} days...`);
  await createWorld(worldDir, resolveWorldInput({ name: 'world', users, start: START }));
  const sequential: RunDayShards = async (jobs) => {
    const out = [];
    for (const job of jobs) out.push(await runWorldDayJob(job));
    return out;
  };
  const last = new Date(Date.parse(START) + (days - 1) * 86_400_000).toISOString().slice(0, 10);
  for (const day of daysToAdvance(worldDir, last)) await advanceOneDay(worldDir, day, sequential);

  // the average message as stream sends it: key, single-object encoded value, the two position headers
  const layout = new WorldLayout(worldDir);
  const type = schemaType(listeningHistorySchemaFile(1));
  const framing = singleObjectFraming(type);
  let bytes = 0;
  let count = 0;
  for (const day of layout.completeDays()) {
    const messages = await dayMessagesInOrder(layout, day, type, framing);
    for (let seq = 0; seq < messages.count; seq++)
      bytes += String(messages.userIds[seq]).length + DAY_HEADER.length + day.length + SEQ_HEADER.length + String(seq).length;
    bytes += messages.values.length;
    count += messages.count;
  }
  const recordBytes = Math.round(bytes / count);

  const { brokers, stop } = await broker(givenBrokers, log);
  // topics of their own, so a broker given with --brokers can serve run after run
  const runTag = Date.now().toString(36);
  const settings = 'acks=all enable.idempotence=true compression.type=lz4 max.in.flight.requests.per.connection=5';
  let round = 0;
  const streamOnce = async () => {
    log(`stream --speed max: ${count} events...`);
    const result = await streamWorld({
      worldDir,
      brokers: [brokers],
      topic: `bench-stream-${runTag}-${round++}`,
      speed: 'max',
      partitions: PARTITIONS,
    });
    if (result.sent !== count) throw new Error(`the stream sent ${result.sent} of ${count} events`);
    return Math.round(result.sent / (result.ms / 1000));
  };
  const producerPerformanceOnce = async () => {
    const topic = `bench-producer-performance-${runTag}-${round++}`;
    await ensureTopic([brokers], topic, PARTITIONS);
    log(`ProducerPerformance: ${count} records of ${recordBytes} bytes, ${settings}...`);
    const pp = spawnSync(
      'java',
      [
        '-cp',
        `${KAFKA_LIBS}/*`,
        'org.apache.kafka.tools.ProducerPerformance',
        '--topic',
        topic,
        '--num-records',
        String(count),
        '--record-size',
        String(recordBytes),
        '--throughput',
        '-1',
        '--producer-props',
        `bootstrap.servers=${brokers}`,
        ...settings.split(' '),
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const summary = /(\d+) records sent, ([\d.]+) records\/sec/.exec(pp.stdout.trim().split('\n').pop() ?? '');
    if (pp.status !== 0 || !summary) throw new Error(`ProducerPerformance failed (${pp.status}): ${pp.stderr || pp.stdout}`);
    return Math.round(Number(summary[2]));
  };
  try {
    // stream, producer, producer, stream: neither side gains from going second on a warming broker
    const streamRuns = [await streamOnce()];
    const producerRuns = [await producerPerformanceOnce(), await producerPerformanceOnce()];
    streamRuns.push(await streamOnce());
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const streamEventsPerSec = mean(streamRuns);
    const producerPerformancePerSec = mean(producerRuns);
    return {
      streamEventsPerSec,
      producerPerformancePerSec,
      ratio: Math.round((streamEventsPerSec / producerPerformancePerSec) * 1000) / 1000,
      streamRuns,
      producerRuns,
      events: count,
      recordBytes,
      settings,
    };
  } finally {
    stop();
  }
}
