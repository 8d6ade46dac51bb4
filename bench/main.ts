import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULTS } from '../src/config/generation-input';
import { parseArgs } from 'node:util';
import { measureShardCeiling } from './shard-ceiling';
import { measureParquetCost } from './parquet-cost';
import { measureWholeRun, measureWholeRunDiskVsBucket } from './whole-run';
import { measureStreamVsProducer } from './stream-vs-producer';
import { measureWrappedVsDuckdb } from './wrapped-vs-duckdb';

const usage = `npm run bench -- [--records N] [--catalog SOURCE] [--json]
npm run bench -- --whole [--records N] [--catalog SOURCE] [--json]
npm run bench -- --whole --out s3://BUCKET/PREFIX [--rounds N] [--records N] [--catalog SOURCE] [--json]
npm run bench -- --export [--records N] [--json]
npm run bench -- --parquet [--records N] [--json]
npm run bench -- --stream [--users N] [--days N] [--brokers HOST:PORT] [--json]
npm run bench -- --wrapped [--records N] [--json]

Default: records/s of simulate + encode + deflate on one thread (one shard through
the real shard job: catalog indexes, users, the deterministic AVRO writer), then, in
the same run, records/s of plain avsc writing (BlockEncoder, deflate) of as many
pre-built records: the ceiling. Prints {"recordsPerSec","baselineRecordsPerSec",
"ratio","peakRssMb","records","codecs"}; peak RSS right after the simulation phase;
codecs: the same shard with each avroCodec (deflate, snappy, zstandard), best of 2
alternating rounds: {"recordsPerSec","bytesPerRecord"} each.

--whole: a real generation with the default settings on the embedded default (dev
server, in-process worker and its thread pool), then the single-thread shard job
in the same process. Prints {"recordsPerSec","ceilingPerThread","threads","ratio",
"startupMs","peakRssMb",...}: recordsPerSec from the workflow's start to its
manifest, ratio = recordsPerSec / (threads x ceilingPerThread), startupMs until
the worker polls, peak RSS of this process (worker and threads) after the run.
Then \`wrapped-etl export RUN --format spotify-extended --out DIR --json\` of the same
run (every user, into a folder; its own process): "export": {"folder": {"streamsPerSec",
"seconds","cpuSeconds","peakRssMb","streams","bytes"}} and "exportRatio" = its
streamsPerSec / the generation's recordsPerSec.

--export: --whole with the export into a zip as well ("export": {"folder","zip"},
"zipExportRatio"); default --records 2000000.

--whole --out s3://BUCKET/PREFIX: the same generation on disk and into the bucket
prefix, alternating (disk then bucket, then bucket then disk, ...) for --rounds rounds (default 2)
through one in-process worker. The server, region, path style and credentials come
from this process's environment, as a worker's (AWS_ENDPOINT_URL_S3, AWS_REGION,
WRAPPED_ETL_S3_PATH_STYLE=1, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), and the bucket
must be under WRAPPED_ETL_S3_ALLOW (docs/storage.md, "What a worker needs"; the test
server: npx tsx test/s3/serve.ts BUCKET prints them). Prints {"diskRecordsPerSec",
"bucketRecordsPerSec","ratio","diskPeakRssMb","bucketPeakRssMb","bucketManifestSeconds",
...}: ratio = mean bucket records/s / mean disk records/s; peak RSS sampled every 100 ms
during each run. Each run is removed once measured, from the bucket too.

--parquet: one shard on one thread as AVRO and as AVRO+Parquet (best of 5
alternating rounds, wall and CPU time), and the Parquet part's size against
DuckDB's own rewrite of the same rows (SNAPPY). Prints {"avroSeconds",
"avroParquetSeconds","timeRatio","cpuTimeRatio","parquetBytes","duckdbBytes","sizeRatio",...}.

--stream: a world of --users (default 1000) users and --days (default 2) days streamed
with \`stream --speed max\` into a 6-partition topic, and Kafka's own ProducerPerformance
(test/kafka/libs) sending as many records of the same average size (key, value and
headers) to the same broker with acks=all, idempotence, lz4 and up to 5 requests in
flight; each twice, in the order stream, producer, producer, stream, on topics of their
own. The broker: --brokers, or the test broker started for the run. Prints
{"streamEventsPerSec","producerPerformancePerSec","ratio","streamRuns","producerRuns",
"events","recordBytes","settings"} (the per-second figures the means of the runs).

--wrapped: a run of --records (default 2000000) records with AVRO and Parquet parts,
generated through the CLI on a dev server started for the bench, then \`wrapped-etl wrapped\`
on it (the whole command, worker start-up included; peak RSS of its process), then DuckDB
(@duckdb/node-api, one thread per core) computing the equivalent aggregates (per user
records, plays, minutes, distinct songs and artists, skip rate, top 5 songs/artists/genres;
per country top 5; run top 10) as SQL over the same run's Parquet parts. Prints
{"wrappedSeconds","duckdbSeconds","ratio","wrappedCpuSeconds","duckdbCpuSeconds","cpuRatio",
"wrappedPeakRssMb","records","users","parts","threads"} (CPU seconds of the wrapped process with
its threads, and of DuckDB's queries with its threads).

  --records N       records to write (default 200000; --whole 5000000; --wrapped and --export 2000000)
  --catalog SOURCE  catalog of the simulated run (default: the generation's default catalog)
  --out s3://B/P    with --whole: compare disk with this bucket prefix
  --rounds N        with --whole --out: disk/bucket pairs (default 2)
  --json            print the result as one JSON line
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      records: { type: 'string' },
      catalog: { type: 'string' },
      whole: { type: 'boolean' },
      export: { type: 'boolean' },
      parquet: { type: 'boolean' },
      stream: { type: 'boolean' },
      wrapped: { type: 'boolean' },
      users: { type: 'string' },
      days: { type: 'string' },
      brokers: { type: 'string' },
      out: { type: 'string' },
      rounds: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(usage);
  const target =
    values.records === undefined
      ? values.whole
        ? 5_000_000
        : values.wrapped || values.export
          ? 2_000_000
          : 200_000
      : Number(values.records);
  if (!Number.isInteger(target) || target < 1000) throw new Error(`--records needs a whole number >= 1000, got "${values.records}"`);
  if (values.out !== undefined && !values.whole) throw new Error('--out is for --whole (a bucket to compare with disk)');
  const rounds = Number(values.rounds ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds needs a whole number >= 1, got "${values.rounds}"`);
  const log = (msg: string) => values.json || process.stderr.write(`${msg}\n`);
  const catalog = values.catalog === undefined ? [...DEFAULTS.catalog] : [values.catalog];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrapped-etl-bench-'));
  try {
    const result = values.wrapped
      ? await measureWrappedVsDuckdb(dir, target, log)
      : values.stream
        ? await measureStreamVsProducer(dir, Number(values.users ?? 1000), Number(values.days ?? 2), values.brokers, log)
        : values.whole && values.out !== undefined
          ? await measureWholeRunDiskVsBucket(dir, target, values.catalog === undefined ? undefined : catalog, values.out, rounds, log)
          : values.whole || values.export
            ? await measureWholeRun(
                dir,
                target,
                values.catalog === undefined ? undefined : catalog,
                log,
                values.export ? ['folder', 'zip'] : ['folder'],
              )
            : values.parquet
              ? await measureParquetCost(dir, target, catalog, log)
              : await measureShardCeiling(dir, target, catalog, log);
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else
      for (const [k, v] of Object.entries(result))
        process.stdout.write(`${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : v}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    const cause = (err as Error).cause;
    process.stderr.write(`bench: ${(err as Error).message}${cause instanceof Error ? ` (${cause.message})` : ''}\n`);
    process.exit(1);
  },
);
