import { DEFAULTS } from '../../src/config/generation-input';
import { dataRootOfRun } from '../temporal/embedded-root';
import { describeGeneration, requireGeneration, startInput } from '../temporal/generation-info';
import { openSession } from '../temporal/session';
import { expectPositionals, parseCommand, type CommandDef } from '../flags';

const CANCEL = {
  name: 'cancel',
  args: 'WORKFLOW_ID',
  about: `Cancels a running generation gracefully: shards in flight stop (their partial files
are removed), finished part files stay, and \`wrapped-etl resume WORKFLOW_ID\`
continues where it stopped. Waits until the run has stopped, unless --no-wait.`,
  flags: {
    'no-wait': { type: 'boolean', help: 'return once the cancellation is requested' },
    address: { type: 'string', value: 'HOST:PORT', help: 'the Temporal server (default TEMPORAL_ADDRESS or 127.0.0.1:7233)' },
    json: {
      type: 'boolean',
      help: 'print one JSON line: {"workflowId","status","shardsDone","shardsTotal"}\n(status RUNNING when it is still stopping or --no-wait; UNKNOWN when its server stopped\nbefore the end could be seen, as an embedded generate does)',
    },
  },
} as const satisfies CommandDef;

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(CANCEL, argv);
  const [workflowId] = expectPositionals(CANCEL, positionals, 1, 'the WORKFLOW_ID of the generation');
  const report = (text: string, info: { status: string; progress: { shardsDone: number; shardsTotal: number } | null }) =>
    process.stdout.write(
      values.json
        ? JSON.stringify({
            workflowId,
            status: info.status,
            shardsDone: info.progress?.shardsDone ?? null,
            shardsTotal: info.progress?.shardsTotal ?? null,
          }) + '\n'
        : text,
    );
  const session = await openSession({ address: values.address, worker: false });
  try {
    const before = await requireGeneration(session, workflowId, 1000);
    if (before.status !== 'RUNNING') throw new Error(`${workflowId} is not running (it is ${before.status})`);
    // a dev server this command had to start has no worker: this process's worker carries the cancellation out
    if (session.ownsServer && before.outDir && before.runId) {
      const input = await startInput(session.client, workflowId);
      await session.startWorker(dataRootOfRun(before.outDir, input.out ?? DEFAULTS.out, before.runId));
    }
    await session.client.workflow.getHandle(workflowId).cancel();
    if (values['no-wait']) {
      report(`Cancellation of ${workflowId} requested\n`, before);
      return;
    }
    const deadline = Date.now() + 120_000;
    let info = before;
    while (info.status === 'RUNNING' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      try {
        info = await describeGeneration(session.client, workflowId, 0);
      } catch {
        // an embedded `generate` stops its own dev server once its run has ended, cancelled
        report(
          `Cancellation of ${workflowId} requested; its server stopped before the end could be seen (an embedded generate stops its server when its run ends): see that command's output\n`,
          { ...info, status: 'UNKNOWN' },
        );
        return;
      }
    }
    if (info.status === 'RUNNING') {
      report(`Cancellation of ${workflowId} requested; it is still stopping (is a worker running?)\n`, info);
      return;
    }
    const p = info.progress;
    report(
      `${workflowId}: ${info.status}${p ? ` after ${p.shardsDone}/${p.shardsTotal} shards` : ''}; resume with: wrapped-etl resume ${workflowId}\n`,
      info,
    );
  } finally {
    await session.close();
  }
}
