import * as path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { dataRoot, resolveRunDir } from '../../src/runtime/data-root';
import { DEFAULTS } from '../../src/config/generation-input';
import { dayStartMs } from '../../src/domain/days';
import {
  checkWorldName,
  resolveWorldAdvanceInput,
  resolveWorldInput,
  type WorldAdvanceInput,
  type WorldInput,
} from '../../src/config/world-input';
import { worldStatus } from '../../src/pipeline/world-store';
import { claimOwnedChecked, processOwnerId, releaseRun, RunOwnedElsewhere, runFolder } from '../../src/pipeline/run-owner';
import { worldRepairThreadJob } from '../../src/pipeline/thread-jobs';
import { ThreadPool } from '../../src/runtime/thread-pool';
import {
  ADVANCE_WORLD,
  CREATE_WORLD,
  worldProgressQuery,
  type AdvanceWorldWorkflow,
  type CreateWorldWorkflow,
  type WorldProgress,
} from '../../workflows/contracts';
import { ProgressBar } from '../progress-bar';
import { DEFAULT_ADDRESS, TASK_QUEUE } from '../temporal/constants';
import { TemporalHolderCheck } from '../temporal/holder-check';
import { pollProgress } from '../temporal/progress-poller';
import { EMBEDDED_PORT_FLAGS, embeddedPorts, explicitAddress, openSession, type TemporalSession } from '../temporal/session';
import { closest, expectPositionals, HelpRequest, helpText, parseCommand, usageError, type CommandDef, type FlagDefs } from '../flags';
import { GENERATION_FLAGS, inputFromFlags, RUN_NAME_FLAGS } from '../generation-flags';
import { UsageError } from '../usage-error';

const OUT = {
  out: { type: 'string', value: 'DIR', help: 'where worlds live, under the data root (default data)' },
} as const satisfies FlagDefs;
const TEMPORAL = {
  address: {
    type: 'string',
    value: 'HOST:PORT',
    help: "use this Temporal server (a worker must run there; the world is then\nunder that worker's data root)",
  },
  ...EMBEDDED_PORT_FLAGS,
  json: { type: 'boolean', help: 'print one JSON line at the end' },
} as const satisfies FlagDefs;

/** The generation flags a world takes: a world has no period, no per-run sessions, no run name. */
const WORLD_GENERATION_FLAGS = Object.fromEntries(
  Object.entries(GENERATION_FLAGS).filter(([name]) => !['from', 'to', 'sessions-per-user', 'input'].includes(name)),
) as Omit<typeof GENERATION_FLAGS, 'from' | 'to' | 'sessions-per-user' | 'input'>;

const ABOUT = `A world is a persistent population that goes on day by day. create writes its catalog,
users and world.json under DIR/NAME (DIR: --out, default data, under the data root).
advance simulates the next days one after the other, each as DIR/NAME/avro/dt=YYYY-MM-DD/
part-NNNNN.avro (+ parquet/dt=.../*.parquet with --format avro,parquet at create), then its
manifest DIR/NAME/_days/dt=YYYY-MM-DD/_manifest.json (docs/layout.md);
the users' end-of-day state is checkpointed per shard, so the next day continues it.
A complete day is never rewritten; a day that failed halfway resumes its missing shards.
create and advance run as workflows (createWorld, advanceWorld): without --address and
TEMPORAL_ADDRESS embedded, like generate (a local dev server and a worker in this process).`;

const SUBCOMMANDS = {
  create: {
    args: 'NAME',
    about: `Creates a world.\n\n${ABOUT}`,
    flags: {
      start: { type: 'string', value: 'DATE', help: "the world's first day, YYYY-MM-DD (required)" },
      'sessions-per-day': { type: 'string', value: 'X', help: 'sessions a day of a user of average activity (default 1.5)' },
      ...WORLD_GENERATION_FLAGS,
      // rejected with a reason
      from: { ...GENERATION_FLAGS.from, hidden: true },
      to: { ...GENERATION_FLAGS.to, hidden: true },
      'sessions-per-user': { ...GENERATION_FLAGS['sessions-per-user'], hidden: true },
      ...Object.fromEntries(Object.entries(RUN_NAME_FLAGS).map(([k, f]) => [k, { ...f, hidden: true }])),
      ...TEMPORAL,
    },
  },
  advance: {
    args: 'NAME',
    about: `Simulates the next days of a world.\n\n${ABOUT}`,
    flags: {
      days: { type: 'string', value: 'N', help: 'advance N days (default 1)' },
      through: { type: 'string', value: 'DATE', help: 'advance up to and including DATE' },
      ...OUT,
      ...TEMPORAL,
    },
  },
  status: {
    args: 'NAME',
    about: 'How far a world is: last complete day, days behind today, records.',
    flags: {
      json: {
        type: 'boolean',
        help: 'print one JSON line: {"name","users","shards","start","lastCompleteDay",\n"daysComplete","nextDay","daysBehind","records"}',
      },
      ...OUT,
    },
  },
  repair: {
    args: 'NAME',
    about: `Recomputes the users' state of the world's last complete day where it is damaged.

An advance reads the users' state at the end of the world's last complete day
(NAME/_state/dt=YYYY-MM-DD/shard-NNNNN.jsonl.gz, checked against the sha256 its shard's
checkpoint recorded); when one is missing or damaged the advance fails at once naming it.
repair simulates each such shard again from the latest state that checks (or the world's
first day) in a scratch folder, checks every day's part against its manifest's sha256 (the
same input gives the same bytes), and writes the state and the checkpoint again; parts and
manifests are not touched. It runs here, on this data root: run it where the world's
worker runs. It holds the world meanwhile (an advance waits); an advance workflow that
holds it is asked of Temporal (--address), and taken over as soon as it has closed.`,
    flags: {
      json: { type: 'boolean', help: 'print one JSON line: {"day","shards","repaired":[{"shard","from","days"}]}' },
      ...OUT,
      address: {
        type: 'string',
        value: 'HOST:PORT',
        help: 'the Temporal server asked whether an advanceWorld workflow holding\nthe world still runs (default TEMPORAL_ADDRESS or 127.0.0.1:7233;\nnot started here)',
      },
    },
  },
} satisfies Record<string, Omit<CommandDef, 'name'>>;

const WORLD: CommandDef = {
  name: 'world',
  args: 'SUBCOMMAND NAME',
  about: `${Object.entries(SUBCOMMANDS)
    .map(([sub, d]) => `  ${`${sub} ${d.args}`.padEnd(14)}${d.about.split('\n')[0]}`)
    .join('\n')}

${ABOUT}
\`wrapped-etl world SUBCOMMAND --help\` lists a subcommand's flags.`,
  flags: {},
};

const def = (sub: keyof typeof SUBCOMMANDS): CommandDef => ({ name: `world ${sub}`, ...SUBCOMMANDS[sub] });

function worldDir(name: string | undefined, out: string | undefined): string {
  if (!name) throw new UsageError('give the world NAME');
  return resolveRunDir(dataRoot(), out ?? 'data', checkWorldName('name', name));
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The input's out and, embedded, the in-process worker's data root: this process's data
 * root, where `world status` and `stream` look too, with --out as given under it, so the
 * input and the world.json it records are those of a remote worker's world. (Worlds
 * created before recorded out "." under a root that was their worlds' folder: the same
 * folder, which advance finds the same way.)
 */
function placement(name: string, out: string | undefined, embedded: boolean): { dataRoot?: string; out: string } {
  const given = out ?? DEFAULTS.out;
  if (!embedded) return { out: given };
  worldDir(name, given); // outside this process's data root: refused here, as status would refuse it
  return { dataRoot: dataRoot(), out: given };
}

/** Starts a world workflow; a second one for the same world while one runs is refused with who runs it. */
async function startWorldWorkflow<A extends unknown[]>(
  session: TemporalSession,
  type: string,
  workflowId: string,
  args: A,
  summary: string,
) {
  try {
    return await session.client.workflow.start(type, { taskQueue: TASK_QUEUE, workflowId, args, staticSummary: summary });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw new Error(
        `workflow ${workflowId} is running already for this world: wait for it (wrapped-etl status ${workflowId}) or cancel it`,
        { cause: err },
      );
    throw err;
  }
}

function failureOf(workflowId: string, err: unknown): Error {
  if (err instanceof WorkflowFailedError)
    return new Error(`${workflowId} failed: ${(err.cause as Error | undefined)?.message ?? err.message}`, { cause: err });
  return err as Error;
}

async function create(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('create'), argv);
  expectPositionals(def('create'), positionals, 1, 'the world NAME');
  for (const flag of ['from', 'to', 'sessions-per-user', 'run-name', 'run-id']) {
    if (values[flag] !== undefined)
      throw usageError(def('create'), `--${flag} is not a world flag: a world starts on --start and goes on day by day`);
  }
  const { from: _from, to: _to, runId: _runId, sessionsPerUser: _spu, ...generation } = inputFromFlags(values);
  const perDay = values['sessions-per-day'] as string | undefined;
  const embedded = !explicitAddress(values.address as string | undefined);
  const name = positionals[0];
  const where = placement(name, generation.out ?? undefined, embedded);
  const input: Partial<WorldInput> = {
    ...generation,
    out: where.out,
    name,
    start: values.start as string | undefined,
    ...(perDay !== undefined && { sessionsPerDay: Number(perDay) }),
  };
  const world = resolveWorldInput(input);
  const session = await openSession({
    address: values.address as string | undefined,
    worker: embedded,
    dataRoot: where.dataRoot,
    ports: embeddedPorts(def('create'), values as { port?: string; 'ui-port'?: string }),
    trustedSources: world.params.catalog,
  });
  try {
    const workflowId = `world-create-${name}`;
    const handle = await startWorldWorkflow<Parameters<CreateWorldWorkflow>>(
      session,
      CREATE_WORLD,
      workflowId,
      [input as WorldInput /* resolveWorldInput refuses one without name or start */],
      `wrapped-etl world create ${name}: ${world.params.users} users from ${world.start}`,
    );
    const created = await handle.result().catch((err: unknown) => {
      throw failureOf(workflowId, err);
    });
    if (values.json) process.stdout.write(JSON.stringify(created) + '\n');
    else
      process.stdout.write(
        `World ${created.name}: ${created.users} users from ${created.start} in ${created.worldDir}${created.existed ? ' (it existed already, as defined)' : ''}\n`,
      );
  } finally {
    await session.close();
  }
}

function formatWorldProgress(p: WorldProgress, { elapsedMs }: { elapsedMs: number }): string {
  const secs = `${(elapsedMs / 1000).toFixed(0)} s`;
  if (p.day === null) return `${p.phase === 'done' ? 'no day to write' : 'planning the days to write'}  ${secs}`;
  return `${p.day}: ${p.shardsDone}/${p.shardsTotal} shards  days ${p.daysDone}/${p.daysTotal}  ${p.records} records  ${secs}`;
}

async function advance(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('advance'), argv);
  expectPositionals(def('advance'), positionals, 1, 'the world NAME');
  if (values.days !== undefined && values.through !== undefined) throw usageError(def('advance'), 'give --days or --through, not both');
  const name = positionals[0];
  const embedded = !explicitAddress(values.address);
  const where = placement(name, values.out, embedded);
  const input: WorldAdvanceInput = { world: name, out: where.out };
  if (values.through !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.through))
      throw usageError(def('advance'), `--through needs a date YYYY-MM-DD, got "${values.through}"`);
    dayStartMs(values.through);
    input.through = values.through;
  } else {
    const n = values.days === undefined ? 1 : Number(values.days);
    if (!Number.isInteger(n) || n < 1) throw usageError(def('advance'), `--days needs a whole number >= 1, got "${values.days}"`);
    input.days = n;
  }
  resolveWorldAdvanceInput(input);
  // the world must exist before a workflow starts: said here at once, embedded (remote, the worker says so)
  if (embedded) worldStatus(worldDir(name, values.out), today());

  const session = await openSession({
    address: values.address,
    worker: embedded,
    dataRoot: where.dataRoot,
    ports: embeddedPorts(def('advance'), values),
  });
  const workflowId = `world-${name}`;
  const bar = values.json ? undefined : new ProgressBar<WorldProgress>(process.stderr, formatWorldProgress);
  try {
    const handle = await startWorldWorkflow<Parameters<AdvanceWorldWorkflow>>(
      session,
      ADVANCE_WORLD,
      workflowId,
      [input],
      `wrapped-etl world advance ${name}`,
    );
    const poller = pollProgress(session.client, handle, worldProgressQuery, (p) => bar?.update(p), 500);
    try {
      const result = await handle.result().catch((err: unknown) => {
        throw failureOf(workflowId, err);
      });
      bar?.finish();
      if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
      else if (result.days === 0)
        process.stdout.write(
          `World ${result.world} is complete through its last day; nothing to write (complete days are never rewritten)\n`,
        );
      else {
        const span = result.first === result.last ? result.first : `${result.first}..${result.last}`;
        process.stdout.write(
          `World ${result.world}: ${result.days} day(s) written (${span}), ${result.records} records; complete through ${result.last} in ${path.relative(process.cwd(), result.worldDir) || '.'}\n`,
        );
      }
    } finally {
      await poller.stop();
    }
  } finally {
    await session.close();
  }
}

async function status(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('status'), argv);
  expectPositionals(def('status'), positionals, 1, 'the world NAME');
  const s = worldStatus(worldDir(positionals[0], values.out), today());
  if (values.json) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  process.stdout.write(
    `World ${s.name}: ${s.users} users in ${s.shards} shards, from ${s.start}\n` +
      `  last complete day  ${s.lastCompleteDay ?? 'none yet'}\n` +
      `  days complete      ${s.daysComplete}\n` +
      `  days behind        ${s.daysBehind} (next day ${s.nextDay}, today ${today()})\n` +
      `  records            ${s.records}\n`,
  );
}

async function repair(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('repair'), argv);
  expectPositionals(def('repair'), positionals, 1, 'the world NAME');
  const dir = worldDir(positionals[0], values.out);
  const owner = processOwnerId();
  const holders = new TemporalHolderCheck(explicitAddress(values.address) ?? DEFAULT_ADDRESS);
  try {
    await claimOwnedChecked(runFolder(dir), owner, { holderAlive: holders.holderAlive });
  } catch (err) {
    if (err instanceof RunOwnedElsewhere)
      throw new Error(`world ${positionals[0]}: ${err.message}; ${holders.refusal(err.owner, 'one writer per world at a time')}`, {
        cause: err,
      });
    throw err;
  } finally {
    await holders.close();
  }
  const pool = new ThreadPool(1);
  try {
    const task = pool.run(worldRepairThreadJob, { worldDir: dir }, `repair of ${positionals[0]}`, (p) => {
      if (!values.json) process.stderr.write(`shard ${p.shard}: replaying ${p.day}\r`);
    });
    const result = await task.result;
    if (values.json) process.stdout.write(JSON.stringify(result) + '\n');
    else if (!result.day) process.stdout.write(`World ${positionals[0]} has no complete day: nothing to repair\n`);
    else
      process.stdout.write(
        result.repaired.length === 0
          ? `World ${positionals[0]}: the state of all ${result.shards} shards at the end of ${result.day} checks; nothing to repair\n`
          : `World ${positionals[0]}: recomputed the state at the end of ${result.day} of shard(s) ${result.repaired
              .map((r) => `${r.shard} (${r.days} day(s) from ${r.from})`)
              .join(', ')}; every replayed part matched its manifest. Advance it again.\n`,
      );
  } finally {
    await pool.close();
    releaseRun(dir, owner);
  }
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'repair') return repair(rest);
  if (sub === 'create') return create(rest);
  if (sub === 'advance') return advance(rest);
  if (sub === 'status') return status(rest);
  if (sub === '--help' || sub === '-h') throw new HelpRequest(helpText(WORLD));
  const guess = sub && closest(sub, Object.keys(SUBCOMMANDS));
  throw usageError(
    WORLD,
    sub ? `unknown subcommand "${sub}"${guess ? ` (did you mean ${guess}?)` : ''}` : 'give a subcommand: create, advance, status or repair',
  );
}
