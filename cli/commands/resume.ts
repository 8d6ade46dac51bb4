import * as path from 'node:path';
import { EMBEDDED_PORT_FLAGS, embeddedPorts, explicitAddress, openSession } from '../temporal/session';
import { DEFAULTS } from '../../src/config/generation-input';
import { dataRootOfRun, embeddedPlacement, embeddedRoot } from '../temporal/embedded-root';
import { isS3Location } from '../../src/runtime/storage/s3-location';
import { requireGeneration, startInput } from '../temporal/generation-info';
import { TASK_QUEUE } from '../temporal/constants';
import { expectPositionals, parseCommand, usageError, type CommandDef } from '../flags';
import { cancelOnInterrupt, DETACH_NEEDS_SERVER, followGeneration, printResult } from './generate';
import { GENERATE_DATASET, type GenerateDatasetWorkflow } from '../../workflows/contracts';

const RESUME = {
  name: 'resume',
  args: 'WORKFLOW_ID',
  about: `Resumes a failed, cancelled or terminated generation: starts the workflow id again
with its original input plus "resume", over the same output folder. Shards whose
part file matches its checkpoint are kept; the rest are generated, so the result is
byte-identical to an uninterrupted run. Prints what \`generate\` prints.
Embedded (no --address): a run left RUNNING because its \`generate\` process died
is picked up by this process's worker. A run that stopped before it recorded its
output folder resumes from the folder \`generate\` ran in; one started by an older
version needs --out, the --out of the original \`generate\`.`,
  flags: {
    json: { type: 'boolean', help: 'print one JSON line at the end, as generate --json' },
    detach: { type: 'boolean', help: 'print the workflow id and return' },
    out: { type: 'string', value: 'DIR', help: "the original generate's --out (only when not recorded)" },
    address: { type: 'string', value: 'HOST:PORT', help: 'the Temporal server (default TEMPORAL_ADDRESS or 127.0.0.1:7233)' },
    ...EMBEDDED_PORT_FLAGS,
  },
} as const satisfies CommandDef;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(RESUME, argv);
  const [workflowId] = expectPositionals(RESUME, positionals, 1, 'the WORKFLOW_ID of the generation');
  const embedded = !explicitAddress(values.address);
  const session = await openSession({
    address: values.address,
    worker: false,
    needsRunningServer: values.detach ? DETACH_NEEDS_SERVER : undefined,
    ports: embeddedPorts(RESUME, values),
  });
  try {
    const before = await requireGeneration(session, workflowId, 1000);
    // embedded, a run still RUNNING lost its in-process worker (the generate process died): a new worker picks it up
    const reattach = embedded && before.status === 'RUNNING';
    if (before.status === 'RUNNING' && !reattach)
      throw new Error(`${workflowId} is still running; wait for it, or \`wrapped-etl cancel ${workflowId}\` first`);
    if (before.status === 'COMPLETED')
      throw new Error(`${workflowId} is complete already (${before.outDir ?? 'its run folder'}): nothing to resume`);
    const original = await startInput(session.client, workflowId);
    const runId = before.runId ?? original.runId ?? (original.resume || workflowId);
    const input = { ...original, runId, resume: runId };

    if (embedded && !values.detach) {
      // the embedded worker writes <data root>/<out>/<runId>, as the original run did
      const out = original.out ?? DEFAULTS.out;
      const root = isS3Location(out)
        ? embeddedRoot().root // a bucket's run: staged under this process's data root, its state read from the bucket
        : before.outDir
          ? dataRootOfRun(before.outDir, out, runId)
          : out !== '.'
            ? embeddedPlacement({ out }).dataRoot
            : // older embedded generates sent out "." with their --out as the data root
              values.out && path.resolve(values.out);
      if (!root) throw usageError(RESUME, `the output folder of ${workflowId} is not recorded; pass the --out it was generated with`);
      await session.startWorker(
        root,
        original.catalog === undefined || original.catalog === null ? undefined : [original.catalog].flat().map((s) => s.trim()),
      );
    }
    if (!reattach) {
      await session.client.workflow.start<GenerateDatasetWorkflow>(GENERATE_DATASET, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
      });
    }
    if (values.detach) {
      process.stdout.write(values.json ? JSON.stringify({ workflowId }) + '\n' : `Resumed ${workflowId}\n`);
      return;
    }
    if (!values.json) process.stderr.write(`Resuming ${workflowId} into ${before.outDir ?? runId}\n`);
    const stopOnInterrupt = embedded ? cancelOnInterrupt(session, workflowId) : () => {};
    const result = await followGeneration(session, workflowId, { json: !!values.json }).finally(stopOnInterrupt);
    printResult(result, !!values.json, session);
  } finally {
    await session.close();
  }
}
