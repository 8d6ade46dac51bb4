/**
 * Records the histories test/replay replays: run it against the released workflow code
 * (`npx tsx test/replay/record-histories.ts [NAME...]`: all, or only the named ones) when a
 * workflow change is released on purpose, and commit the JSON files. A replay failure otherwise means the current code would break
 * running workflows of the released version.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { historyToObject } from './history-file';
import { cliNotFoundMessage, locateTemporalCli } from '../../cli/temporal/locate-cli';
import { createGenerationWorker, installRuntime } from '../../cli/temporal/worker';
import {
  ADVANCE_WORLD,
  ANALYZE_DATASET,
  CREATE_WORLD,
  GENERATE_DATASET,
  type AdvanceWorldWorkflow,
  type AnalyzeDatasetWorkflow,
  type CreateWorldWorkflow,
  type GenerateDatasetWorkflow,
  STREAM_WORLD,
  type StreamWorldWorkflow,
} from '../../workflows/contracts';
import { SUGGEST_CONTINUE_AS_NEW_AT } from '../helpers/shared-temporal';
import { makeTmpDir } from '../helpers/tmp-dir';

const OUT = path.join(__dirname, 'histories');
const TASK_QUEUE = 'record-histories';
const SMALL = { users: 6, shardSize: 2, parallelism: 2, sessionsPerUser: 2, seed: 3, catalog: ['synthetic:100'] };

async function main(): Promise<void> {
  installRuntime();
  const cli = locateTemporalCli([]);
  if (!cli) throw new Error(cliNotFoundMessage([]));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
    },
  });
  const tmp = makeTmpDir('record-histories-');
  const worker = await createGenerationWorker({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, dataRoot: tmp.dir, threads: 2 });
  const running = worker.run();
  const save = async (name: string, workflowId: string, runId?: string) => {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    fs.writeFileSync(path.join(OUT, `${name}.json`), JSON.stringify(historyToObject(history), null, 1) + '\n');
    console.log(`${name}: ${history.events?.length} events`);
  };
  const client = env.client.workflow;
  /** name -> how to record it; dependent ones (analyze, world advance) record what they need first */
  const recorders: Record<string, () => Promise<void>> = {
    'generate-dataset-small': async () => {
      await client.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'generate-small',
        args: [SMALL],
      });
      await save('generate-dataset-small', 'generate-small');
    },
    'generate-dataset-continued-as-new': async () => {
      const long = await client.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'generate-continued',
        args: [{ ...SMALL, users: 40 }],
      });
      await long.result();
      await save('generate-dataset-continued-as-new', 'generate-continued', long.firstExecutionRunId);
    },
    'generate-dataset-invalid-input': async () => {
      await client
        .execute<GenerateDatasetWorkflow>(GENERATE_DATASET, {
          taskQueue: TASK_QUEUE,
          workflowId: 'generate-invalid',
          args: [{ users: -1 }],
        })
        .catch(() => undefined);
      await save('generate-dataset-invalid-input', 'generate-invalid');
    },
    'analyze-dataset-small': async () => {
      await client.execute<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'generate-small',
        args: [SMALL],
      });
      await client.execute<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId: 'analyze-small',
        args: [{ run: 'data/generate-small' }],
      });
      await save('analyze-dataset-small', 'analyze-small');
    },
    'world-create-and-advance': async () => {
      await client.execute<CreateWorldWorkflow>(CREATE_WORLD, {
        taskQueue: TASK_QUEUE,
        workflowId: 'world-create',
        args: [{ name: 'w', users: 6, shardSize: 2, parallelism: 2, start: '2025-01-01', seed: 3, catalog: ['synthetic:100'] }],
      });
      await save('world-create', 'world-create');
      const advance = await client.start<AdvanceWorldWorkflow>(ADVANCE_WORLD, {
        taskQueue: TASK_QUEUE,
        workflowId: 'world-advance',
        args: [{ world: 'w', days: 2 }],
      });
      await advance.result();
      // the first run (plans, writes day one, continues as new) and the last (checks the carried world, writes day two)
      await save('world-advance-first-day', 'world-advance', advance.firstExecutionRunId);
      await save('world-advance-last-day', 'world-advance');
    },
    'stream-world-refused': async () => {
      // no broker is allowed by this worker (WRAPPED_ETL_KAFKA_ALLOW unset): refused at planning
      await client
        .execute<StreamWorldWorkflow>(STREAM_WORLD, {
          taskQueue: TASK_QUEUE,
          workflowId: 'stream-refused',
          args: [{ world: 'w', brokers: ['127.0.0.1:9092'], topic: 't' }],
        })
        .catch(() => undefined);
      await save('stream-world-refused', 'stream-refused');
    },
  };
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in recorders));
  if (unknown.length) throw new Error(`no recorder named ${unknown.join(', ')}; known: ${Object.keys(recorders).join(', ')}`);
  try {
    fs.mkdirSync(OUT, { recursive: true });
    for (const [name, record] of Object.entries(recorders)) if (!wanted.length || wanted.includes(name)) await record();
  } finally {
    worker.worker.shutdown();
    await running;
    await env.teardown();
    tmp.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
