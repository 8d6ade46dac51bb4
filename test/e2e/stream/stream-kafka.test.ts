import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Admin, Consumer } from '@platformatic/kafka';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { headerPosition } from '../../../src/stream/kafka-topic';
import { streamWorld } from '../../../src/stream/stream-world';
import { confluentFraming, singleObjectFraming } from '../../../src/formats/avro/message-framing';
import { schemaType } from '../../../src/formats/avro/schemas';
import { listeningHistorySchemaFile } from '../../../src/formats/listening-history-versions';
import { readContainer } from '../../../src/formats/avro/read-container';
import { WorldLayout } from '../../../src/pipeline/world-layout';
import { advanceOneDay, createWorld, daysToAdvance } from '../../../src/pipeline/world-store';
import { createGenerationWorker } from '../../../cli/temporal/worker';
import { STREAM_WORLD, streamProgressQuery, type StreamWorldWorkflow } from '../../../workflows/contracts';
import { historiesOfChain } from '../../helpers/cli-process';
import { startDevServerEnv } from '../../helpers/temporal-env';
import { resolveWorldInput } from '../../../src/config/world-input';
import { readManifest } from '../../../src/pipeline/manifest';
import { startKafka, type KafkaBroker } from '../../helpers/kafka-broker';
import { readWholeTopic, topicSize } from '../../helpers/kafka-read';
import { makeTmpDir } from '../../helpers/tmp-dir';
import { dayShardsInThread } from '../../helpers/world-files';
import { fullDiskUnavailable, runOnFullDisk } from '../../helpers/full-disk';
import { ensureKafkaJars, ensurePythonTools, pythonEnv } from '../../helpers/test-tools';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = path.join(ROOT, 'bin', 'wrapped-etl.js');
const tmp = makeTmpDir('wrapped-etl-stream-');
let kafka: KafkaBroker;
const env = { ...process.env, WRAPPED_ETL_DATA_ROOT: tmp.dir };
const cli = (args: string[]) => promisify(execFile)(process.execPath, [BIN, ...args], { env, cwd: tmp.dir });
const worldDir = path.join(tmp.dir, 'data', 'w');

/** why the broker or its independent reader cannot run here (only when a prerequisite of README's is missing) */
const missing = ensureKafkaJars() ?? ensurePythonTools();
beforeEach((ctx) => {
  if (missing) ctx.skip(missing);
});
beforeAll(async () => {
  if (missing) return;
  kafka = await startKafka();
  // the world is made in process (world create/advance run as workflows: test/e2e/world)
  await createWorld(worldDir, resolveWorldInput({ name: 'w', users: 150, shardSize: 50, start: '2025-06-01', catalog: ['synthetic:600'] }));
  for (const day of daysToAdvance(worldDir, '2025-06-03')) await advanceOneDay(worldDir, day, dayShardsInThread);
}, 400_000);
afterAll(async () => {
  await kafka?.stop();
  tmp.cleanup();
});

/** Every record of the world's complete days, as JSON, with its day. */
interface DumpedMessage {
  partition: number;
  key: string;
  headers: [string, string][];
  value?: Record<string, unknown>;
}
/** The topic as test/helpers/python/kafka_dump.py reads it with confluent-kafka; with a registry, values decoded by Confluent's AvroDeserializer. */
function dumpTopic(topic: string, registry?: string): DumpedMessage[] {
  const args = [path.join(ROOT, 'test', 'helpers', 'python', 'kafka_dump.py'), kafka.brokers, topic, ...(registry ? [registry] : [])];
  const r = spawnSync('python3', args, { encoding: 'utf8', env: pythonEnv(), maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`kafka_dump.py ${topic} failed (${r.status}): ${r.stderr || r.error?.message}`);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DumpedMessage);
}

async function partRecords(): Promise<string[]> {
  const layout = new WorldLayout(worldDir);
  const out: string[] = [];
  for (const day of layout.completeDays()) {
    for (const part of readManifest(layout.day(day).manifestPath).parts) {
      for await (const r of readContainer(layout.day(day).pathOf(part.file))) out.push(JSON.stringify(r));
    }
  }
  return out.sort();
}

/** The lane's dev server and a worker on `taskQueue` that allows the test broker. */
async function streamStack(taskQueue: string) {
  const env = await startDevServerEnv();
  const before = process.env.WRAPPED_ETL_KAFKA_ALLOW;
  process.env.WRAPPED_ETL_KAFKA_ALLOW = kafka.brokers;
  const worker = await createGenerationWorker({ connection: env.nativeConnection, taskQueue, dataRoot: tmp.dir, threads: 1 });
  if (before === undefined) delete process.env.WRAPPED_ETL_KAFKA_ALLOW;
  else process.env.WRAPPED_ETL_KAFKA_ALLOW = before;
  return { env, worker, running: worker.run() };
}

describe('stream into a real Kafka', () => {
  it('holds every event exactly once after the streamer is SIGKILLed halfway and restarted', async () => {
    const expected = await partRecords();
    // paced (a day in about 4 s) so the kill lands mid-stream, also on a loaded machine
    const child = spawn(
      process.execPath,
      [BIN, 'stream', 'w', '--brokers', kafka.brokers, '--topic', 'listens', '--speed', '20000', '--partitions', '4'],
      { env, cwd: tmp.dir, stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.once('exit', r));
    // halfway through the three days: inside the middle one, not at a day boundary (a third is the end of day one)
    const deadline = Date.now() + 120_000;
    while ((await topicSize(kafka.brokers, 'listens')) < expected.length / 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    await exited;
    const before = await topicSize(kafka.brokers, 'listens');
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(expected.length);

    const { stdout } = await cli(['stream', 'w', '--brokers', kafka.brokers, '--topic', 'listens', '--speed', 'max']);
    expect(stdout).toMatch(/found in the topic already/);

    const messages = await readWholeTopic(kafka.brokers, 'listens');
    expect(messages).toHaveLength(expected.length);
    const framing = singleObjectFraming(schemaType(listeningHistorySchemaFile(1)));
    const positions = new Set<string>();
    const lastTime = new Map<number, number>();
    const got: string[] = [];
    for (const m of messages.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      const record = framing.decode(m.value) as { user_id: number; listening_time: { start_time: number } };
      expect(m.key.toString()).toBe(String(record.user_id));
      const pos = headerPosition(m.headers)!;
      positions.add(`${pos.day}/${pos.seq}`);
      // within a partition, event time never goes back
      expect(record.listening_time.start_time).toBeGreaterThanOrEqual(lastTime.get(m.partition) ?? 0);
      lastTime.set(m.partition, record.listening_time.start_time);
      got.push(JSON.stringify(record));
    }
    expect(positions.size).toBe(expected.length);
    expect(got.sort()).toEqual(expected);

    // an independent reader: confluent-kafka (librdkafka) sees the same count, keys and headers
    const lines = dumpTopic('listens').map((m) => `${m.key} ${m.headers.map(([k, v]) => `${k}=${v}`).join(',')}`);
    expect(lines).toHaveLength(expected.length);
    expect(new Set(lines).size).toBe(expected.length);
    expect(lines[0]).toMatch(/^\d+ wrapped-etl-day=\d{4}-\d{2}-\d{2},wrapped-etl-seq=\d+$/);

    const again = await cli(['stream', 'w', '--brokers', kafka.brokers, '--topic', 'listens']);
    expect(again.stdout).toMatch(/Nothing to publish/);
    expect(await topicSize(kafka.brokers, 'listens')).toBe(expected.length);
  });

  it('writes the Confluent wire format with the id a schema registry gives', async () => {
    const subjects: string[] = [];
    const registry = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        subjects.push(`${req.method} ${req.url} ${JSON.parse(body).schema.slice(0, 30)}`);
        res.setHeader('Content-Type', 'application/vnd.schemaregistry.v1+json');
        res.end(JSON.stringify({ id: 42 }));
      });
    });
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(registry.address() as { port: number }).port}`;
      await cli(['stream', 'w', '--brokers', kafka.brokers, '--topic', 'confluent', '--from', '2025-06-02', '--schema-registry', url]);
      expect(subjects).toHaveLength(1);
      expect(subjects[0]).toMatch(/^POST \/subjects\/confluent-value\/versions \{"doc":"User listening history/);
    } finally {
      registry.close();
    }
    const layout = new WorldLayout(worldDir);
    const dayRecords =
      readManifest(layout.day('2025-06-02').manifestPath).totalRecords + readManifest(layout.day('2025-06-03').manifestPath).totalRecords;
    const messages = await readWholeTopic(kafka.brokers, 'confluent');
    expect(messages).toHaveLength(dayRecords);
    const framing = confluentFraming(schemaType(listeningHistorySchemaFile(1)), 42);
    expect(messages[0].value.subarray(0, 5).toString('hex')).toBe('000000002a');
    for (const m of messages) expect(() => framing.decode(m.value)).not.toThrow();
  });

  it('resumes outside any consumer group: members that died in a group named after the stream do not stall or break it', async () => {
    const topic = 'dead-members';
    const first = await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max', partitions: 3, maxDays: 1 });
    expect(first.days).toEqual(['2025-06-01']);
    // consumers that join a group and are SIGKILLed stay its members until their session times out (a minute):
    // a reader joining such a group would wait for them; the stream reads partition tails outside any group
    const member = `
      const { Consumer } = require('@platformatic/kafka');
      const [brokers, topic, groupId] = process.argv.slice(1);
      const consumer = new Consumer({ clientId: 'doomed', groupId, bootstrapBrokers: [brokers] });
      consumer.consume({ topics: [topic], mode: 'manual', offsets: [{ topic, partition: 0, offset: 0n }], autocommit: false })
        .then((stream) => { stream.on('data', () => {}); console.log('joined'); });`;
    for (const groupId of ['wrapped-etl-stream-resume', `wrapped-etl-stream-resume-${topic}`]) {
      const child = spawn(process.execPath, ['-e', member, kafka.brokers, topic, groupId], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('joined') && resolve());
        child.once('exit', (code) => reject(new Error(`the group member exited (${code}) before joining`)));
      });
      child.kill('SIGKILL');
    }
    const rest = await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max', partitions: 3 });
    expect(rest.days).toEqual(['2025-06-02', '2025-06-03']);
    const expected = await partRecords();
    const messages = await readWholeTopic(kafka.brokers, topic);
    expect(messages).toHaveLength(expected.length);
    expect(new Set(messages.map((m) => JSON.stringify(headerPosition(m.headers)))).size).toBe(expected.length);
  });

  it("fails saying why when the broker deleted a topic's messages (a time retention shorter than the events' age)", async () => {
    const topic = 'short-retention';
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [kafka.brokers] });
    try {
      // made elsewhere, with the broker's default retention of 7 days; topics stream creates keep their messages
      await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    } finally {
      await admin.close();
    }
    await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max', maxDays: 1 });
    // the records' timestamps are the events' (June 2025): the next retention check (every second here) deletes them
    const consumer = new Consumer({ clientId: 'test-offsets', groupId: 'test-offsets', bootstrapBrokers: [kafka.brokers] });
    try {
      const deadline = Date.now() + 60_000;
      const deleted = async () => {
        const [ends, starts] = await Promise.all([-1n, -2n].map((timestamp) => consumer.listOffsets({ topics: [topic], timestamp })));
        return ends.get(topic)!.every((end, p) => end > 0n && starts.get(topic)![p] === end);
      };
      while (!(await deleted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await deleted()).toBe(true);
    } finally {
      await consumer.close(true);
    }
    await expect(streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max' })).rejects.toThrow(
      /^topic short-retention: partition \d no longer holds its messages .* give the topic retention\.ms=-1/,
    );
  });

  it('streams as a workflow, one day per run, to brokers the worker allows, and refuses others', async () => {
    const { env, worker, running } = await streamStack('stream-wf');
    try {
      const start = (workflowId: string, input: object) =>
        env.client.workflow.execute<StreamWorldWorkflow>(STREAM_WORLD, { taskQueue: 'stream-wf', workflowId, args: [input as never] });
      const result = await start('stream-wf', { world: 'w', brokers: [kafka.brokers], topic: 'wf', partitions: 3 });
      const expected = await partRecords();
      expect(result).toMatchObject({ days: 3, sent: expected.length, lastDay: '2025-06-03', waiting: false });
      expect((await historiesOfChain(env.client, 'stream-wf')).length).toBe(4);
      const messages = await readWholeTopic(kafka.brokers, 'wf');
      expect(
        new Set(
          messages.map((m) => {
            const p = headerPosition(m.headers)!;
            return `${p.day}/${p.seq}`;
          }),
        ).size,
      ).toBe(expected.length);
      expect(messages).toHaveLength(expected.length);

      const refused = async (input: object, pattern: RegExp) => {
        const err = await start(`refused-${Math.random()}`, input).then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: Error },
        );
        expect(err?.cause?.message).toMatch(pattern);
      };
      await refused(
        { world: 'w', brokers: ['127.0.0.1:1'], topic: 'x' },
        /invalid input: brokers: broker 127.0.0.1:1 is not allowed by this worker; .*WRAPPED_ETL_KAFKA_ALLOW/,
      );
      await refused(
        { world: 'w', brokers: [kafka.brokers], topic: 'x', schemaRegistry: 'http://169.254.169.254/latest' },
        /invalid input: schemaRegistry: schema registry 169.254.169.254:80 is not allowed/,
      );
      await refused({ world: 'w', out: '../../etc', brokers: [kafka.brokers], topic: 'x' }, /invalid input: out: .*outside the data root/);
    } finally {
      worker.worker.shutdown();
      await running;
      await env.teardown();
    }
  });

  it('runs one streamer per (world, topic): a second start is refused at once naming the holder, a gone holder releases at once', async () => {
    const { env: temporal, worker, running } = await streamStack('stream-one');
    const start = (workflowId: string, topic: string, extra: object = {}) =>
      temporal.client.workflow.start<StreamWorldWorkflow>(STREAM_WORLD, {
        taskQueue: 'stream-one',
        workflowId,
        args: [{ world: 'w', brokers: [kafka.brokers], topic, partitions: 3, ...extra } as never],
      });
    const outcome = (h: Awaited<ReturnType<typeof start>>) =>
      h.result().then(
        () => 'completed',
        (e: Error & { cause?: Error }) => e.cause?.message ?? e.message,
      );
    try {
      // two workflow starts at once (as two Web UI users would): one streams, the other is refused naming it
      const [a, b] = await Promise.all([start('twice-a', 'twice'), start('twice-b', 'twice')]);
      const outcomes = await Promise.all([outcome(a), outcome(b)]);
      expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
      const refusal = outcomes.find((o) => o !== 'completed')!;
      expect(refusal).toMatch(/^world w -> topic twice is being streamed by workflow twice-[ab] .*one stream per world and topic/);
      // an independent reader (confluent-kafka) counts each event once, by its place in the stream
      const expected = (await partRecords()).length;
      const lines = dumpTopic('twice').map((m) => m.headers.map(([k, v]) => `${k}=${v}`).join(','));
      expect(lines).toHaveLength(expected);
      expect(new Set(lines).size).toBe(expected);

      // a CLI streamer holds the topic too: a workflow is refused naming its process, and takes over once it is killed
      const child = spawn(process.execPath, [BIN, 'stream', 'w', '--brokers', kafka.brokers, '--topic', 'shared', '--speed', '20000'], {
        env,
        cwd: tmp.dir,
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      const deadline = Date.now() + 120_000;
      while ((await topicSize(kafka.brokers, 'shared')) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await outcome(await start('beside-cli', 'shared'))).toMatch(
        new RegExp(`^world w -> topic shared is being streamed by process ${child.pid} on `),
      );
      child.kill('SIGKILL');
      await exited;
      expect(await outcome(await start('after-cli', 'shared'))).toBe('completed');
      expect(await topicSize(kafka.brokers, 'shared')).toBe(expected);

      // a following stream holds the topic while it waits; terminated, it holds nothing
      const follower = await start('follower', 'followed', { follow: true, pollSeconds: 3600 });
      while ((await follower.query(streamProgressQuery).catch(() => undefined))?.waiting !== true)
        await new Promise((r) => setTimeout(r, 200));
      expect(await outcome(await start('beside-follower', 'followed'))).toMatch(/being streamed by workflow follower/);
      await follower.terminate('test: a terminated holder');
      expect(await outcome(await start('after-follower', 'followed'))).toBe('completed');
    } finally {
      worker.worker.shutdown();
      await running;
      await temporal.teardown();
    }
  });

  it('a CLI stream asks Temporal about a workflow holder: refused while it runs, streams at once once it is terminated; with no server to ask, says so and when the lease ends', async () => {
    const { env: temporal, worker, running } = await streamStack('stream-cli-holder');
    const address = temporal.address;
    const cliStream = (server: string) =>
      cli(['stream', 'w', '--brokers', kafka.brokers, '--topic', 't3', '--address', server]).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
      );
    try {
      // as `temporal workflow start --type streamWorld` with follow: true would: it streams the world's days, then waits
      const holder = await temporal.client.workflow.start<StreamWorldWorkflow>(STREAM_WORLD, {
        taskQueue: 'stream-cli-holder',
        workflowId: 's3a',
        args: [{ world: 'w', brokers: [kafka.brokers], topic: 't3', partitions: 3, follow: true, pollSeconds: 3600 } as never],
      });
      while ((await holder.query(streamProgressQuery).catch(() => undefined))?.waiting !== true)
        await new Promise((r) => setTimeout(r, 200));
      const refusedRunning = await cliStream(address);
      expect(refusedRunning.code).toBe(1);
      expect(refusedRunning.out).toMatch(
        new RegExp(
          `world w -> topic t3 is being streamed by workflow s3a .*; Temporal at ${address} says it is running: one stream per world and topic`,
        ),
      );
      const noServer = new RegExp(
        'world w -> topic t3 is being streamed by workflow s3a .*; whether it still runs could not be asked \\(no Temporal server answers at 127.0.0.1:1\\): ' +
          'it is taken over at once when the Temporal server it runs on .* says it has closed, else when its lease ends at 20\\d\\d-',
      );
      expect(await cliStream('127.0.0.1:1')).toMatchObject({ code: 1, out: expect.stringMatching(noServer) });

      await holder.terminate('test: the holder is gone');
      // a server that cannot be asked leaves it to the lease (10 minutes); the server the holder ran on releases it at once
      expect(await cliStream('127.0.0.1:1')).toMatchObject({ code: 1, out: expect.stringMatching(noServer) });
      const after = await cliStream(address);
      expect(after).toMatchObject({
        code: 0,
        out: 'Nothing to publish: every complete day of w is in t3 already (give --from to look again)\n',
      });
      await expectWholeWorld('t3');
    } finally {
      worker.worker.shutdown();
      await running;
      await temporal.teardown();
    }
  });

  /** The topic's messages by their place in the stream ("day/seq"), checked to be each there once. */
  async function positionsOnce(topic: string): Promise<string[]> {
    const positions = (await readWholeTopic(kafka.brokers, topic)).map((m) => {
      const p = headerPosition(m.headers)!;
      return `${p.day}/${p.seq}`;
    });
    expect(new Set(positions).size).toBe(positions.length);
    return positions;
  }
  const dayRecords = (day: string) => readManifest(new WorldLayout(worldDir).day(day).manifestPath).totalRecords;
  const THREE_DAYS = ['2025-06-01', '2025-06-02', '2025-06-03'];
  /** the whole world, streamed: every event of its days once, as many as its manifests say */
  const expectWholeWorld = async (topic: string) =>
    expect((await positionsOnce(topic)).length).toBe(THREE_DAYS.reduce((n, d) => n + dayRecords(d), 0));

  // the fault matrix's stream cells (docs/durability.md)
  it('a truncated part of a day being streamed: fails naming the file before sending any of that day; restored, the stream goes on, each event once', async () => {
    const part = new WorldLayout(worldDir).day('2025-06-02').partPath(1);
    const saved = fs.readFileSync(part);
    fs.truncateSync(part, Math.floor(saved.length / 2));
    try {
      const err = await streamWorld({ worldDir, brokers: [kafka.brokers], topic: 'torn', speed: 'max', partitions: 3 }).catch(
        (e: unknown) => e as Error,
      );
      expect((err as Error).name).toBe('DamagedPart');
      expect((err as Error).message).toContain(`${part} is damaged`);
    } finally {
      fs.writeFileSync(part, saved);
    }
    // the day before it, whole, and nothing of it
    const sent = await positionsOnce('torn');
    expect(sent.every((p) => p.startsWith('2025-06-01/'))).toBe(true);
    expect(sent).toHaveLength(dayRecords('2025-06-01'));
    const rest = await streamWorld({ worldDir, brokers: [kafka.brokers], topic: 'torn', speed: 'max' });
    expect(rest).toMatchObject({ days: ['2025-06-02', '2025-06-03'], skipped: 0 });
    await expectWholeWorld('torn');
  });

  it("a stream checkpoint whose completeThrough was moved to a later day (still JSON): its seal fails, the days are read again and the topic's tails skip what it holds", async () => {
    const topic = 'moved-checkpoint';
    expect((await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max', partitions: 3, maxDays: 1 })).days).toEqual([
      '2025-06-01',
    ]);
    const checkpoint = new WorldLayout(worldDir).streamCheckpointPath(topic);
    const text = fs.readFileSync(checkpoint, 'utf8');
    expect(text).toContain('"completeThrough":"2025-06-01"');
    fs.writeFileSync(checkpoint, text.replace('"completeThrough":"2025-06-01"', '"completeThrough":"2025-06-03"'));
    const rest = await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max' });
    expect(rest).toMatchObject({ days: THREE_DAYS, skipped: dayRecords('2025-06-01') });
    await expectWholeWorld(topic);
    expect(JSON.parse(fs.readFileSync(checkpoint, 'utf8'))).toMatchObject({ completeThrough: '2025-06-03' });
  });

  it('a full disk where the stream writes its checkpoint: fails naming the checkpoint, leaves no temp file; the next stream sends the rest, each event once', async (ctx) => {
    const unavailable = fullDiskUnavailable();
    if (unavailable) return ctx.skip(unavailable);
    const topic = 'full-disk';
    const streamDir = path.dirname(new WorldLayout(worldDir).streamCheckpointPath(topic));
    // _stream/ on a full tmpfs, its owners/ (the topic's claim) on the real disk
    const r = await runOnFullDisk(
      streamDir,
      [process.execPath, BIN, 'stream', 'w', '--brokers', kafka.brokers, '--topic', topic, '--speed', 'max', '--partitions', '3'],
      { keep: ['owners'], env, cwd: tmp.dir },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `the disk is full: no space left to write ${path.join(streamDir, `${topic}.json`)} (filesystem ${streamDir}: 0.0 MB free`,
    );
    expect(r.stderr).toContain('ENOSPC');
    expect(r.left).toEqual([]);
    // the first day was acknowledged before its checkpoint failed: in the topic once, and nothing after it
    const sent = await positionsOnce(topic);
    expect(sent.every((p) => p.startsWith('2025-06-01/'))).toBe(true);
    expect(sent).toHaveLength(dayRecords('2025-06-01'));
    const rest = await streamWorld({ worldDir, brokers: [kafka.brokers], topic, speed: 'max' });
    expect(rest).toMatchObject({ days: THREE_DAYS, skipped: dayRecords('2025-06-01') });
    await expectWholeWorld(topic);
  });

  it('stream --follow waits for the next day and publishes it once complete', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'stream', 'w', '--brokers', kafka.brokers, '--topic', 'follow', '--follow', '--poll', '1'],
      { env, cwd: tmp.dir, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const waitForSize = async (n: number) => {
      const deadline = Date.now() + 120_000;
      while ((await topicSize(kafka.brokers, 'follow')) < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      return topicSize(kafka.brokers, 'follow');
    };
    const threeDays = (await partRecords()).length;
    expect(await waitForSize(threeDays)).toBe(threeDays);
    await advanceOneDay(worldDir, '2025-06-04', dayShardsInThread);
    const fourDays = (await partRecords()).length;
    expect(await waitForSize(fourDays)).toBe(fourDays);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/Published 2025-06-01\.\.2025-06-03 of w to follow/);
    expect(stdout).toMatch(/Published 2025-06-04\.\.2025-06-04 of w to follow/);
    expect(stdout).toMatch(/Stopped following w/);
  });
});
