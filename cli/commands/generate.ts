import * as fs from 'node:fs';
import type { WorkflowHandle } from '@temporalio/client';
import { InputError } from '../../src/domain/errors';
import {
  DEFAULTS,
  firstParamDifference,
  resolveGenerationInput,
  type GenerationInput,
  type GenerationParams,
} from '../../src/config/generation-input';
import { RunLayout } from '../../src/pipeline/run-layout';
import { RunPlace } from '../../src/pipeline/run-place';
import { readRunParams } from '../../src/pipeline/run-params';
import {
  GENERATE_DATASET,
  progressQuery,
  type GenerateDatasetWorkflow,
  type GenerationMemo,
  type GenerationProgress,
  type GenerationResult,
} from '../../workflows/contracts';
import { parseCommand, type CommandDef, type FlagDefs } from '../flags';
import { GENERATION_FLAGS, inputFromFlags, RUN_NAME_FLAGS } from '../generation-flags';
import { ProgressBar } from '../progress-bar';
import { pollProgress } from '../temporal/progress-poller';
import { EMBEDDED_PORT_FLAGS, embeddedPorts, openSession, explicitAddress, type TemporalSession } from '../temporal/session';
import { embeddedPlacement, embeddedRoot } from '../temporal/embedded-root';
import { isS3Location } from '../../src/runtime/storage/s3-location';
import { TASK_QUEUE } from '../temporal/constants';
import { workerPolls } from '../temporal/worker-presence';
import { UsageError } from '../usage-error';

const GENERATE_FLAGS = {
  ...GENERATION_FLAGS,
  ...RUN_NAME_FLAGS,
  address: { type: 'string', value: 'HOST:PORT', help: 'use this Temporal server; a worker must run there' },
  ...EMBEDDED_PORT_FLAGS,
  detach: { type: 'boolean', help: 'print the workflow id and return' },
  json: { type: 'boolean', help: 'print one JSON line at the end (shape below)' },
} as const satisfies FlagDefs;

export const GENERATE: CommandDef<typeof GENERATE_FLAGS> = {
  name: 'generate',
  about: `Generates a dataset: <out>/<run name>/avro/part-NNNNN.avro (parquet/ with --format
avro,parquet), then _manifest.json and an empty _SUCCESS (docs/layout.md).
Without --address and TEMPORAL_ADDRESS it runs embedded: the Temporal server on
127.0.0.1:7233 (--port) if one runs, else a dev server started here (history in
.temporal/, Web UI on http://localhost:8233 or --ui-port while this command runs;
\`wrapped-etl server\` keeps one up), and a worker in this process.`,
  flags: GENERATE_FLAGS,
  footer: `--json prints one line at the end:
  {"workflowId","runName","outDir","manifest","totalRecords"}
runName is the run folder's name (outDir's last part); with --detach: {"workflowId"}.`,
};

/** Embedded, a detached run needs a server that outlives this process, not a dev server it would start and stop. */
export const DETACH_NEEDS_SERVER = '--detach needs one that keeps running';

export function newWorkflowId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `gen-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The embedded worker's data root, and the input naming --out as given (see embeddedPlacement). */
function embeddedInput(input: GenerationInput): { dataRoot: string; input: GenerationInput } {
  const out = input.out ?? DEFAULTS.out;
  // a bucket is no path: the worker stages it under its own data root
  if (isS3Location(out)) return { dataRoot: embeddedRoot().root, input };
  const placement = embeddedPlacement({ out });
  const named = placement.name(out);
  return { dataRoot: placement.dataRoot, input: named === out ? input : { ...input, out: named } };
}

/** The run's last progress as its memo holds it: read from the server alone, no worker round trip (as a query is). */
function memoProgress(session: TemporalSession, handle: WorkflowHandle): Promise<GenerationProgress | undefined> {
  return session.client
    .withDeadline(Date.now() + 3000, () => handle.describe())
    .then((d) => (d.memo as GenerationMemo | undefined)?.progress)
    .catch(() => undefined);
}

export async function followGeneration(
  session: TemporalSession,
  workflowId: string,
  opts: { json: boolean; quiet?: boolean },
): Promise<GenerationResult> {
  const handle = session.client.workflow.getHandle(workflowId);
  const bar = opts.json || opts.quiet ? undefined : new ProgressBar();
  // live progress only feeds the bar: each query is a round trip through the worker
  const poller = bar && pollProgress(session.client, handle, progressQuery, (p) => bar.update(p), 500);
  try {
    const result = (await handle.result()) as GenerationResult;
    await poller?.stop();
    if (bar) {
      const final = (await memoProgress(session, handle)) ?? poller?.last();
      bar.finish(final && { ...final, phase: 'done', shardsDone: final.shardsTotal, records: result.totalRecords });
    }
    return result;
  } catch (err) {
    await poller?.stop();
    bar?.finish();
    const { CancelledFailure, WorkflowFailedError } = await import('@temporalio/client');
    if (err instanceof WorkflowFailedError) {
      if (err.cause instanceof CancelledFailure) {
        const last = poller?.last() ?? (await memoProgress(session, handle));
        const at = last ? ` after ${last.shardsDone}/${last.shardsTotal} shards` : '';
        throw new Error(
          `generation ${workflowId} was cancelled${at}; finished parts are kept, continue with: wrapped-etl resume ${workflowId}`,
          { cause: err },
        );
      }
      const cause = err.cause as Error | undefined;
      throw new Error(`generation ${workflowId} failed: ${cause?.message ?? err.message}`, { cause: err });
    }
    throw err;
  } finally {
    // a query still in flight must end before the session closes its connection
    await poller?.stop();
  }
}

export function cancelOnInterrupt(session: TemporalSession, workflowId: string): () => void {
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(
      `\nCancelling ${workflowId} gracefully (Ctrl-C again to quit at once); continue later with: wrapped-etl resume ${workflowId}\n`,
    );
    void session.client.workflow
      .getHandle(workflowId)
      .cancel()
      .catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return () => {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  };
}

/** The workflow's page in the Web UI while it stays up; a dev server this command started stops with it. */
export function workflowLink(session: Pick<TemporalSession, 'uiUrl' | 'keepUpCommand'>, workflowId: string): string {
  if (session.keepUpCommand) return `; the Web UI stopped with this command's dev server: \`${session.keepUpCommand}\` shows its history`;
  return session.uiUrl ? ` (${session.uiUrl}/namespaces/default/workflows/${workflowId})` : '';
}

export function printResult(result: GenerationResult, json: boolean, session: Pick<TemporalSession, 'uiUrl' | 'keepUpCommand'>): void {
  if (json) {
    process.stdout.write(
      JSON.stringify({
        workflowId: result.workflowId,
        runName: result.runId,
        outDir: result.outDir,
        manifest: result.manifest,
        totalRecords: result.totalRecords,
      }) + '\n',
    );
    return;
  }
  process.stdout.write(
    `Done: ${result.totalRecords} records in ${result.outDir}\n  manifest: ${result.manifest}\n  workflow: ${result.workflowId}${workflowLink(session, result.workflowId)}\n`,
  );
}

/** A run folder holds one generation: other params there are refused before a workflow starts (and could fail it). */
function refuseOtherParams(runDir: string, params: GenerationParams): void {
  const recorded = readRunParams(new RunLayout(runDir));
  const differing = recorded && firstParamDifference(recorded, params);
  if (!differing) return;
  const layout = new RunLayout(runDir);
  const complete = fs.existsSync(layout.manifestPath);
  throw new UsageError(
    `${runDir} holds ${complete ? 'a complete' : 'an unfinished'} generation with other params (${differing} differs); give another --run-name` +
      (complete ? '' : `, or continue that one with: wrapped-etl resume ${params.runId}`),
  );
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(GENERATE, argv);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  let input = inputFromFlags(values);
  const workflowId = input.runId ?? newWorkflowId();
  const embedded = !explicitAddress(values.address);
  let dataRoot: string | undefined;
  let params: GenerationParams;
  try {
    if (embedded) ({ dataRoot, input } = embeddedInput(input));
    params = resolveGenerationInput(input, workflowId);
    if (dataRoot) {
      // this process is the worker: its data root and WRAPPED_ETL_S3_ALLOW refuse a place at once
      const place = RunPlace.of(dataRoot, params.out, params.runId);
      // a bucket's recorded params are checked by the resolve step, which reads them from the bucket
      if (!place.staged) refuseOtherParams(place.runDir, params);
    }
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }

  const session = await openSession({
    address: values.address,
    worker: embedded && !values.detach,
    dataRoot,
    trustedSources: params.catalog,
    needsRunningServer: values.detach ? DETACH_NEEDS_SERVER : undefined,
    ports: embeddedPorts(GENERATE, values),
  });
  try {
    await session.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
      staticSummary: `wrapped-etl generate: ${params.users} users x ${params.sessionsPerUser ?? 'modelled'} sessions, seed ${params.seed}, shards of ${params.shardSize}`,
    });
    if (values.detach) {
      if ((await workerPolls(session.client, TASK_QUEUE)) === false) {
        process.stderr.write(
          `warning: no worker polls the task queue "${TASK_QUEUE}" on this server; ${workflowId} waits until one starts (wrapped-etl worker --address ...)\n`,
        );
      }
      process.stdout.write(values.json ? JSON.stringify({ workflowId }) + '\n' : `Started ${workflowId}\n`);
      return;
    }
    if (!values.json) process.stderr.write(`Started ${workflowId}${session.uiUrl ? ` — Web UI: ${session.uiUrl}` : ''}\n`);
    const stopOnInterrupt = embedded ? cancelOnInterrupt(session, workflowId) : () => {};
    try {
      const result = await followGeneration(session, workflowId, { json: !!values.json });
      printResult(result, !!values.json, session);
    } finally {
      stopOnInterrupt();
    }
  } finally {
    await session.close();
  }
}
