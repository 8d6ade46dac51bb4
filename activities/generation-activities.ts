import * as fs from 'node:fs';
import { ApplicationFailure, Context, CancelledFailure } from '@temporalio/activity';
import { LISTENING_HISTORY_SCHEMA, loadSchemaJson } from '../src/avro/schemas';
import { writeCatalogFile } from '../src/catalog/catalog-file';
import { ingestSources, SourceError } from '../src/catalog/sources';
import { sha256File, writeFileAtomic } from '../src/files/atomic-file';
import { logger } from '../src/log/logger';
import { dataRoot, resolveRunDir } from '../src/output/data-root';
import { writeManifest, type ManifestPart } from '../src/output/manifest';
import { RunLayout } from '../src/output/run-layout';
import { ShardPool } from '../src/parallel/shard-pool';
import { InputError, resolveGenerationInput, shardCount, shardUserRange, type GenerationParams } from '../src/params/generation-input';
import type { ShardResult } from '../src/simulate/shard-job';
import { PopulationModel } from '../src/users/user-profile';
import { writeUsersFile } from '../src/users/users-file';
import type { CatalogRef, ManifestRef, RunRef, ShardOutcome, ShardRef, UsersRef } from './types';

export interface ActivityDeps {
  pool: ShardPool;
  /** overrides dataRoot() (the embedded CLI sets it to the --out folder) */
  dataRoot?: string;
}

function invalidInput(err: unknown): never {
  if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
  throw err;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function createGenerationActivities(deps: ActivityDeps) {
  const log = (runId: string, extra: Record<string, unknown> = {}) => logger.child({ runId, ...extra });

  return {
    /** Validates the input, fills defaults, fixes the run folder and records the params there. */
    async resolveParams(args: { input: unknown; workflowId: string }): Promise<RunRef> {
      let params: GenerationParams;
      let runDir: string;
      try {
        params = resolveGenerationInput(args.input, args.workflowId);
        runDir = resolveRunDir(deps.dataRoot ?? dataRoot(), params.out, params.runId);
        new PopulationModel(params);
      } catch (err) {
        if (err instanceof Error && !(err instanceof InputError) && /^(countries|personalities):/.test(err.message)) {
          throw ApplicationFailure.nonRetryable(`invalid input: ${err.message}`, 'InvalidInput');
        }
        invalidInput(err);
      }
      const layout = new RunLayout(runDir);
      fs.mkdirSync(layout.workDir, { recursive: true });
      writeFileAtomic(layout.paramsPath, JSON.stringify(params, null, 2) + '\n');
      log(params.runId).info({ runDir, users: params.users, shards: shardCount(params) }, 'generation resolved');
      return { params, runDir };
    },

    /** Reads the catalog sources into one checkpointed catalog file, or reuses a valid one. */
    async ingestCatalog(ref: RunRef): Promise<CatalogRef> {
      const layout = new RunLayout(ref.runDir);
      const l = log(ref.params.runId, { step: 'catalog' });
      const previous = readJson<CatalogRef & { catalog: string[]; seed: number }>(layout.catalogReportPath);
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
      try {
        const { songs, report } = await ingestSources(ref.params.catalog, {
          seed: ref.params.seed,
          currentYear: Number(ref.params.to.slice(0, 4)),
          cacheDir: layout.httpCacheDir,
        });
        const file = writeCatalogFile(layout.catalogPath, songs);
        const result: CatalogRef = { path: file.path, songs: file.songs, sha256: file.sha256 };
        writeFileAtomic(layout.catalogReportPath, JSON.stringify({ ...result, catalog: ref.params.catalog, seed: ref.params.seed, report }, null, 2));
        l.info({ songs: file.songs, duplicatesMerged: report.duplicatesMerged }, 'catalog ingested');
        return result;
      } catch (err) {
        if (err instanceof SourceError && !err.retryable) throw ApplicationFailure.nonRetryable(err.message, 'CatalogSourceError');
        throw err;
      }
    },

    /** Gives every user a home place and a personality, written shard by shard. */
    async assignUsers(ref: RunRef): Promise<UsersRef> {
      const layout = new RunLayout(ref.runDir);
      const model = new PopulationModel(ref.params);
      const shards = shardCount(ref.params);
      const { users } = writeUsersFile(layout.usersPath, layout.usersOffsetsPath, shards, function* (shard) {
        const { first, last } = shardUserRange(ref.params, shard);
        for (let id = first; id <= last; id++) yield model.profile(id);
        if (shard % 100 === 0) Context.current().heartbeat({ shard });
      });
      log(ref.params.runId, { step: 'users' }).info({ users }, 'users assigned');
      return { path: layout.usersPath, users };
    },

    /** Simulates one shard's users into its part file, unless a valid part exists already. */
    async generateShard(ref: ShardRef): Promise<ShardOutcome> {
      const layout = new RunLayout(ref.runDir);
      const ctx = Context.current();
      const l = log(ref.params.runId, { shard: ref.shard, attempt: ctx.info.attempt });
      const checkpoint = readJson<ShardResult>(layout.partCheckpointPath(ref.shard));
      const part = layout.partPath(ref.shard);
      if (checkpoint && fs.existsSync(part) && sha256File(part) === checkpoint.sha256) {
        l.info({ records: checkpoint.records }, 'shard checkpoint valid, part kept');
        return { shard: ref.shard, records: checkpoint.records, bytes: checkpoint.bytes, reused: true };
      }
      const task = deps.pool.run(
        { params: ref.params, runDir: ref.runDir, shard: ref.shard, catalogSha256: ref.catalogSha256 },
        (progress) => ctx.heartbeat(progress),
      );
      const heartbeat = setInterval(() => ctx.heartbeat(), 5000);
      ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
      try {
        const result = await task.result;
        l.info({ records: result.records, bytes: result.bytes }, 'shard written');
        return { shard: ref.shard, records: result.records, bytes: result.bytes, reused: false };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`shard ${ref.shard} cancelled`);
        l.error({ err }, 'shard failed');
        throw err;
      } finally {
        clearInterval(heartbeat);
      }
    },

    /** Checks every part against its checkpoint and writes the manifest last, atomically. */
    async finalizeManifest(ref: RunRef): Promise<ManifestRef> {
      const layout = new RunLayout(ref.runDir);
      const parts: ManifestPart[] = [];
      for (let shard = 0; shard < shardCount(ref.params); shard++) {
        const cp = readJson<ShardResult>(layout.partCheckpointPath(shard));
        if (!cp) throw ApplicationFailure.nonRetryable(`shard ${shard} has no checkpoint: its part was never completed`, 'MissingPart');
        const actual = sha256File(layout.partPath(shard));
        if (actual !== cp.sha256) throw new Error(`part ${cp.file} does not match its checkpoint (sha256 ${actual} != ${cp.sha256})`);
        parts.push({ file: cp.file, records: cp.records, bytes: cp.bytes, sha256: cp.sha256 });
        if (shard % 500 === 0) Context.current().heartbeat({ shard });
      }
      const totalRecords = parts.reduce((n, p) => n + p.records, 0);
      writeManifest(layout.manifestPath, {
        runId: ref.params.runId,
        schema: loadSchemaJson(LISTENING_HISTORY_SCHEMA),
        params: ref.params,
        parts,
        totalRecords,
      });
      log(ref.params.runId, { step: 'manifest' }).info({ totalRecords, parts: parts.length }, 'manifest written');
      return { manifest: layout.manifestPath, totalRecords, parts: parts.length, bytes: parts.reduce((n, p) => n + p.bytes, 0) };
    },
  };
}

export type GenerationActivities = ReturnType<typeof createGenerationActivities>;
