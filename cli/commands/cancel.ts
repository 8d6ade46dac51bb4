import { parseArgs } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { describeGeneration } from '../temporal/generation-info';
import { openSession } from '../temporal/session';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl cancel WORKFLOW_ID [--no-wait] [--address HOST:PORT]

Cancels a running generation gracefully: shards in flight stop (their partial files
are removed), finished part files stay, and \`wrapped-etl resume WORKFLOW_ID\`
continues where it stopped. Waits until the run has stopped, unless --no-wait.
`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'no-wait': { type: 'boolean' }, address: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const workflowId = positionals[0];
  const session = await openSession({ address: values.address, worker: false, needsRunningServer: 'cancel needs the server that runs the generation' });
  try {
    const before = await describeGeneration(session.client, workflowId, 1000).catch((err) => {
      if (err instanceof WorkflowNotFoundError) throw new Error(`no generation with workflow id "${workflowId}" on ${session.address}`);
      throw err;
    });
    if (before.status !== 'RUNNING') throw new Error(`${workflowId} is not running (it is ${before.status})`);
    await session.client.workflow.getHandle(workflowId).cancel();
    if (values['no-wait']) {
      process.stdout.write(`Cancellation of ${workflowId} requested\n`);
      return;
    }
    const deadline = Date.now() + 120_000;
    let info = before;
    while (info.status === 'RUNNING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      info = await describeGeneration(session.client, workflowId, 0);
    }
    if (info.status === 'RUNNING') {
      process.stdout.write(`Cancellation of ${workflowId} requested; it is still stopping (is a worker running?)\n`);
      return;
    }
    const p = info.progress;
    process.stdout.write(
      `${workflowId}: ${info.status}${p ? ` after ${p.shardsDone}/${p.shardsTotal} shards` : ''}; resume with: wrapped-etl resume ${workflowId}\n`,
    );
  } finally {
    await session.close();
  }
}
