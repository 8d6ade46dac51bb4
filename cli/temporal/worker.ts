import { NativeConnection, Runtime, Worker, DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createAnalyticsActivities } from '../../activities/analytics-activities';
import { createGenerationActivities } from '../../activities/generation-activities';
import type { ShardFaults } from '../../src/pipeline/steps/shard-faults';
import { createWorldActivities } from '../../activities/world-activities';
import { createStreamActivities } from '../../activities/stream-activities';
import { logger } from '../../src/runtime/logger';
import { logLevelFromEnv } from '../../src/runtime/log-level';
import { ThreadPool } from '../../src/runtime/thread-pool';
import { NAMESPACE, TASK_QUEUE } from './constants';
import { prebuiltWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle';

let runtimeInstalled = false;

/** Writes the SDK's log entries as pino lines marked `sdk`; their `error` goes through the logger's error serializer. */
export function sdkLogTo(log: Logger): (entry: LogEntry) => void {
  return (entry) => {
    const meta = { sdk: true, ...(entry.meta ?? {}) };
    const fn = entry.level === 'ERROR' ? 'error' : entry.level === 'WARN' ? 'warn' : entry.level === 'INFO' ? 'info' : 'debug';
    log[fn](meta, entry.message);
  };
}

/** The SDK's level for LOG_LEVEL: its INFO is chatty, so info (and any level it does not know) shows its warnings. */
export function sdkLogLevel(logLevel: string | undefined, quietLevel: LogLevel): LogLevel {
  if (!logLevel) return quietLevel;
  if (logLevel === 'trace' || logLevel === 'debug') return logLevel.toUpperCase() as LogLevel;
  return ['error', 'fatal', 'silent'].includes(logLevel) ? 'ERROR' : 'WARN';
}

/**
 * Routes the SDK's own logs through pino, at WARN unless LOG_LEVEL says debug or error; the embedded
 * CLI asks for ERROR (`quietLevel`), since it reports a failed activity or run itself.
 * `shutdownSignals` shut workers down gracefully; the embedded CLI leaves SIGINT
 * out, so that Ctrl-C cancels the run instead of stopping the worker under it.
 */
export function installRuntime(
  shutdownSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'],
  quietLevel: LogLevel = 'WARN',
): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = sdkLogLevel(logLevelFromEnv(), quietLevel);
  try {
    Runtime.install({
      shutdownSignals,
      logger: new DefaultLogger(level, sdkLogTo(logger)),
      // the Rust core logs through the same logger (stderr, NO_COLOR), never coloured to stdout
      telemetryOptions: { logging: { filter: { core: level, other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // a Runtime was installed already (e.g. by a test environment)
  }
}

export { WORKFLOWS_PATH } from './workflow-bundle';

export interface GenerationWorker {
  worker: Worker;
  pool: ThreadPool;
  /** runs until shutdown() (or a signal); closes the thread pool at the end */
  run(): Promise<void>;
}

export async function createGenerationWorker(opts: {
  connection: NativeConnection;
  taskQueue?: string;
  namespace?: string;
  dataRoot?: string;
  /** catalog sources named on the embedded CLI's own command line */
  trustedSources?: readonly string[];
  threads?: number;
  /** a pool started earlier (see ThreadPool.warm); the worker owns it from here on and closes it */
  pool?: ThreadPool;
  /** test-only faults in shard attempts (shardFaultsFromEnv) */
  faults?: ShardFaults;
}): Promise<GenerationWorker> {
  installRuntime();
  const pool = opts.pool ?? new ThreadPool(opts.threads);
  const bundle = prebuiltWorkflowBundle();
  let worker: Worker;
  try {
    worker = await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace ?? NAMESPACE,
      taskQueue: opts.taskQueue ?? TASK_QUEUE,
      ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }),
      activities: {
        ...createGenerationActivities({ pool, dataRoot: opts.dataRoot, trustedSources: opts.trustedSources, faults: opts.faults }),
        ...createAnalyticsActivities({ pool, dataRoot: opts.dataRoot }),
        ...createWorldActivities({ pool, dataRoot: opts.dataRoot, trustedSources: opts.trustedSources }),
        ...createStreamActivities({ dataRoot: opts.dataRoot }),
      },
      maxConcurrentActivityTaskExecutions: pool.size * 2,
      shutdownGraceTime: '30 seconds',
      // a heartbeat's answer is how an activity learns that its workflow was terminated: sent at most a second apart
      // (not 0.8 x heartbeatTimeout, up to 60 s), a terminated world creation stops writing within seconds, not a minute
      maxHeartbeatThrottleInterval: '1 second',
    });
  } catch (err) {
    await pool.close();
    throw err;
  }
  return {
    worker,
    pool,
    async run() {
      try {
        await worker.run();
      } finally {
        await pool.close();
      }
    },
  };
}
