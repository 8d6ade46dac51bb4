import * as path from 'node:path';
import { shardCount, type GenerationInput, type GenerationParams } from '../config/generation-input';
import { logger } from '../runtime/logger';
import { logLevelFromEnv } from '../runtime/log-level';
import { inlineJobs, type JobRunner } from '../runtime/thread-job';
import { readManifest, type ManifestPart } from './manifest';
import { RunLayout } from './run-layout';
import { createGenerationSteps, type GenerationSteps } from './steps/generation-steps';
import { NO_SHARD_FAULTS } from './steps/shard-faults';
import { IN_PROCESS, inProcessContext, type StepContext } from './steps/step-context';
import type { RunRef } from './steps/step-refs';

export interface InProcessOptions {
  /** where the users and shard jobs run; default this thread (inlineJobs), or a ThreadPool */
  jobs?: JobRunner;
  /** cancels the run */
  signal?: AbortSignal;
}

/** The input of an in-process run: its folder names `out` (the parent) and `runId`. */
export type InProcessInput = Omit<GenerationInput, 'out' | 'runId' | 'resume' | 'schedule' | 'keepDays'>;

interface PreparedRun extends RunRef {
  catalogSha256: string;
  steps: GenerationSteps;
  ctx: StepContext;
}

/**
 * The generation steps the worker's activities run (resolve, catalog, users), called
 * one after the other here, without Temporal: for the bench and for tests of the domain.
 * `runDir`'s parent serves as the data root and its name as the runId; catalog sources
 * are read wherever they point (the caller is trusted). Production runs go through the
 * generateDataset workflow.
 */
export async function prepareRun(runDir: string, input: InProcessInput, opts: InProcessOptions = {}): Promise<PreparedRun> {
  const dataRoot = path.dirname(path.resolve(runDir));
  const steps = createGenerationSteps({
    dataRoot: () => dataRoot,
    jobs: opts.jobs ?? inlineJobs,
    sourceAccess: {},
    faults: NO_SHARD_FAULTS,
    // the caller reports; the steps' own lines only when something goes wrong
    log: logger.child({ runner: IN_PROCESS }, { level: logLevelFromEnv() ?? 'warn' }),
  });
  const ctx = inProcessContext(opts.signal);
  const ref = await steps.resolve(ctx, { input: { ...input, out: '.', runId: path.basename(runDir) }, workflowId: IN_PROCESS });
  const catalog = await steps.catalog(ctx, ref);
  await steps.users(ctx, ref);
  return { ...ref, catalogSha256: catalog.sha256, steps, ctx };
}

/** A whole generation in process: prepareRun, then every shard step, then the manifest step. */
export async function runInProcess(
  runDir: string,
  input: InProcessInput,
  opts: InProcessOptions = {},
): Promise<{ params: GenerationParams; parts: ManifestPart[] }> {
  const { steps, ctx, catalogSha256, ...ref } = await prepareRun(runDir, input, opts);
  for (let shard = 0; shard < shardCount(ref.params); shard++) await steps.shard(ctx, { ...ref, shard, catalogSha256 });
  await steps.manifest(ctx, ref);
  return { params: ref.params, parts: readManifest(new RunLayout(ref.runDir).manifestPath).parts };
}
