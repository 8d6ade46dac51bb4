import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { logger } from '../../src/runtime/logger';
import { cliNotFoundMessage, locateTemporalCli } from './locate-cli';
import { NAMESPACE } from './constants';

export interface DevServerOptions {
  ip?: string;
  port: number;
  uiPort: number;
  /** SQLite file, so runs survive restarts */
  dbFile: string;
  /** e.g. ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=50'] */
  extraArgs?: string[];
  /** 'inherit' for `wrapped-etl server` in the foreground */
  stdio?: 'inherit' | 'ignore';
}

export interface DevServer {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
  exited: Promise<number | null>;
}

/** A dev server spawned but maybe not answering yet: `ready` settles when it answers (or it failed to start, and was killed). */
export interface StartingDevServer extends DevServer {
  ready: Promise<void>;
}

/**
 * For a dev server that lives as long as one command: the maintenance workers (task queue and
 * history scanners, the parent-close-policy worker) are left out. Their long polls hold the
 * server's graceful stop for ~1.5 s, and they clean up after weeks of history, not one run.
 * Runs and their history are kept exactly as with the defaults.
 */
export const ONE_COMMAND_SERVER_ARGS: readonly string[] = [
  '--dynamic-config-value',
  'worker.taskQueueScannerEnabled=false',
  '--dynamic-config-value',
  'worker.historyScannerEnabled=false',
  '--dynamic-config-value',
  'system.enableParentClosePolicyWorker=false',
];

export function isReachable(address: string, timeoutMs = 500): Promise<boolean> {
  const [host, port] = splitAddress(address);
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the server answers gRPC, or the process dies, or time runs out. */
export async function waitForServer(address: string, timeoutMs: number, exited?: Promise<unknown>): Promise<void> {
  let dead = false;
  void exited?.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  // a plain TCP probe first: it is cheap, so it can ask often while a server starts
  while (Date.now() < deadline && !dead && !(await isReachable(address, 250))) await pause(25);
  const { connectionTo } = await import('./client-connection');
  while (Date.now() < deadline && !dead) {
    try {
      const connection = await connectionTo(address, { connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = (err as Error).message;
      await pause(50);
    }
  }
  throw new Error(
    dead
      ? `the Temporal dev server exited before it answered at ${address}`
      : `the Temporal server at ${address} did not answer within ${timeoutMs / 1000}s: ${lastError}`,
  );
}

/** Starts `temporal server start-dev` (persistent SQLite, Web UI) and waits until it answers. */
export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const server = await spawnDevServer(opts);
  await server.ready;
  return server;
}

/**
 * Spawns `temporal server start-dev` and returns at once, so the caller can prepare other
 * things while the server starts; `ready` says when it answers.
 */
export async function spawnDevServer(opts: DevServerOptions): Promise<StartingDevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const address = `${ip}:${opts.port}`;
  const uiUrl = `http://localhost:${opts.uiPort}`;
  if (await isReachable(address))
    throw new Error(`port ${opts.port} on ${ip} is already in use; is a Temporal server running there already?`);
  fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  const tried: string[] = [];
  const cli = locateTemporalCli(tried);
  if (!cli) {
    const server = startWithSdkDownload(opts, address, uiUrl, tried);
    const ready = server.then(() => undefined);
    // `ready` reports a failed start; the other members wait for the server
    ready.catch(() => undefined);
    const started = () => server.catch(() => undefined);
    return {
      address,
      uiUrl,
      ready,
      exited: started().then((s) => (s ? s.exited : null)),
      stop: () => started().then((s) => s?.stop()),
    };
  }

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--db-filename',
    path.resolve(opts.dbFile),
    '--namespace',
    NAMESPACE,
    '--log-level',
    'warn',
    ...(opts.extraArgs ?? []),
  ];
  const foreground = opts.stdio === 'inherit';
  // in the background it gets its own process group: a Ctrl-C meant for the CLI (cancel the run) must not kill the server first
  const child: ChildProcess = spawn(cli.path, args, {
    stdio: foreground ? 'inherit' : ['ignore', 'ignore', 'pipe'],
    detached: !foreground,
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  // in its own process group, it would outlive a CLI that dies without stopping it (`generate ... | head` ends on EPIPE)
  const orphaned = () => child.exitCode === null && child.signalCode === null && child.kill('SIGTERM');
  if (!foreground) process.once('exit', orphaned);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      process.removeListener('exit', orphaned);
      resolve(code);
    }),
  );
  const ready = waitForServer(address, 60_000, exited).then(
    () => logger.info({ address, ui: uiUrl, db: opts.dbFile }, 'Temporal dev server started'),
    (err: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${err.message}${stderr ? `\n${stderr.trim()}` : ''}`, { cause: err });
    },
  );
  // a caller that stops before awaiting `ready` must not see an unhandled rejection
  ready.catch(() => undefined);
  return {
    address,
    uiUrl,
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Last resort: the SDK downloads its own dev server (needs the open internet). */
async function startWithSdkDownload(opts: DevServerOptions, address: string, uiUrl: string, tried: string[]): Promise<DevServer> {
  logger.warn("no Temporal CLI found; trying the SDK's own download of the dev server");
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: opts.ip ?? '127.0.0.1',
        port: opts.port,
        ui: true,
        uiPort: opts.uiPort,
        dbFilename: path.resolve(opts.dbFile),
        namespace: NAMESPACE,
        extraArgs: opts.extraArgs,
      },
    });
    let resolveExit!: (code: number | null) => void;
    const exited = new Promise<number | null>((r) => (resolveExit = r));
    return {
      address,
      uiUrl,
      exited,
      async stop() {
        await env.teardown();
        resolveExit(0);
      },
    };
  } catch (err) {
    tried.push(`the SDK's own download: ${(err as Error).message.split('\n')[0]}`);
    throw new Error(cliNotFoundMessage(tried), { cause: err });
  }
}
