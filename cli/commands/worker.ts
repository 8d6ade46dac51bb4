import { parseArgs } from 'node:util';
import { NativeConnection } from '@temporalio/worker';
import { logger } from '../../src/runtime/logger';
import { dataRoot } from '../../src/config/data-root';
import { DEFAULT_ADDRESS, TASK_QUEUE } from '../temporal/constants';
import { waitForServer } from '../temporal/dev-server';
import { explicitAddress } from '../temporal/session';
import { UsageError } from '../usage-error';
import { createGenerationWorker, installRuntime } from '../temporal/worker';

export const usage = `wrapped-etl worker [--address HOST:PORT] [--threads N]

Runs a worker on the task queue "${TASK_QUEUE}" until SIGINT/SIGTERM; in-flight
shards are finished or handed back. Output goes under WRAPPED_ETL_DATA_ROOT
(default: the working directory). Address: --address, TEMPORAL_ADDRESS, or ${DEFAULT_ADDRESS}.
`;

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { address: { type: 'string' }, threads: { type: 'string' } } });
  const address = explicitAddress(values.address) ?? DEFAULT_ADDRESS;
  const threads = values.threads === undefined ? undefined : Number(values.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads needs a whole number >= 1, got "${values.threads}"`);
  installRuntime();
  await waitForServer(address, 30_000);
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await createGenerationWorker({ connection, threads });
    logger.info({ address, taskQueue: TASK_QUEUE, dataRoot: dataRoot(), threads: worker.pool.size }, 'worker started');
    await worker.run();
  } finally {
    await connection.close();
  }
  logger.info('worker stopped');
}
