import { NativeConnection } from '@temporalio/worker';
import { logger } from '../../src/runtime/logger';
import { dataRoot } from '../../src/runtime/data-root';
import { DEFAULT_ADDRESS, TASK_QUEUE } from '../temporal/constants';
import { waitForServer } from '../temporal/dev-server';
import { explicitAddress } from '../temporal/session';
import { expectPositionals, parseCommand, wholeFlag, type CommandDef } from '../flags';
import { createGenerationWorker, installRuntime } from '../temporal/worker';
import { shardFaultsFromEnv } from '../temporal/shard-faults-from-env';

const WORKER = {
  name: 'worker',
  about: `Runs a worker on the task queue "${TASK_QUEUE}" until SIGINT/SIGTERM; in-flight
shards are finished or handed back. Output goes under WRAPPED_ETL_DATA_ROOT
(default: the working directory).`,
  flags: {
    address: { type: 'string', value: 'HOST:PORT', help: `the Temporal server (default TEMPORAL_ADDRESS or ${DEFAULT_ADDRESS})` },
    threads: { type: 'string', value: 'N', help: 'worker threads of the shard pool (default: one per core)' },
  },
} as const satisfies CommandDef;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(WORKER, argv);
  expectPositionals(WORKER, positionals, 0, '');
  const address = explicitAddress(values.address) ?? DEFAULT_ADDRESS;
  const threads = wholeFlag(WORKER, 'threads', values.threads, 1);
  installRuntime();
  await waitForServer(address, 30_000);
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createGenerationWorker({ connection, threads, faults: shardFaultsFromEnv() });
    logger.info({ address, taskQueue: TASK_QUEUE, dataRoot: dataRoot(), threads: worker.pool.size }, 'worker started');
    await worker.run();
  } finally {
    await connection.close();
  }
  logger.info('worker stopped');
}
