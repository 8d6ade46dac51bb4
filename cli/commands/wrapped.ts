import * as path from 'node:path';
import { checkOutputPlace } from '../../src/runtime/output-place';
import { WorkflowFailedError } from '@temporalio/client';
import type { WrappedInput } from '../../src/config/wrapped-input';
import type { WrittenWrapped } from '../../src/analytics/wrapped/write-wrapped';
import { ANALYZE_DATASET, wrappedProgressQuery, type AnalyzeDatasetWorkflow, type WrappedProgress } from '../../workflows/contracts';
import { writeWorldWrapped } from '../../src/analytics/wrapped/world-wrapped';
import { confineUnderRoot, dataRoot as dataRootDir, resolveRunDir } from '../../src/runtime/data-root';
import { eta, ProgressBar } from '../progress-bar';
import { pollProgress } from '../temporal/progress-poller';
import { TASK_QUEUE } from '../temporal/constants';
import { EMBEDDED_PORT_FLAGS, embeddedPorts, explicitAddress, openSession } from '../temporal/session';
import { embeddedPlacement, embeddedRoot } from '../temporal/embedded-root';
import { expectPositionals, parseCommand, wholeFlag, type CommandDef } from '../flags';
import { UsageError } from '../usage-error';
import { requireFinishedRun, requireFinishedRunDir } from '../run-folder';
import { isS3Location } from '../../src/runtime/storage/s3-location';

const WRAPPED = {
  name: 'wrapped',
  args: 'RUN_DIR | --world NAME',
  about: `Wrapped analytics of a finished run, as the Temporal workflow analyzeDataset: per
user minutes listened, top 5 songs/artists/genres, distinct songs and artists, most
active local hour, skip rate and the personality inferred from behaviour; for the
run and each country top songs/artists/genres and minutes by local hour.

RUN_DIR may be s3://bucket/prefix/RUN (docs/storage.md): then DIR defaults to
s3://bucket/prefix/RUN-wrapped beside it, and may be a folder or another place in an
allowed bucket, never inside the run's own prefix.

Writes to DIR (default RUN_DIR/wrapped): summary.json, users.json, users.parquet,
top-items.parquet, hourly.parquet and report.html (self-contained; open it in a browser).

With --world: Wrapped of the world data/NAME (a path with '/' names its folder) so far, from its
first day through --through (default: its last complete day), written to DIR (default
WORLD/wrapped). Per-shard snapshots under WORLD/_wrapped/ carry it from day to day: only the days
after the latest snapshot are read. The report adds how the card user's top songs and
personality scores moved, month by month.`,
  flags: {
    world: { type: 'string', value: 'NAME', help: 'Wrapped of a world so far instead of a run (runs in this process)' },
    through: { type: 'string', value: 'DATE', help: 'with --world: the last day, YYYY-MM-DD (default: its last\ncomplete day)' },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'output folder or s3://bucket/prefix (default RUN_DIR/wrapped;\nfor a run in a bucket RUN-wrapped beside it)',
    },
    user: { type: 'string', value: 'ID', help: "the user of the report's Wrapped card (default: user 1)" },
    parallelism: { type: 'string', value: 'N', help: 'parts analysed at once (default 4)' },
    address: {
      type: 'string',
      value: 'HOST:PORT',
      help: "use this Temporal server; a worker must run there, and\nRUN_DIR and DIR are then paths under that worker's data root",
    },
    ...EMBEDDED_PORT_FLAGS,
    json: {
      type: 'boolean',
      help: 'print one JSON line: {"workflowId","outDir","users","records","cardUser",\n"files":{"summary","users","usersParquet","topItemsParquet","hourlyParquet","report"}};\nwith --world (no workflow): the same without "workflowId", plus "through",\n"daysRead" and "timeline"',
    },
  },
} as const satisfies CommandDef;

export function formatWrappedProgress(p: WrappedProgress, opts: { elapsedMs?: number } = {}): string {
  const line = `${p.phase}: ${p.partsDone}/${p.partsTotal} parts, ${p.records} records`;
  return opts.elapsedMs === undefined || !p.partsTotal ? line : `${line}  ${eta(p.partsDone / p.partsTotal, opts.elapsedMs)}`;
}

const whole = (flag: string, v: string | undefined) => wholeFlag(WRAPPED, flag, v, 1);

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(WRAPPED, argv);
  if (values.world !== undefined) return worldWrapped(values, positionals);
  if (values.through !== undefined) throw new UsageError('--through goes with --world');
  expectPositionals(WRAPPED, positionals, 1, 'one run folder (the one with _manifest.json)');
  const embedded = !explicitAddress(values.address);
  let input: WrappedInput = {
    run: positionals[0],
    out: values.out,
    user: whole('user', values.user),
    parallelism: whole('parallelism', values.parallelism),
  };
  let dataRoot: string | undefined;
  if (embedded) {
    // the in-process worker's data root holds both the run and the output; the input names them as given where it can
    // (a place in a bucket is named as given: the worker checks it against its WRAPPED_ETL_S3_ALLOW)
    const from = embeddedRoot();
    const runInBucket = isS3Location(input.run);
    if (runInBucket) await requireFinishedRun(input.run);
    else requireFinishedRunDir(path.resolve(from.root, input.run));
    const folders: Record<string, string> = {};
    if (!runInBucket) folders.run = input.run;
    if (input.out !== undefined && !isS3Location(input.out)) folders.out = input.out;
    else if (input.out === undefined && !runInBucket) folders.out = path.join(input.run, 'wrapped');
    const placement = embeddedPlacement(folders, from);
    dataRoot = placement.dataRoot;
    const name = (p: string | undefined) => (p === undefined || isS3Location(p) ? p : placement.name(p));
    input = { ...input, run: name(input.run)!, out: name(input.out) };
  }
  const workflowId = `wrapped-${path.basename(path.resolve(positionals[0]))}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  const session = await openSession({ address: values.address, worker: embedded, dataRoot, ports: embeddedPorts(WRAPPED, values) });
  try {
    const handle = await session.client.workflow.start<AnalyzeDatasetWorkflow>(ANALYZE_DATASET, {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
    });
    if (!values.json) process.stderr.write(`Started ${workflowId}${session.uiUrl ? ` — Web UI: ${session.uiUrl}` : ''}\n`);
    const bar = values.json ? undefined : new ProgressBar<WrappedProgress>(process.stderr, formatWrappedProgress);
    const poller = pollProgress(session.client, handle, wrappedProgressQuery, (p) => bar?.update(p), 1000);
    let result: WrittenWrapped;
    try {
      result = (await handle.result()) as WrittenWrapped;
    } catch (err) {
      if (err instanceof WorkflowFailedError)
        throw new Error(`wrapped ${workflowId} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: err });
      throw err;
    } finally {
      await poller.stop();
      bar?.finish(poller.last());
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ workflowId, ...result }) + '\n');
      return;
    }
    process.stdout.write(
      `Wrapped of ${result.users} users (${result.records} records) in ${result.outDir}\n` +
        Object.values(result.files)
          .map((f) => `  ${f}\n`)
          .join('') +
        `Open ${result.files.report} in a browser (user ${result.cardUser}'s card).\n`,
    );
  } finally {
    await session.close();
  }
}

async function worldWrapped(
  values: { world?: string; through?: string; out?: string; user?: string; json?: boolean; address?: string },
  positionals: string[],
): Promise<void> {
  if (positionals.length) throw new UsageError('give --world NAME or a RUN_DIR, not both');
  if (values.address) throw new UsageError('--world runs in this process; --address does not apply');
  if (values.through !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.through))
    throw new UsageError(`--through needs a date YYYY-MM-DD, got "${values.through}"`);
  const root = dataRootDir();
  const worldDir = values.world!.includes('/')
    ? confineUnderRoot(root, 'world', values.world!)
    : resolveRunDir(root, 'data', values.world!);
  const own = path.join(worldDir, 'wrapped');
  const outDir = values.out === undefined ? own : confineUnderRoot(root, 'out', values.out);
  checkOutputPlace('out', outDir, { own });
  const result = await writeWorldWrapped({ worldDir, through: values.through, outDir, cardUser: whole('user', values.user) });
  if (values.json) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  process.stdout.write(
    `Wrapped of world ${path.basename(worldDir)} through ${result.through}: ${result.users} users, ${result.records} records (${result.daysRead} days read, the rest from snapshots) in ${result.outDir}\n` +
      `Open ${result.files.report} in a browser (user ${result.cardUser}'s card and timeline).\n`,
  );
}
