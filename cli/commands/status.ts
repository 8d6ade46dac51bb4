import { parseArgs } from 'node:util';
import { formatProgress } from '../progress-bar';
import { requireGeneration } from '../temporal/generation-info';
import { openSession } from '../temporal/session';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl status WORKFLOW_ID [--json] [--address HOST:PORT]

Prints the state and progress of a generation. Progress is live when a worker
answers the progress query, else the last one the workflow recorded in its memo.
--json prints one line: {"workflowId","status","progress","outDir"}, status one of
RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT.
`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, address: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const workflowId = positionals[0];
  const session = await openSession({ address: values.address, worker: false });
  try {
    const info = await requireGeneration(session, workflowId);
    if (values.json) {
      process.stdout.write(JSON.stringify({ workflowId, status: info.status, progress: info.progress, outDir: info.outDir }) + '\n');
      return;
    }
    const lines = [`${workflowId}: ${info.status}`];
    if (info.progress) lines.push(`  ${formatProgress(info.progress, 0).replace(/\s+\S+ rec\/s$/, '')}`);
    if (info.outDir) lines.push(`  output: ${info.outDir}`);
    if (info.memo.summary) lines.push(`  ${info.memo.summary}`);
    if (info.status !== 'RUNNING' && info.status !== 'COMPLETED') lines.push(`  continue it with: wrapped-etl resume ${workflowId}`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await session.close();
  }
}
