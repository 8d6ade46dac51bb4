import { resolveStreamInput, type StreamRequest } from '../../src/config/stream-input';
import { InputError } from '../../src/domain/errors';
import { dataRoot, resolveRunDir } from '../../src/runtime/data-root';
import { streamWorld, type StreamProgress } from '../../src/stream/stream-world';
import { processOwnerId, releaseOwned, RunOwnedElsewhere } from '../../src/pipeline/run-owner';
import { streamOfTopic } from '../../src/stream/stream-owner';
import { ProgressBar } from '../progress-bar';
import { expectPositionals, parseCommand, usageError, type CommandDef } from '../flags';
import { DEFAULT_ADDRESS } from '../temporal/constants';
import { TemporalHolderCheck } from '../temporal/holder-check';
import { explicitAddress } from '../temporal/session';

const STREAM = {
  name: 'stream',
  args: 'WORLD',
  about: `Publishes the world's complete days (DIR/WORLD/avro/dt=*, DIR: --out, default data) into a Kafka
topic: each day's events in event-time order, keyed by user id, values in Avro's single-object
encoding (or the Confluent wire format with --schema-registry). Headers wrapped-etl-day and
wrapped-etl-seq give each event's place in the stream. Stopped or killed, it resumes where
the topic ends: every event lands exactly once. One streamer per world and topic: one that a
workflow holds is asked of Temporal (--address), and taken over as soon as it has closed.`,
  flags: {
    brokers: { type: 'string', value: 'LIST', help: 'bootstrap brokers, HOST:PORT[,HOST:PORT] (required)' },
    topic: { type: 'string', value: 'T', help: 'the topic (created with --partitions when missing; required)' },
    from: { type: 'string', value: 'DAY', help: 'first day to publish, YYYY-MM-DD (default: after the last\nday published to T)' },
    speed: {
      type: 'string',
      value: 'X|max',
      help: 'X: events paced at X times real time (60: an hour in a minute);\nmax (default): as fast as the broker takes them',
    },
    'schema-registry': {
      type: 'string',
      value: 'URL',
      help: 'register the value schema as subject T-value; values in the\nConfluent wire format',
    },
    partitions: { type: 'string', value: 'N', help: 'partitions of a topic created here (default 6)' },
    out: { type: 'string', value: 'DIR', help: 'where the world is, under the data root (default data)' },
    follow: {
      type: 'boolean',
      help: "keep going: wait for the world's next days (world advance, a\nschedule) and publish each once complete; stop with Ctrl-C",
    },
    poll: { type: 'string', value: 'SECONDS', help: 'with --follow: how often to look for a new day (default 10)' },
    address: {
      type: 'string',
      value: 'HOST:PORT',
      help: 'the Temporal server asked whether a streamWorld workflow holding\nthe topic still runs (default TEMPORAL_ADDRESS or 127.0.0.1:7233;\nnot started here)',
    },
  },
} as const satisfies CommandDef;

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}

function formatStream(p: StreamProgress, { elapsedMs }: { elapsedMs: number }): string {
  const rate = elapsedMs > 0 ? Math.round((p.sent / elapsedMs) * 1000) : 0;
  return `${p.day}: ${p.dayDone}/${p.dayEvents} events  days done ${p.daysDone}  sent ${p.sent}  already in topic ${p.skipped}  ${rate} events/s`;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(STREAM, argv);
  expectPositionals(STREAM, positionals, 1, 'the WORLD to publish');
  if (!values.brokers) throw usageError(STREAM, '--brokers HOST:PORT is required');
  if (values.poll !== undefined && !values.follow) throw usageError(STREAM, '--poll goes with --follow');
  const number = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) throw usageError(STREAM, `--${flag} needs a number, got "${text}"`);
    return n;
  };
  // the stream workflow's own schema (src/config/stream-input.ts): the same bounds from the CLI, the Web UI and schedules
  let request: StreamRequest;
  try {
    request = resolveStreamInput({
      world: positionals[0],
      out: values.out,
      brokers: values.brokers
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
      topic: values.topic,
      from: values.from,
      speed: values.speed === undefined || values.speed === 'max' ? 'max' : number('speed', values.speed),
      schemaRegistry: values['schema-registry'],
      partitions: number('partitions', values.partitions),
      follow: Boolean(values.follow),
      pollSeconds: number('poll', values.poll) ?? 10,
    });
  } catch (err) {
    if (err instanceof InputError) throw usageError(STREAM, err.message);
    throw err;
  }
  const { brokers, speed, partitions, pollSeconds } = request;
  const worldDir = resolveRunDir(dataRoot(), request.out, request.world);

  const bar = new ProgressBar<StreamProgress>(process.stderr, formatStream);
  let last: StreamProgress | undefined;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const say = (result: Awaited<ReturnType<typeof streamWorld>>) => {
    const rate = result.ms > 0 ? Math.round((result.sent / result.ms) * 1000) : 0;
    process.stdout.write(
      result.days.length === 0
        ? `Nothing to publish: every complete day of ${positionals[0]} is in ${values.topic} already (give --from to look again)\n`
        : `Published ${result.days[0]}..${result.days[result.days.length - 1]} of ${positionals[0]} to ${values.topic}: ${result.sent} events sent` +
            `${result.skipped ? `, ${result.skipped} found in the topic already` : ''}, in ${(result.ms / 1000).toFixed(1)} s (${rate} events/s)\n`,
    );
  };
  // this process holds (world, topic) through every pass of --follow, released when it stops
  const holders = new TemporalHolderCheck(explicitAddress(values.address) ?? DEFAULT_ADDRESS);
  const owner = { id: processOwnerId(), holderAlive: holders.holderAlive };
  try {
    let from = request.from;
    for (;;) {
      const result = await streamWorld({
        owner,
        worldDir,
        brokers,
        topic: request.topic,
        from: from ?? undefined,
        speed,
        schemaRegistry: request.schemaRegistry ?? undefined,
        partitions,
        signal: abort.signal,
        onProgress: (p) => bar.update((last = p)),
      });
      if (!values.follow || result.days.length) {
        bar.finish(last);
        say(result);
      }
      if (!values.follow) break;
      // --from applies to the first pass only; later passes go on after the last day published
      if (result.days.length) from = null;
      await waitOrAbort(pollSeconds * 1000, abort.signal);
      if (abort.signal.aborted) {
        process.stdout.write(`Stopped following ${positionals[0]}\n`);
        break;
      }
    }
  } catch (err) {
    if (err instanceof RunOwnedElsewhere) throw new Error(`${err.message}; ${holders.refusal(err.owner)}`, { cause: err });
    throw err;
  } finally {
    await holders.close();
    releaseOwned(streamOfTopic(worldDir, request.topic), owner.id);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
