import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { cliNotFoundMessage, locateTemporalCli } from '../../cli/temporal/locate-cli';
import { installRuntime } from '../../cli/temporal/worker';
import { namespaceOf, SUGGEST_CONTINUE_AS_NEW_AT, type SharedTemporal } from '../helpers/shared-temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    temporal: SharedTemporal;
  }
}

/**
 * One real Temporal dev server for all test files of a lane (and one more whose history
 * suggests continue-as-new early, for the tests of continue-as-new), with a namespace per
 * test file so files never see each other's workflows or task queues.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  installRuntime();
  const tried: string[] = [];
  const cli = locateTemporalCli(tried);
  if (!cli) throw new Error(cliNotFoundMessage(tried));
  const root = path.resolve(__dirname, '../..');
  const files = await project.globTestFiles();
  const namespaces = files.testFiles.map((f) => namespaceOf(path.relative(root, f)));
  const nsArgs = namespaces.flatMap((ns) => ['--namespace', ns]);
  const start = (extra: string[]) =>
    TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'existing-path', path: cli.path }, extraArgs: [...nsArgs, ...extra] },
    });
  const [plain, forced] = await Promise.all([
    start([]),
    start(['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`]),
  ]);
  project.provide('temporal', { plain: plain.address, forced: forced.address });
  return async () => {
    await Promise.all([plain.teardown(), forced.teardown()]);
  };
}
