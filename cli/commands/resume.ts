import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { explicitAddress, openSession } from '../temporal/session';
import { dataRootOf, requireGeneration, startInput } from '../temporal/generation-info';
import { TASK_QUEUE } from '../temporal/constants';
import { UsageError } from '../usage-error';
import { cancelOnInterrupt, DETACH_NEEDS_SERVER, followGeneration, printResult } from './generate';
import { GENERATE_DATASET, type GenerateDatasetWorkflow } from '../../workflows/contracts';

export const usage = `wrapped-etl resume WORKFLOW_ID [--json] [--detach] [--out DIR] [--address HOST:PORT]

Resumes a failed, cancelled or terminated generation: starts the workflow id again
with its original input plus "resume", over the same output folder. Shards whose
part file matches its checkpoint are kept; the rest are generated, so the result is
byte-identical to an uninterrupted run. Prints what \`generate\` prints.
Embedded (no --address): a run left RUNNING because its \`generate\` process died
is picked up by this process's worker; --out is the --out of the original
\`generate\`, needed only when the run stopped before it recorded its output folder.
`;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, detach: { type: 'boolean' }, out: { type: 'string' }, address: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one WORKFLOW_ID');
  const workflowId = positionals[0];
  const embedded = !explicitAddress(values.address);
  const session = await openSession({ address: values.address, worker: false, needsRunningServer: values.detach ? DETACH_NEEDS_SERVER : undefined });
  try {
    const before = await requireGeneration(session, workflowId, 1000);
    // embedded, a run still RUNNING lost its in-process worker (the generate process died): a new worker picks it up
    const reattach = embedded && before.status === 'RUNNING';
    if (before.status === 'RUNNING' && !reattach) throw new Error(`${workflowId} is still running; wait for it, or \`wrapped-etl cancel ${workflowId}\` first`);
    const original = await startInput(session.client, workflowId);
    const runId = before.runId ?? original.runId ?? (original.resume || workflowId);
    const input = { ...original, runId, resume: runId };

    if (embedded && !values.detach) {
      // the embedded worker writes <data root>/<out>/<runId>; embedded generate made its --out the data root and out '.'
      const root = before.outDir ? dataRootOf(before.outDir, original.out ?? 'data', runId) : values.out ? path.resolve(values.out) : undefined;
      if (!root) throw new UsageError(`the output folder of ${workflowId} is not recorded; pass the --out it was generated with`);
      await session.startWorker(root);
    }
    if (!reattach) {
      await session.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        memo: before.memo.schedule ? { schedule: before.memo.schedule, keepDays: before.memo.keepDays } : undefined,
      });
    }
    if (values.detach) {
      process.stdout.write(values.json ? JSON.stringify({ workflowId }) + '\n' : `Resumed ${workflowId}\n`);
      return;
    }
    if (!values.json) process.stderr.write(`Resuming ${workflowId} into ${before.outDir ?? runId}\n`);
    const stopOnInterrupt = embedded ? cancelOnInterrupt(session, workflowId) : () => {};
    const result = await followGeneration(session, workflowId, { json: !!values.json }).finally(stopOnInterrupt);
    printResult(result, !!values.json, session.uiUrl);
  } finally {
    await session.close();
  }
}
