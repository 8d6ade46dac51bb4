import { parseArgs } from 'node:util';
import { dataRootOf, describeGeneration, requireGeneration, startInput } from '../temporal/generation-info';
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
  const session = await openSession({ address: values.address, worker: false });
  try {
    const before = await requireGeneration(session, workflowId, 1000);
    if (before.status !== 'RUNNING') throw new Error(`${workflowId} is not running (it is ${before.status})`);
    // a dev server this command had to start has no worker: this process's worker carries the cancellation out
    if (session.ownsServer && before.outDir && before.runId) {
      const input = await startInput(session.client, workflowId);
      await session.startWorker(dataRootOf(before.outDir, input.out ?? 'data', before.runId));
    }
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
