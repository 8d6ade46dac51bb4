import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import type { WrappedInput } from '../../src/config/wrapped-input';
import type { WrittenWrapped } from '../../src/analytics/wrapped/write-wrapped';
import { ANALYZE_DATASET, wrappedProgressQuery, type AnalyzeDatasetWorkflow, type WrappedProgress } from '../../workflows/contracts';
import { ProgressBar } from '../progress-bar';
import { TASK_QUEUE } from '../temporal/constants';
import { explicitAddress, openSession } from '../temporal/session';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl wrapped RUN_DIR [--out DIR] [--user ID] [--parallelism N] [--address HOST:PORT] [--json]

Wrapped analytics of a finished run, as the Temporal workflow analyzeDataset: per
user minutes listened, top 5 songs/artists/genres, distinct songs and artists, most
active local hour, skip rate and the personality inferred from behaviour; for the
run and each country top songs/artists/genres and minutes by local hour.

Writes to DIR (default RUN_DIR/wrapped): summary.json, users.json, users.parquet,
top-items.parquet, hourly.parquet and report.html (self-contained; open it in a browser).

  --out DIR          output folder (default RUN_DIR/wrapped)
  --user ID          the user of the report's Wrapped card (default: user 1)
  --parallelism N    parts analysed at once (default 4)
  --address HOST:PORT  use this Temporal server; a worker must run there, and
                     RUN_DIR and DIR are then paths under that worker's data root
  --json             print one JSON line with the result
`;

export function formatWrappedProgress(p: WrappedProgress): string {
  return `${p.phase}: ${p.partsDone}/${p.partsTotal} parts, ${p.records} records`;
}

function commonDir(a: string, b: string): string {
  const pa = a.split(path.sep), pb = b.split(path.sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(path.sep) || path.sep;
}

function whole(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} needs a whole number >= 1, got "${v}"`);
  return n;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, user: { type: 'string' }, parallelism: { type: 'string' }, address: { type: 'string' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one run folder (the one with manifest.json)');
  const embedded = !explicitAddress(values.address);
  let input: WrappedInput = { run: positionals[0], out: values.out, user: whole('user', values.user), parallelism: whole('parallelism', values.parallelism) };
  let dataRoot: string | undefined;
  if (embedded) {
    // the in-process worker's data root is the folder that holds both the run and the output
    const runDir = path.resolve(input.run);
    const outDir = path.resolve(input.out ?? path.join(runDir, 'wrapped'));
    dataRoot = commonDir(runDir, outDir);
    input = { ...input, run: path.relative(dataRoot, runDir) || '.', out: path.relative(dataRoot, outDir) || '.' };
  }
  const workflowId = `wrapped-${path.basename(path.resolve(positionals[0]))}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  const session = await openSession({ address: values.address, worker: embedded, dataRoot });
  try {
    const handle = await session.client.workflow.start<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, { taskQueue: TASK_QUEUE, workflowId, args: [input] });
    if (!values.json) process.stderr.write(`Started ${workflowId}${session.uiUrl ? ` — Web UI: ${session.uiUrl}` : ''}\n`);
    const bar = values.json ? undefined : new ProgressBar<WrappedProgress>(process.stderr, formatWrappedProgress);
    let last: WrappedProgress | undefined;
    let finished = false;
    const timer = bar
      ? setInterval(() => {
          void handle
            .query(wrappedProgressQuery)
            .catch(() => undefined)
            .then((p) => {
              last = p ?? last;
              // a query answered after the end must not draw over the result
              if (last && !finished) bar.update(last);
            });
        }, 1000)
      : undefined;
    let result: WrittenWrapped;
    try {
      result = (await handle.result()) as WrittenWrapped;
    } catch (err) {
      if (err instanceof WorkflowFailedError) throw new Error(`wrapped ${workflowId} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: err });
      throw err;
    } finally {
      finished = true;
      clearInterval(timer);
      bar?.finish(last);
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ workflowId, ...result }) + '\n');
      return;
    }
    process.stdout.write(
      `Wrapped of ${result.users} users (${result.records} records) in ${result.outDir}\n` +
        Object.values(result.files).map((f) => `  ${f}\n`).join('') +
        `Open ${result.files.report} in a browser (user ${result.cardUser}'s card).\n`,
    );
  } finally {
    await session.close();
  }
}
