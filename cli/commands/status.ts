import { formatProgress } from '../progress-bar';
import { requireGeneration } from '../temporal/generation-info';
import { openSession } from '../temporal/session';
import { expectPositionals, parseCommand, type CommandDef } from '../flags';

const STATUS = {
  name: 'status',
  args: 'WORKFLOW_ID',
  about: `Prints the state and progress of a generation. Progress is live when a worker
answers the progress query, else the last one the workflow recorded in its memo.
Exits 0 when the generation is RUNNING or COMPLETED, 1 when it FAILED, was
CANCELED, TERMINATED or TIMED_OUT (resume it), 2 on a usage error.`,
  flags: {
    json: {
      type: 'boolean',
      help: 'print one line: {"workflowId","status","progress","outDir"}, status one of\nRUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT; progress\n{"phase","shardsDone","shardsTotal","records","bytes"} or null',
    },
    address: { type: 'string', value: 'HOST:PORT', help: 'the Temporal server (default TEMPORAL_ADDRESS or 127.0.0.1:7233)' },
  },
} as const satisfies CommandDef;

const RESUME_HINT = 'wrapped-etl resume';

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(STATUS, argv);
  const [workflowId] = expectPositionals(STATUS, positionals, 1, 'the WORKFLOW_ID of the generation');
  const session = await openSession({ address: values.address, worker: false });
  try {
    const info = await requireGeneration(session, workflowId);
    const stopped = info.status !== 'RUNNING' && info.status !== 'COMPLETED';
    if (stopped) process.exitCode = 1;
    if (values.json) {
      process.stdout.write(JSON.stringify({ workflowId, status: info.status, progress: info.progress, outDir: info.outDir }) + '\n');
      return;
    }
    const lines = [`${workflowId}: ${info.status}`];
    if (info.progress) lines.push(`  ${formatProgress(info.progress, { columns: (process.stdout.columns || 100) - 2 })}`);
    if (info.outDir) lines.push(`  output: ${info.outDir}`);
    if (info.memo.summary) lines.push(`  ${info.memo.summary}`);
    // the memo's summary of a stopped run already names the resume command
    if (stopped && !info.memo.summary?.includes(RESUME_HINT)) lines.push(`  continue it with: ${RESUME_HINT} ${workflowId}`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await session.close();
  }
}
