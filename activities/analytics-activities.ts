import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { wrappedPartThreadJob } from '../src/analytics/wrapped/part-job';
import { resolveWrappedInput } from '../src/config/wrapped-input';
import type { WrittenWrapped } from '../src/analytics/wrapped/write-wrapped';
import { logger } from '../src/runtime/logger';
import { dataRoot } from '../src/runtime/data-root';
import type { Manifest } from '../src/pipeline/manifest';
import { RunLayout } from '../src/pipeline/run-layout';
import { openStore } from '../src/runtime/storage/open-store';
import { StagedPlace } from '../src/runtime/storage/staged-place';
import { findManifestKey } from '../src/dataset/manifest-location';
import { RunDataset } from '../src/dataset/run-dataset';
import { InputError } from '../src/domain/errors';
import { wrappedWorkFile } from '../src/runtime/output-place';
import type { ThreadPool } from '../src/runtime/thread-pool';
import { failFastOnFilesystem, type WritePlace } from './filesystem-failure';

/**
 * What the workflow carries between the Wrapped steps: paths and counts only, never the
 * part list (the activities read it from the run's manifest), so it does not grow
 * with the number of parts.
 */
export interface WrappedPlan {
  runId: string;
  runDir: string;
  outDir: string;
  parts: number;
  user: number | null;
  parallelism: number;
}

/** One part of the run, by its index in the manifest. */
export interface WrappedPartRef {
  runDir: string;
  outDir: string;
  index: number;
}

export interface WrappedPartOutcome {
  part: string;
  users: number;
  records: number;
  reused: boolean;
}

/** the key of a part's analysis in the Wrapped's place */
const partialKey = (part: string) => wrappedWorkFile(path.basename(part, '.avro'));

/**
 * The run as a dataset (its manifest parsed once per worker while the file is unchanged):
 * every part activity reads it, and on a run of 100k parts the manifest is megabytes of JSON.
 */
function datasetReader() {
  let cached: { id: string; dataset: RunDataset } | undefined;
  return async (runDir: string): Promise<RunDataset> => {
    const store = openStore(runDir, 'run');
    const key = await findManifestKey(store);
    const st = key && (await store.stat(key));
    if (!key || !st) throw ApplicationFailure.nonRetryable(`${runDir} has no manifest any more`, 'ManifestMissing');
    const id = `${store.location}/${key}#${st.bytes}#${st.version}`;
    if (cached?.id !== id) cached = { id, dataset: await RunDataset.openRun(store) };
    return cached.dataset;
  };
}

export function createAnalyticsActivities(deps: { pool: ThreadPool; dataRoot?: string }) {
  const datasetOf = datasetReader();
  const manifestOf = async (runDir: string): Promise<Manifest> => (await datasetOf(runDir)).manifest;
  const root = () => deps.dataRoot ?? dataRoot();
  /** Places come back from the workflow, whose arguments a starter can forge: they must still lie under the data root or an allowed bucket. */
  const confined = <T extends { runDir: string; outDir: string }>(ref: T): T => {
    try {
      if (StagedPlace.of(root(), 'run', ref.runDir).location !== ref.runDir)
        throw new InputError('run', `${JSON.stringify(ref.runDir)} is not a real path under the data root`);
      if (StagedPlace.of(root(), 'out', ref.outDir).location !== ref.outDir)
        throw new InputError('out', `${JSON.stringify(ref.outDir)} is not a real path under the data root`);
    } catch (err) {
      if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
      throw err;
    }
    return ref;
  };
  const activities = {
    /** Validates the input and reads the run's manifest: which parts to analyse. */
    async planWrapped(args: { input: unknown }): Promise<WrappedPlan> {
      try {
        const p = resolveWrappedInput(args.input, root());
        if (!(await findManifestKey(openStore(p.runDir, 'run')))) {
          throw new InputError(
            'run',
            `${p.runDir} has no ${new RunLayout(p.runDir).manifestKey}: not a finished run (generate one with wrapped-etl generate)`,
          );
        }
        const manifest = await manifestOf(p.runDir);
        if (p.user !== null && p.user > manifest.params.users) {
          throw new InputError('user', `the run has users 1..${manifest.params.users}, got ${p.user}`);
        }
        fs.mkdirSync(StagedPlace.of(root(), 'out', p.outDir).pathOf('_work'), { recursive: true });
        logger
          .child({ runId: manifest.runId, step: 'wrapped' })
          .info({ outDir: p.outDir, parts: manifest.parts.length }, 'wrapped planned');
        return {
          runId: manifest.runId,
          runDir: p.runDir,
          outDir: p.outDir,
          parts: manifest.parts.length,
          user: p.user,
          parallelism: p.parallelism,
        };
      } catch (err) {
        if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
        throw err;
      }
    },

    /** The plan a continued workflow carries, checked: folders under the data root, counts as the manifest says. */
    async checkPlan(plan: WrappedPlan): Promise<WrappedPlan> {
      confined(plan);
      const parts = (await manifestOf(plan.runDir)).parts.length;
      if (plan.parts !== parts || !Number.isInteger(plan.parallelism) || plan.parallelism < 1 || plan.parallelism > 1000) {
        throw ApplicationFailure.nonRetryable(
          `invalid input: run: the plan does not match ${plan.runDir} (${parts} parts)`,
          'InvalidInput',
          { field: 'run' },
        );
      }
      return plan;
    },

    /** Analyses part `index` of the manifest into a partial file, in a worker thread, unless a partial of the same part bytes exists. */
    async analyzeWrappedPart(ref: WrappedPartRef): Promise<WrappedPartOutcome> {
      confined(ref);
      const ctx = Context.current();
      const dataset = await datasetOf(ref.runDir);
      const parts = dataset.parts;
      const part = parts[ref.index];
      if (!part)
        throw ApplicationFailure.nonRetryable(
          `${ref.runDir}/${dataset.place.manifest} has ${parts.length} parts, no part ${ref.index}`,
          'PartMismatch',
        );
      const { index: _index, file: _file, twins: _twins, ...partRef } = part;
      // in a bucket, the partial of an earlier attempt (maybe another worker's) is staged for the job to check and reuse
      const out = StagedPlace.of(root(), 'out', ref.outDir);
      const partial = partialKey(part.file);
      await out.pull([partial]);
      fs.mkdirSync(path.dirname(out.pathOf(partial)), { recursive: true });
      const task = deps.pool.run(
        wrappedPartThreadJob,
        { runDir: ref.runDir, ref: partRef, part: part.file, partialPath: out.pathOf(partial) },
        `analysis of ${part.file}`,
        (records) => ctx.heartbeat({ records }),
      );
      const heartbeat = setInterval(() => ctx.heartbeat(), 5000);
      ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
      try {
        const r = await task.result;
        if (!r.reused) await out.publish([partial]);
        out.drop([partial]);
        return { part: part.file, users: r.users, records: r.records, reused: r.reused };
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`analysis of ${part.file} cancelled`);
        // a damaged part stays damaged: retrying cannot help, the message says the repair
        if (err instanceof Error && err.name === 'DamagedPart') throw ApplicationFailure.nonRetryable(err.message, 'PartMismatch');
        throw err;
      } finally {
        clearInterval(heartbeat);
      }
    },

    /** Merges the partials into summary.json, users.json, the Parquet files and report.html. */
    async writeWrapped(plan: WrappedPlan): Promise<WrittenWrapped> {
      confined(plan);
      const parts = (await manifestOf(plan.runDir)).parts;
      if (parts.length !== plan.parts)
        throw ApplicationFailure.nonRetryable(
          `${plan.runDir}'s manifest changed during the analysis: ${parts.length} parts, planned ${plan.parts}`,
          'PartMismatch',
        );
      // Parquet and report writers load only when a Wrapped run gets this far
      const { writeWrapped, WRAPPED_FILES } = await import('../src/analytics/wrapped/write-wrapped');
      // the merge runs in this thread: the analyses' threads, idle now, give their heaps back first
      await deps.pool.releaseIdle();
      const out = StagedPlace.of(root(), 'out', plan.outDir);
      const partials = parts.map((p) => partialKey(p.file));
      await out.pull(partials);
      const staged = await writeWrapped({
        outDir: out.dir,
        runId: plan.runId,
        runDir: plan.runDir,
        partials: partials.map((k) => out.pathOf(k)),
        cardUser: plan.user ?? undefined,
      });
      const files = Object.values(WRAPPED_FILES);
      await out.publish(files);
      // the Wrapped is complete in its bucket: nothing staged stays behind
      out.finish();
      const written = {
        ...staged,
        outDir: out.location,
        files: Object.fromEntries(Object.entries(WRAPPED_FILES).map(([k, f]) => [k, out.nameOf(f)])) as WrittenWrapped['files'],
      };
      logger
        .child({ runId: plan.runId, step: 'wrapped' })
        .info({ users: written.users, records: written.records, outDir: plan.outDir }, 'wrapped written');
      return written;
    },
  };
  // a full disk or an unwritable output folder fails at once, naming the file and its filesystem's free space
  return failFastOnFilesystem(activities, wrappedWritePlace);
}

/** Where a Wrapped step writes (its output folder) and how it goes on once the disk is fixed. */
function wrappedWritePlace(arg: unknown): WritePlace {
  const outDir = (arg as { outDir?: unknown } | undefined)?.outDir;
  return {
    folder: typeof outDir === 'string' ? outDir : undefined,
    resume: 'then run the same `wrapped-etl wrapped` again (the parts analysed so far are reused)',
  };
}

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;
