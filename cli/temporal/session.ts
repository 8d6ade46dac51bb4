import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { logger } from '../../src/runtime/logger';
import { wholeFlag, type CommandDef, type FlagDefs } from '../flags';
import { DEFAULT_PORT, DEFAULT_UI_PORT, NAMESPACE } from './constants';
import { isReachable, ONE_COMMAND_SERVER_ARGS, spawnDevServer, waitForServer, type StartingDevServer } from './dev-server';
import type { GenerationWorker } from './worker';
import { shardFaultsFromEnv } from './shard-faults-from-env';

export interface SessionOptions {
  /** --address; falls back to TEMPORAL_ADDRESS; neither means the embedded default */
  address?: string;
  /** start an in-process worker in embedded mode */
  worker: boolean;
  /** the in-process worker's data root */
  dataRoot?: string;
  /** catalog sources named on this command line: the in-process worker reads them wherever they point */
  trustedSources?: readonly string[];
  /** embedded only: fail instead of starting a dev server when none runs (for commands that need one that stays up) */
  needsRunningServer?: string;
  /** embedded only: the dev server's ports (--port, --ui-port; default 7233 and 8233) */
  ports?: EmbeddedPorts;
}

export interface EmbeddedPorts {
  port?: number;
  uiPort?: number;
}

/** --port and --ui-port of the commands that can run embedded. */
export const EMBEDDED_PORT_FLAGS = {
  port: {
    type: 'string',
    value: 'PORT',
    help: 'embedded: the dev server on 127.0.0.1:PORT (default 7233), used if one runs there, else started',
  },
  'ui-port': { type: 'string', value: 'PORT', help: 'embedded: the Web UI port of a dev server started here (default 8233)' },
} as const satisfies FlagDefs;

export function embeddedPorts(def: Pick<CommandDef, 'name'>, values: { port?: string; 'ui-port'?: string }): EmbeddedPorts {
  return { port: wholeFlag(def, 'port', values.port, 1, 65535), uiPort: wholeFlag(def, 'ui-port', values['ui-port'], 1, 65535) };
}

export interface TemporalSession {
  client: Client;
  address: string;
  embedded: boolean;
  /** true when this session started the dev server itself (it stops with the session) */
  ownsServer: boolean;
  uiUrl?: string;
  /** when this session started the dev server: the command that serves its history (and Web UI) after it stopped */
  keepUpCommand?: string;
  /** embedded only: starts the in-process worker now (when the data root was not known at openSession) */
  startWorker(dataRoot?: string, trustedSources?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

export function explicitAddress(flag?: string): string | undefined {
  return flag ?? (process.env.TEMPORAL_ADDRESS || undefined);
}

/** The Temporal SDK loads only once a command needs it: `--help` and usage errors answer without it. */
function temporalClient(): typeof import('@temporalio/client') {
  return require('@temporalio/client');
}

/** connectionTo (client-connection.ts), loaded with the SDK only once a command needs it. */
async function connectionTo(address: string): Promise<Connection> {
  const connection = await import('./client-connection');
  return connection.connectionTo(address);
}

/**
 * Connects to Temporal. With an address, that server (a worker is expected there).
 * Without, the embedded default: the local dev server (started here if none runs on
 * 127.0.0.1:7233 or --port, its SQLite under .temporal/) and an in-process worker.
 */
export async function openSession(opts: SessionOptions): Promise<TemporalSession> {
  const address = explicitAddress(opts.address);
  if (address) {
    await waitForServer(address, 10_000).catch((err) => {
      throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message}`);
    });
    const { Client } = temporalClient();
    const connection = await connectionTo(address);
    return {
      client: new Client({ connection, namespace: NAMESPACE }),
      address,
      embedded: false,
      ownsServer: false,
      async startWorker() {},
      close: () => connection.close(),
    };
  }

  const port = opts.ports?.port ?? DEFAULT_PORT;
  const uiPort = opts.ports?.uiPort ?? DEFAULT_UI_PORT;
  const embeddedAddress = `127.0.0.1:${port}`;
  // one SQLite file per port: two dev servers never share one
  const dbFile = path.join('.temporal', port === DEFAULT_PORT ? 'dev.db' : `dev-${port}.db`);
  const custom = port === DEFAULT_PORT && uiPort === DEFAULT_UI_PORT ? '' : ` --port ${port} --ui-port ${uiPort} --db ${dbFile}`;
  let server: StartingDevServer | undefined;
  if (await isReachable(embeddedAddress)) {
    logger.info({ address: embeddedAddress }, 'using the Temporal server already running');
  } else if (opts.needsRunningServer) {
    throw new Error(
      `no Temporal server runs on ${embeddedAddress}; ${opts.needsRunningServer}: start one with \`wrapped-etl server\` (and a \`wrapped-etl worker\`), or pass --address`,
    );
  } else {
    server = await spawnDevServer({
      port,
      uiPort,
      dbFile,
      extraArgs: [...ONE_COMMAND_SERVER_ARGS],
    });
  }
  let connection: Connection | undefined;
  let worker: GenerationWorker | undefined;
  let workerDone: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  // while the dev server starts: the SDK, the activities and the native runtime load, and the pool threads start
  const prepared = opts.worker ? prepareWorker() : undefined;
  const startWorker = async (dataRoot?: string, trustedSources?: readonly string[]) => {
    if (worker) return;
    const { createGenerationWorker, pool } = prepared ?? prepareWorker();
    nativeConnection ??= await (require('@temporalio/worker') as typeof import('@temporalio/worker')).NativeConnection.connect({
      address: embeddedAddress,
    });
    worker = await createGenerationWorker({ connection: nativeConnection, dataRoot, trustedSources, faults: shardFaultsFromEnv(), pool });
    workerDone = worker.run();
  };
  const close = async () => {
    if (worker) {
      worker.worker.shutdown();
      await workerDone!.catch((err) => logger.error({ err }, 'worker stopped with an error'));
    } else await prepared?.pool.close();
    await nativeConnection?.close();
    await connection?.close();
    // the dev server runs in its own process group: it would outlive this process
    await server?.stop();
  };
  try {
    await server?.ready;
    connection = await connectionTo(embeddedAddress);
    if (opts.worker) await startWorker(opts.dataRoot, opts.trustedSources);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    client: new (temporalClient().Client)({ connection, namespace: NAMESPACE }),
    address: embeddedAddress,
    embedded: true,
    ownsServer: server !== undefined,
    uiUrl: `http://localhost:${uiPort}`,
    keepUpCommand: server && `wrapped-etl server${custom}`,
    startWorker,
    close,
  };
}

/**
 * Everything the in-process worker needs before it can connect: its pool threads (started
 * first, so they load their modules on the other cores meanwhile), the SDK and the
 * activities' modules, and the SDK's native runtime.
 */
function prepareWorker() {
  const { ThreadPool } = require('../../src/runtime/thread-pool') as typeof import('../../src/runtime/thread-pool');
  const pool = new ThreadPool();
  // by path, so the threads start loading the job modules before this thread loads them too (through ./worker)
  pool.warm([path.join(__dirname, '../../src/pipeline', `thread-jobs${path.extname(__filename)}`)]);
  const { createGenerationWorker, installRuntime } = require('./worker') as typeof import('./worker');
  // the embedded CLI handles SIGINT/SIGTERM itself: it cancels the run, then stops the worker
  installRuntime([], 'ERROR');
  return { createGenerationWorker, pool };
}
