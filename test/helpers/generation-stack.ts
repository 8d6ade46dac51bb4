import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createGenerationWorker, type GenerationWorker } from '../../cli/temporal/worker';
import { shardFaultsFromEnv } from '../../cli/temporal/shard-faults-from-env';
import { GENERATE_DATASET, type GenerateDatasetWorkflow, type GenerationResult } from '../../workflows/contracts';
import { startDevServerEnv } from './temporal-env';
import { makeTmpDir } from './tmp-dir';

export interface GenerationStackOptions {
  taskQueue: string;
  /** shard threads of the worker's pool */
  threads?: number;
  /** on the shared server that suggests continue-as-new early (SUGGEST_CONTINUE_AS_NEW_AT) */
  forced?: boolean;
  tmpPrefix?: string;
  /** process.env values set only while the worker (and its activities) are created */
  workerEnv?: Record<string, string>;
  /** no worker until startWorker(): runs started meanwhile stay running, waiting for one */
  deferWorker?: boolean;
}

export interface GenerationStack {
  env: TestWorkflowEnvironment;
  /** the worker's data root: a fresh temporary folder, removed by stop() */
  dataRoot: string;
  taskQueue: string;
  start(workflowId: string, input: object): Promise<WorkflowHandle>;
  generate(workflowId: string, input: object): Promise<GenerationResult>;
  /** starts the worker (deferWorker); does nothing when it runs already */
  startWorker(): Promise<void>;
  /** shuts the worker down, waits for it, stops the server and removes the data root */
  stop(): Promise<void>;
}

/** The lane's real dev server (this file's namespace) with an in-process generation worker on `taskQueue`. */
export async function startGenerationStack(opts: GenerationStackOptions): Promise<GenerationStack> {
  const { taskQueue } = opts;
  const tmp = makeTmpDir(opts.tmpPrefix);
  let env: TestWorkflowEnvironment | undefined;
  let worker: GenerationWorker | undefined;
  let running: Promise<void> | undefined;
  const stop = async () => {
    worker?.worker.shutdown();
    await running;
    await env?.teardown();
    tmp.cleanup();
  };
  const startWorker = async () => {
    if (worker) return;
    const restoreEnv = setEnv(opts.workerEnv ?? {});
    try {
      worker = await createGenerationWorker({
        connection: env!.nativeConnection,
        taskQueue,
        dataRoot: tmp.dir,
        threads: opts.threads ?? 2,
        faults: shardFaultsFromEnv(opts.workerEnv ?? {}),
      });
      running = worker.run();
    } finally {
      restoreEnv();
    }
  };
  try {
    env = await startDevServerEnv({ forced: opts.forced });
    if (!opts.deferWorker) await startWorker();
  } catch (err) {
    await stop();
    throw err;
  }
  const client = env.client;
  const start = (workflowId: string, input: object) =>
    client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, { taskQueue, workflowId, args: [input] });
  return {
    env,
    dataRoot: tmp.dir,
    taskQueue,
    start,
    generate: (workflowId, input) =>
      client.workflow.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, { taskQueue, workflowId, args: [input] }),
    startWorker,
    stop,
  };
}

function setEnv(values: Record<string, string>): () => void {
  const before = Object.entries(values).map(([key]) => [key, process.env[key]] as const);
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of before) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
