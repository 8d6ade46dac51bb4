import { TestWorkflowEnvironment } from '@temporalio/testing';
import { cliNotFoundMessage, locateTemporalCli } from '../../cli/temporal/locate-cli';
import { installRuntime } from '../../cli/temporal/worker';

/**
 * A real Temporal dev server (`temporal server start-dev`) for a test file, from the
 * executable the CLI would use. Extra args go to start-dev, e.g.
 * ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=50'].
 */
export async function startDevServerEnv(extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const tried: string[] = [];
  const cli = locateTemporalCli(tried);
  if (!cli) throw new Error(cliNotFoundMessage(tried));
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path }, extraArgs },
  });
}
