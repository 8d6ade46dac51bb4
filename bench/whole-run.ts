import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openSession } from '../cli/temporal/session';
import { TASK_QUEUE } from '../cli/temporal/constants';
import { DEFAULTS } from '../src/config/generation-input';
import { logger } from '../src/runtime/logger';
import { logLevelFromEnv } from '../src/runtime/log-level';
import {
  GENERATE_DATASET,
  progressQuery,
  type GenerateDatasetWorkflow,
  type GenerationProgress,
  type GenerationResult,
} from '../workflows/contracts';
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

const CEILING_RECORDS = 200_000;
const POLL_MS = 200;

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
  const modulesLoaded = performance.now();
  const perUser = await recordsPerUser(path.join(dir, 'pilot'), catalog ?? [...DEFAULTS.catalog]);
  const users = Math.max(1, Math.round(target / perUser));
  const dataRoot = path.join(dir, 'data');
  fs.mkdirSync(dataRoot, { recursive: true });
  if (!logLevelFromEnv()) logger.level = 'warn';
  const opening = performance.now();
  const session = await openSession({ worker: true, dataRoot });
  const startupMs = Math.round(modulesLoaded + performance.now() - opening);
  const threads = os.availableParallelism();
  let result: GenerationResult;
  let shardsStart: number | undefined;
  let shardsEnd: number | undefined;
  let last: GenerationProgress | undefined;
  let t0: number;
  let t1: number;
  try {
    const workflowId = `bench-whole-${process.pid}`;
    log(`generating ${users} users (~${target} records), ${threads} threads; start-up took ${startupMs} ms...`);
    t0 = performance.now();
    const handle = await session.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ users, out: '.', runId: 'whole', ...(catalog && { catalog }) }],
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
    try {
      result = await handle.result();
      t1 = performance.now();
    } finally {
      clearInterval(timer);
      // the query in flight ends before the session closes its connection
      await polling;
    }
  } finally {
    await session.close();
  }
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const exported: Partial<Record<ExportKind, ExportFigures>> = {};
  for (const kind of exports) {
    log(`export of the run's ${result.totalRecords} records into a ${kind}...`);
    exported[kind] = await measureExport(dataRoot, 'whole', kind);
  }
  fs.rmSync(dataRoot, { recursive: true, force: true });
  log(`single-thread ceiling (~${CEILING_RECORDS} records)...`);
  const ceiling = await measureShardCeiling(path.join(dir, 'ceiling'), CEILING_RECORDS, catalog ?? [...DEFAULTS.catalog], log);
  const recordsPerSec = Math.round(result.totalRecords / ((t1 - t0) / 1000));
  const shardSeconds = ((shardsEnd ?? t1) - (shardsStart ?? t0)) / 1000;
  return {
    recordsPerSec,
    ceilingPerThread: ceiling.recordsPerSec,
    threads,
    ratio: Math.round((recordsPerSec / (threads * ceiling.recordsPerSec)) * 1000) / 1000,
    startupMs,
    peakRssMb,
    records: result.totalRecords,
    users,
    shards: last?.shardsTotal ?? 0,
    shardPhaseRecordsPerSec: Math.round(result.totalRecords / shardSeconds),
    ...(exports.length && { export: exported }),
    ...(exported.folder && { exportRatio: Math.round((exported.folder.streamsPerSec / recordsPerSec) * 1000) / 1000 }),
    ...(exported.zip && { zipExportRatio: Math.round((exported.zip.streamsPerSec / recordsPerSec) * 1000) / 1000 }),
  };
}
