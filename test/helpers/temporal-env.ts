import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { Worker } from '@temporalio/worker';
import { installRuntime, WORKFLOWS_PATH } from '../../cli/temporal/worker';

export { SUGGEST_CONTINUE_AS_NEW_AT } from './shared-temporal';

/** The test file's namespace, set by test/setup/file-namespace.ts before the file's imports. */
function currentNamespace(): string {
  const ns = process.env.TEMPORAL_NAMESPACE;
  if (!ns) throw new Error('TEMPORAL_NAMESPACE is not set: run this file in a lane with test/setup/file-namespace.ts');
  return ns;
}

/**
 * A client and connections to the lane's shared dev server, in this test file's own
 * namespace. `forced` picks the server that suggests continue-as-new early.
 */
export async function startDevServerEnv(opts: { forced?: boolean } = {}): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const shared = inject('temporal');
  return TestWorkflowEnvironment.createFromExistingServer({
    address: opts.forced ? shared.forced : shared.plain,
    namespace: currentNamespace(),
  });
}

/** A worker of the current workflow code on `taskQueue` with the given (mocked) activities, for the workflow lane. */
export function mockedActivitiesWorker(env: TestWorkflowEnvironment, taskQueue: string, activities: object): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue,
    workflowsPath: WORKFLOWS_PATH,
    activities,
  });
}

/**
 * The lane's plain server and the one that suggests continue-as-new early, for the
 * calling describe block: connected before its tests, closed after them.
 */
export function useLaneServers(): { env: TestWorkflowEnvironment; forced: TestWorkflowEnvironment } {
  const servers = {} as { env: TestWorkflowEnvironment; forced: TestWorkflowEnvironment };
  beforeAll(async () => {
    [servers.env, servers.forced] = await Promise.all([startDevServerEnv(), startDevServerEnv({ forced: true })]);
  });
  afterAll(async () => {
    await Promise.all([servers.env?.teardown(), servers.forced?.teardown()]);
  });
  return servers;
}
