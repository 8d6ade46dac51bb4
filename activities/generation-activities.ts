import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, Context, CancelledFailure } from '@temporalio/activity';
import { AddressPolicy } from '../src/catalog/address-guard';
import { writeCatalogFile } from '../src/catalog/catalog-file';
import { ingestSources, SourceError, type IngestReport } from '../src/catalog/sources';
import { CATALOG_CACHE_DIR, CatalogCache } from '../src/catalog/catalog-cache';
import { sha256File, writeFileAtomic } from '../src/runtime/atomic-file';
import { logger } from '../src/runtime/logger';
import { catalogRoots, dataRoot, resolveRunDir } from '../src/runtime/data-root';
import { RunLayout } from '../src/pipeline/run-layout';
import { ThreadPool } from '../src/runtime/thread-pool';
import { InputError } from '../src/domain/errors';
import {
  firstParamDifference,
  resolveGenerationInput,
  type GenerationInput,
  shardCount,
  type GenerationParams,
} from '../src/config/generation-input';
import type { ShardProgress, ShardResult } from '../src/pipeline/shard-job';
import { invalidTwin } from '../src/formats/part-writers';
import { buildManifest, MissingPartError } from '../src/pipeline/build-manifest';
import { readJsonIfPresent } from '../src/runtime/json-file';
import { prunableGenerations, scheduledTimeOf } from '../src/pipeline/generations';
import { failFastOnFilesystem } from './filesystem-failure';
import { claimRun, holdRun, releaseRun, RunOwnedElsewhere } from '../src/pipeline/run-owner';
import { PopulationModel } from '../src/simulation/user-profile';
import type { UsersProgress } from '../src/pipeline/users-job';
import { shardThreadJob, usersThreadJob } from '../src/pipeline/thread-jobs';
import { NO_SHARD_FAULTS, type ShardFaults } from './shard-faults';
import type { CatalogRef, ManifestRef, RunRef, ShardOutcome, ShardRef, UsersRef } from './types';

export interface ActivityDeps {
  pool: ThreadPool;
  /** overrides dataRoot() (the embedded CLI sets it to the --out folder) */
  dataRoot?: string;
  /** catalog sources named on the worker's own command line (embedded CLI): read wherever they point */
  trustedSources?: readonly string[];
  /** injected by test harnesses only; default none */
  faults?: ShardFaults;
}

function invalidInput(err: unknown): never {
  if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
  throw err;
}

/** A resumed run takes the recorded params; fields the input gives must agree with them. */
function resumedParams(
  params: GenerationParams,
  recorded: GenerationParams | undefined,
  input: GenerationInput,
  runDir: string,
): GenerationParams {
  if (!recorded) {
    throw ApplicationFailure.nonRetryable(
      `invalid input: resume: no generation to resume at ${runDir} (no _work/params.json); start a new one instead`,
      'InvalidInput',
    );
  }
  for (const field of Object.keys(input ?? {})) {
    if (field === 'resume') continue;
    const key = field as keyof GenerationParams;
    if (JSON.stringify(params[key]) !== JSON.stringify(recorded[key])) {
      throw ApplicationFailure.nonRetryable(
        `invalid input: ${field}: the generation being resumed has ${JSON.stringify(recorded[key])}, the input says ${JSON.stringify(params[key])}; leave it out to keep the recorded value`,
        'InvalidInput',
        { field },
      );
    }
  }
  return recorded;
}

/** The workflow this activity runs for: the owner of the run folder it writes (never taken from the arguments). */
function currentWorkflowId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('a generation activity must run for a workflow');
  return id;
}

export function createGenerationActivities(deps: ActivityDeps) {
  const faults = deps.faults ?? NO_SHARD_FAULTS;
  const log = (runId: string, extra: Record<string, unknown> = {}) => logger.child({ runId, ...extra });
  const fileRoots = catalogRoots(deps.dataRoot ?? dataRoot());
  const catalogCache = new CatalogCache(path.join(deps.dataRoot ?? dataRoot(), CATALOG_CACHE_DIR));
  const addresses = AddressPolicy.fromEnv();

  /**
   * A RunRef comes back from the workflow, whose arguments a starter can forge (a
   * continuation included): its folder must be the one its params resolve to under the
   * data root, and its params the ones resolveParams recorded there.
   */
  /** Verifies the ref and that this workflow still owns the run folder (renewing its claim); see run-owner. */
  function ownedRunRef(ref: RunRef): void {
    verifyRunRef(ref);
    try {
      holdRun(ref.runDir, currentWorkflowId());
    } catch (err) {
      if (err instanceof RunOwnedElsewhere)
        throw ApplicationFailure.nonRetryable(
          `${err.message}, which took it over; this run stops (its finished parts stay)`,
          'RunTakenOver',
        );
      throw err;
    }
  }

  /** Renews this workflow's claim on the run folder while a long activity works. */
  function keepOwning(ref: RunRef): () => void {
    const timer = setInterval(() => {
      try {
        holdRun(ref.runDir, currentWorkflowId());
      } catch (err) {
        log(ref.params.runId).warn({ err }, 'run folder taken over; this attempt finishes its file and stops');
      }
    }, 30_000);
    return () => clearInterval(timer);
  }

  function verifyRunRef(ref: RunRef): void {
    const forged = (why: string): never => {
      throw ApplicationFailure.nonRetryable(`invalid input: run: ${why}`, 'InvalidInput', { field: 'run' });
    };
    if (typeof ref !== 'object' || ref === null || typeof ref.runDir !== 'string' || typeof ref.params !== 'object' || ref.params === null)
      forged('not a run reference');
    let runDir: string;
    try {
      runDir = resolveRunDir(deps.dataRoot ?? dataRoot(), ref.params.out, ref.params.runId);
    } catch (err) {
      invalidInput(err);
    }
    if (runDir !== ref.runDir) forged(`${JSON.stringify(ref.runDir)} is not the folder its params name`);
    const recorded = readJsonIfPresent<GenerationParams>(new RunLayout(runDir).paramsPath);
    if (JSON.stringify(recorded) !== JSON.stringify(ref.params)) forged(`${runDir} does not hold a generation with these params`);
  }

  return failFastOnFilesystem({
    /**
     * Validates the input, fills defaults, fixes the run folder and records the params
     * there. With `resume`, the params recorded by the generation being resumed win.
     */
    async resolveParams(args: { input: unknown; workflowId: string; scheduledAt?: string }): Promise<RunRef> {
      let params: GenerationParams;
      let runDir: string;
      try {
        const scheduledAt = args.scheduledAt === undefined ? undefined : new Date(args.scheduledAt);
        params = resolveGenerationInput(args.input, args.workflowId, { scheduledAt });
        runDir = resolveRunDir(deps.dataRoot ?? dataRoot(), params.out, params.runId);
        new PopulationModel(params);
      } catch (err) {
        invalidInput(err);
      }
      const layout = new RunLayout(runDir);
      const recorded = readJsonIfPresent<GenerationParams>(layout.paramsPath);
      const differing = recorded && firstParamDifference(recorded, params);
      const resuming = params.resume !== null;
      if (resuming) {
        params = resumedParams(params, recorded, args.input as GenerationInput, runDir);
      } else if (differing) {
        throw ApplicationFailure.nonRetryable(
          `invalid input: runId: ${runDir} holds a generation with other params (${differing} differs); give another runId, or resume it with "resume": "${params.runId}"`,
          'InvalidInput',
        );
      }
      try {
        // one writer per run folder; a resume takes the folder over from the run it resumes
        claimRun(runDir, currentWorkflowId(), { takeOver: resuming });
      } catch (err) {
        if (!(err instanceof RunOwnedElsewhere)) throw err;
        throw ApplicationFailure.nonRetryable(
          `invalid input: runId: ${err.message}; give another runId, wait until it ends, or, if it stopped, resume it with "resume": "${params.runId}"`,
          'InvalidInput',
          { field: 'runId' },
        );
      }
      if (!resuming) writeFileAtomic(layout.paramsPath, JSON.stringify(params, null, 2) + '\n');
      log(params.runId).info({ runDir, users: params.users, shards: shardCount(params), resumed: !!recorded }, 'generation resolved');
      return { params, runDir };
    },

    /** The run a continued workflow carries, checked: its folder under the data root, its params the recorded ones. */
    async checkRun(ref: RunRef): Promise<RunRef> {
      ownedRunRef(ref);
      return ref;
    },

    /** Reads the catalog sources into one checkpointed catalog file, or reuses a valid one. */
    async ingestCatalog(ref: RunRef): Promise<CatalogRef> {
      ownedRunRef(ref);
      const layout = new RunLayout(ref.runDir);
      const l = log(ref.params.runId, { step: 'catalog' });
      const previous = readJsonIfPresent<CatalogRef & { catalog: string[]; seed: number }>(layout.catalogReportPath);
      if (
        previous &&
        JSON.stringify(previous.catalog) === JSON.stringify(ref.params.catalog) &&
        previous.seed === ref.params.seed &&
        fs.existsSync(layout.catalogPath) &&
        sha256File(layout.catalogPath) === previous.sha256
      ) {
        l.info({ songs: previous.songs }, 'catalog checkpoint reused');
        return { path: layout.catalogPath, songs: previous.songs, sha256: previous.sha256 };
      }
      const currentYear = Number(ref.params.to.slice(0, 4));
      const recordIngest = (result: CatalogRef, report: IngestReport) =>
        writeFileAtomic(
          layout.catalogReportPath,
          JSON.stringify({ ...result, catalog: ref.params.catalog, seed: ref.params.seed, report }, null, 2),
        );
      const cacheKey = CatalogCache.key(ref.params.catalog, ref.params.seed, currentYear);
      const cached = cacheKey && catalogCache.restore(cacheKey, layout.catalogPath);
      if (cached) {
        const result: CatalogRef = { path: layout.catalogPath, songs: cached.songs, sha256: cached.sha256 };
        recordIngest(result, cached.report);
        l.info({ songs: cached.songs, cache: catalogCache.dir }, 'catalog taken from the cache');
        return result;
      }
      const ctx = Context.current();
      const heartbeat = setInterval(() => ctx.heartbeat(), 5000);
      const stopOwning = keepOwning(ref);
      try {
        const { songs, report } = await ingestSources(ref.params.catalog, {
          seed: ref.params.seed,
          currentYear,
          cacheDir: layout.httpCacheDir,
          signal: ctx.cancellationSignal,
          fileRoots,
          addresses,
          trusted: deps.trustedSources,
          onProgress: (event) => {
            ctx.heartbeat(event);
            l.info(event, 'catalog source');
          },
        });
        for (const source of report.sources) l.info(source, 'catalog source read');
        const file = writeCatalogFile(layout.catalogPath, songs);
        const result: CatalogRef = { path: file.path, songs: file.songs, sha256: file.sha256 };
        recordIngest(result, report);
        if (cacheKey) {
          try {
            catalogCache.store(cacheKey, file.path, { songs: file.songs, sha256: file.sha256, report });
          } catch (err) {
            l.warn({ err, cache: catalogCache.dir }, 'catalog not cached');
          }
        }
        l.info({ songs: file.songs, duplicatesMerged: report.duplicatesMerged }, 'catalog ingested');
        return result;
      } catch (err) {
        // a source fails only after its own retries (see HttpOptions.attempts): the activity does not retry it again
        if (err instanceof SourceError)
          throw ApplicationFailure.nonRetryable(err.message, err.retryable ? 'CatalogSourceUnavailable' : 'CatalogSourceError');
        throw err;
      } finally {
        clearInterval(heartbeat);
        stopOwning();
      }
    },

    /** Gives every user a home place and a personality, written shard by shard in a pool thread; a resumed run reuses the file. */
    async assignUsers(ref: RunRef): Promise<UsersRef> {
      ownedRunRef(ref);
      const layout = new RunLayout(ref.runDir);
      const shards = shardCount(ref.params);
      // the params of a run folder never change (resolveParams): files that hash as recorded hold the same users
      const checkpointPath = path.join(layout.workDir, 'users.json');
      const previous = readJsonIfPresent<{ users: number; sha256?: string; offsetsSha256?: string }>(checkpointPath);
      const hashOf = (file: string) => (fs.existsSync(file) ? sha256File(file) : undefined);
      if (previous) {
        if (previous.sha256 === hashOf(layout.usersPath) && previous.offsetsSha256 === hashOf(layout.usersOffsetsPath)) {
          log(ref.params.runId, { step: 'users' }).info({ users: previous.users }, 'users checkpoint reused');
          return { path: layout.usersPath, users: previous.users };
        }
        log(ref.params.runId, { step: 'users' }).warn(
          { checkpoint: checkpointPath },
          'users files do not match their checkpoint (sha256): written again',
        );
      }
      const ctx = Context.current();
      let progress: UsersProgress = { users: 0, shardsDone: 0, shards };
      const task = deps.pool.run(usersThreadJob, { params: ref.params, runDir: ref.runDir }, 'users file', (p) => {
        progress = p;
        ctx.heartbeat(p);
      });
      const heartbeat = setInterval(() => ctx.heartbeat(progress), 2000);
      const stopOwning = keepOwning(ref);
      ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
      try {
        const { users, bytes, sha256, offsetsSha256 } = await task.result;
        writeFileAtomic(checkpointPath, JSON.stringify({ users, bytes, sha256, offsetsSha256 }));
        log(ref.params.runId, { step: 'users' }).info({ users }, 'users assigned');
        return { path: layout.usersPath, users };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('users assignment cancelled');
        throw err;
      } finally {
        clearInterval(heartbeat);
        stopOwning();
      }
    },

    /** Simulates one shard's users into its part file, unless a valid part exists already. */
    async generateShard(ref: ShardRef): Promise<ShardOutcome> {
      ownedRunRef(ref);
      const layout = new RunLayout(ref.runDir);
      const ctx = Context.current();
      const l = log(ref.params.runId, { shard: ref.shard, attempt: ctx.info.attempt });
      const checkpoint = readJsonIfPresent<ShardResult>(layout.partCheckpointPath(ref.shard));
      const part = layout.partPath(ref.shard);
      if (checkpoint && fs.existsSync(part) && sha256File(part) === checkpoint.sha256 && !invalidTwin(ref.runDir, checkpoint)) {
        l.info({ records: checkpoint.records }, 'shard checkpoint valid, part kept');
        return { shard: ref.shard, records: checkpoint.records, bytes: checkpoint.bytes, reused: true };
      }
      for (const needed of [layout.catalogPath, layout.usersPath, layout.usersOffsetsPath]) {
        if (!fs.existsSync(needed)) {
          throw ApplicationFailure.nonRetryable(
            `${needed} is missing, so no attempt can succeed; start a new generation`,
            'MissingRunFile',
          );
        }
      }
      if (faults.delayMs) await ctx.sleep(faults.delayMs);
      const injected = faults.failsThisAttempt();
      let progress: ShardProgress = { users: 0, records: 0, bytes: 0 };
      const task = deps.pool.run(
        shardThreadJob,
        { params: ref.params, runDir: ref.runDir, shard: ref.shard, catalogSha256: ref.catalogSha256 },
        `shard ${ref.shard}`,
        (p) => {
          progress = p;
          ctx.heartbeat(p);
        },
      );
      const heartbeat = setInterval(() => ctx.heartbeat(progress), 2000);
      const stopOwning = keepOwning(ref);
      ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
      if (injected) setTimeout(() => task.cancel(), faults.cancelAfterMs);
      try {
        const result = await task.result;
        if (injected) throw new Error(`injected failure after the part was written (${faults.label})`);
        l.info({ records: result.records, bytes: result.bytes }, 'shard written');
        return { shard: ref.shard, records: result.records, bytes: result.bytes, reused: false };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`shard ${ref.shard} cancelled`);
        if (injected && !(err as Error).message.startsWith('injected'))
          throw new Error(`injected failure mid-shard (${faults.label})`, { cause: err });
        l.error({ err }, 'shard failed');
        throw err;
      } finally {
        clearInterval(heartbeat);
        stopOwning();
      }
    },

    /** Checks every part against its checkpoint and writes the manifest last, atomically. */
    async finalizeManifest(ref: RunRef): Promise<ManifestRef> {
      ownedRunRef(ref);
      try {
        const built = buildManifest(ref.params, ref.runDir, (shard) => Context.current().heartbeat({ shard }));
        log(ref.params.runId, { step: 'manifest' }).info({ totalRecords: built.totalRecords, parts: built.parts }, 'manifest written');
        releaseRun(ref.runDir, currentWorkflowId());
        return built;
      } catch (err) {
        if (err instanceof MissingPartError) throw ApplicationFailure.nonRetryable(err.message, 'MissingPart');
        throw err;
      }
    },

    /**
     * Deletes the schedule's complete generations (siblings <schedule>-YYYYMMDDTHHMMSSZ with a
     * manifest.json) scheduled more than keepDays before this run; schedule and keepDays are
     * the run's validated params, its date is its own folder name.
     */
    async pruneGenerations(ref: RunRef): Promise<{ deleted: string[] }> {
      verifyRunRef(ref);
      const { schedule, keepDays, runId } = ref.params;
      const runAt = schedule ? scheduledTimeOf(runId, schedule) : undefined;
      if (!schedule || !keepDays || !runAt) return { deleted: [] };
      const parent = path.dirname(ref.runDir);
      const deleted = prunableGenerations(parent, schedule, runAt, keepDays).filter((dir) => dir !== ref.runDir);
      for (const dir of deleted) fs.rmSync(dir, { recursive: true, force: true });
      log(runId, { step: 'prune' }).info({ deleted: deleted.map((d) => path.basename(d)), keepDays }, 'old generations pruned');
      return { deleted };
    },
  });
}

export type GenerationActivities = ReturnType<typeof createGenerationActivities>;
