import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSession } from '../cli/temporal/session';
import { TASK_QUEUE } from '../cli/temporal/constants';
import { DEFAULTS } from '../src/config/generation-input';
import { logger } from '../src/runtime/logger';
import { logLevelFromEnv } from '../src/runtime/log-level';
import { openStore } from '../src/runtime/storage/open-store';
import {
  GENERATE_DATASET,
  progressQuery,
  type GenerateDatasetWorkflow,
  type GenerationProgress,
  type GenerationResult,
} from '../workflows/contracts';
import { freePort } from './free-port';
import { measureShardCeiling, recordsPerUser } from './shard-ceiling';
import { measureExport, type ExportFigures, type ExportKind } from './export-vs-generation';

export interface WholeRun {
  /** records of the run / seconds from the workflow's start to its result (the manifest written) */
  recordsPerSec: number;
  /** the single-thread shard job's records/s, measured in this process after the run */
  ceilingPerThread: number;
  threads: number;
  ratio: number;
  /** this process's start-up: loading its modules, then starting the dev server and the worker (the pilot in between not counted) */
  startupMs: number;
  /** peak RSS of this process (worker and its threads, not the dev server) after the run */
  peakRssMb: number;
  records: number;
  users: number;
  shards: number;
  /** records / seconds between the first shard's start and the manifest phase, as the progress query saw them */
  shardPhaseRecordsPerSec: number;
  /** `wrapped-etl export` of the run, every user as spotify-extended, into a folder (and a zip with --export) */
  export?: Partial<Record<ExportKind, ExportFigures>>;
  /** export.folder.streamsPerSec / recordsPerSec: the export's pace against the generation's on the same run */
  exportRatio?: number;
  /** export.zip.streamsPerSec / recordsPerSec */
  zipExportRatio?: number;
}

export interface WholeRunDiskVsBucket {
  /** records/s of each disk run, in the order run (workflow start to result) */
  diskRecordsPerSec: number[];
  /** records/s of each bucket run, each right after a disk run */
  bucketRecordsPerSec: number[];
  /** mean bucket records/s / mean disk records/s */
  ratio: number;
  /** highest RSS sampled (every 100 ms) during each disk run, MB: the worker process with its threads */
  diskPeakRssMb: number[];
  /** likewise during each bucket run */
  bucketPeakRssMb: number[];
  /** seconds of each bucket run's manifest step (it reads every part back from the bucket to check it) */
  bucketManifestSeconds: number[];
  records: number;
  /** bytes of one run's parts (as its progress counted them) */
  bytes: number;
  users: number;
  shards: number;
  threads: number;
  out: string;
  loadAverage: number[];
}

const CEILING_RECORDS = 200_000;
const POLL_MS = 200;
const RSS_SAMPLE_MS = 100;

type Session = Awaited<ReturnType<typeof openSession>>;

interface OneRun {
  result: GenerationResult;
  seconds: number;
  /** seconds from the first shard's start to the manifest phase, as the progress query saw them */
  shardSeconds: number;
  manifestSeconds: number;
  shards: number;
  /** bytes of the parts, as the last progress answer counted them */
  bytes: number;
  peakRssMb: number;
}

/** One generation of `users` users into `out`/`runId` through the session's worker, timed from start to result. */
async function generateOnce(
  session: Session,
  workflowId: string,
  input: { users: number; out: string; runId: string; catalog?: string[] },
): Promise<OneRun> {
  let shardsStart: number | undefined;
  let shardsEnd: number | undefined;
  let last: GenerationProgress | undefined;
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), RSS_SAMPLE_MS);
  const t0 = performance.now();
  const handle = await session.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [input],
  });
  let polling: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (polling) return;
    polling = handle
      .query(progressQuery)
      .then((p) => {
        const now = performance.now();
        if (p.phase === 'shards' && shardsStart === undefined) shardsStart = now;
        if ((p.phase === 'manifest' || p.phase === 'done') && shardsEnd === undefined) shardsEnd = now;
        last = p;
      })
      .catch(() => undefined)
      .finally(() => (polling = undefined));
  }, POLL_MS);
  let result: GenerationResult;
  let t1: number;
  try {
    result = await handle.result();
    t1 = performance.now();
  } finally {
    clearInterval(timer);
    clearInterval(sampler);
    // the query in flight ends before the session closes its connection
    await polling;
  }
  return {
    result,
    seconds: (t1 - t0) / 1000,
    shardSeconds: ((shardsEnd ?? t1) - (shardsStart ?? t0)) / 1000,
    manifestSeconds: (t1 - (shardsEnd ?? t1)) / 1000,
    shards: last?.shardsTotal ?? 0,
    bytes: last?.bytes ?? 0,
    peakRssMb: Math.round(Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20),
  };
}

/** The users of ~`target` records, and an embedded session (its own dev server, in-process worker) on `dataRoot`. */
async function openBench(dir: string, target: number, catalog: string[] | undefined) {
  const modulesLoaded = performance.now();
  const perUser = await recordsPerUser(path.join(dir, 'pilot'), catalog ?? [...DEFAULTS.catalog]);
  const users = Math.max(1, Math.round(target / perUser));
  const dataRoot = path.join(dir, 'data');
  fs.mkdirSync(dataRoot, { recursive: true });
  if (!logLevelFromEnv()) logger.level = 'warn';
  const opening = performance.now();
  // a dev server of its own on free ports: one on 7233 may be other work's, whose workers would take our shards
  const session = await openSession({ worker: true, dataRoot, ports: { port: await freePort(), uiPort: await freePort() } });
  const startupMs = Math.round(modulesLoaded + performance.now() - opening);
  return { users, dataRoot, session, startupMs, threads: os.availableParallelism() };
}

/**
 * A real generation of ~`target` records with the default settings (but `catalog`),
 * on the embedded default (dev server, in-process worker, its thread pool), then the
 * single-thread shard ceiling in the same process.
 */
export async function measureWholeRun(
  dir: string,
  target: number,
  catalog: string[] | undefined,
  log: (msg: string) => void,
  exports: readonly ExportKind[] = [],
): Promise<WholeRun> {
  const { users, dataRoot, session, startupMs, threads } = await openBench(dir, target, catalog);
  let run: OneRun;
  try {
    log(`generating ${users} users (~${target} records), ${threads} threads; start-up took ${startupMs} ms...`);
    run = await generateOnce(session, `bench-whole-${process.pid}`, { users, out: '.', runId: 'whole', ...(catalog && { catalog }) });
  } finally {
    await session.close();
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const exported: Partial<Record<ExportKind, ExportFigures>> = {};
  for (const kind of exports) {
    log(`export of the run's ${run.result.totalRecords} records into a ${kind}...`);
    exported[kind] = await measureExport(dataRoot, 'whole', kind);
  }
  fs.rmSync(dataRoot, { recursive: true, force: true });
  log(`single-thread ceiling (~${CEILING_RECORDS} records)...`);
  const ceiling = await measureShardCeiling(path.join(dir, 'ceiling'), CEILING_RECORDS, catalog ?? [...DEFAULTS.catalog], log);
  const recordsPerSec = Math.round(run.result.totalRecords / run.seconds);
  return {
    recordsPerSec,
    ceilingPerThread: ceiling.recordsPerSec,
    threads,
    ratio: Math.round((recordsPerSec / (threads * ceiling.recordsPerSec)) * 1000) / 1000,
    startupMs,
    peakRssMb,
    records: run.result.totalRecords,
    users,
    shards: run.shards,
    shardPhaseRecordsPerSec: Math.round(run.result.totalRecords / run.shardSeconds),
    ...(exports.length && { export: exported }),
    ...(exported.folder && { exportRatio: Math.round((exported.folder.streamsPerSec / recordsPerSec) * 1000) / 1000 }),
    ...(exported.zip && { zipExportRatio: Math.round((exported.zip.streamsPerSec / recordsPerSec) * 1000) / 1000 }),
  };
}

/**
 * The same generation (~`target` records, default settings) into a folder on disk and into the bucket prefix
 * `out` (s3://bucket/prefix: the server, region and credentials from this process's environment, as a worker's;
 * the bucket under WRAPPED_ETL_S3_ALLOW), for `rounds` rounds, disk first in odd rounds and the bucket first in even ones, through
 * one in-process worker. Each run is removed once measured (the bucket's objects too).
 */
export async function measureWholeRunDiskVsBucket(
  dir: string,
  target: number,
  catalog: string[] | undefined,
  out: string,
  rounds: number,
  log: (msg: string) => void,
): Promise<WholeRunDiskVsBucket> {
  // refused here, before the long start, when the bucket is not this worker's
  const bucket = openStore(out, '--out');
  const { users, dataRoot, session, startupMs, threads } = await openBench(dir, target, catalog);
  const rate = (r: OneRun) => Math.round(r.result.totalRecords / r.seconds);
  const disk: OneRun[] = [];
  const inBucket: OneRun[] = [];
  try {
    log(
      `${rounds} rounds of ${users} users (~${target} records) on disk then in ${out}, ${threads} threads; start-up took ${startupMs} ms...`,
    );
    for (let round = 1; round <= rounds; round++) {
      const runId = `bench-whole-${process.pid}-${round}`;
      const common = { users, runId, ...(catalog && { catalog }) };
      const onDisk = async () => {
        const d = await generateOnce(session, `${runId}-disk`, { ...common, out: 'disk' });
        fs.rmSync(path.join(dataRoot, 'disk'), { recursive: true, force: true });
        log(`round ${round}: disk ${d.seconds.toFixed(1)} s (${rate(d)} records/s, peak RSS ${d.peakRssMb} MB)`);
        disk.push(d);
      };
      const toBucket = async () => {
        const b = await generateOnce(session, `${runId}-s3`, { ...common, out });
        log(
          `round ${round}: bucket ${b.seconds.toFixed(1)} s (${rate(b)} records/s, peak RSS ${b.peakRssMb} MB, manifest step ${b.manifestSeconds.toFixed(1)} s)`,
        );
        for (const key of await bucket.list(`${runId}/`)) await bucket.delete(key);
        inBucket.push(b);
      };
      // disk first in odd rounds, the bucket first in even ones: neither always gets the warmer process
      for (const measure of round % 2 === 1 ? [onDisk, toBucket] : [toBucket, onDisk]) await measure();
    }
  } finally {
    await session.close();
    fs.rmSync(dataRoot, { recursive: true, force: true });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    diskRecordsPerSec: disk.map(rate),
    bucketRecordsPerSec: inBucket.map(rate),
    ratio: Math.round((mean(inBucket.map(rate)) / mean(disk.map(rate))) * 1000) / 1000,
    diskPeakRssMb: disk.map((r) => r.peakRssMb),
    bucketPeakRssMb: inBucket.map((r) => r.peakRssMb),
    bucketManifestSeconds: inBucket.map((r) => Math.round(r.manifestSeconds * 10) / 10),
    records: disk[0]!.result.totalRecords,
    bytes: disk[0]!.bytes,
    users,
    shards: disk[0]!.shards,
    threads,
    out,
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  };
}
