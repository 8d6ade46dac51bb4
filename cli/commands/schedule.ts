import {
  ApplicationFailure,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  WorkflowFailedError,
  type Client,
} from '@temporalio/client';
import { InputError } from '../../src/domain/errors';
import { UsageError } from '../usage-error';
import { resolveGenerationInput, type GenerationInput } from '../../src/config/generation-input';
import { closest, HelpRequest, helpText, parseCommand, usageError, wholeFlag, type CommandDef, type FlagDefs } from '../flags';
import { GENERATION_FLAGS, inputFromFlags, RUN_NAME_FLAGS } from '../generation-flags';
import { TASK_QUEUE } from '../temporal/constants';
import { openSession } from '../temporal/session';
import { ADVANCE_WORLD, CHECK_WORLD_ADVANCE, GENERATE_DATASET, type CheckWorldAdvanceWorkflow } from '../../workflows/contracts';
import { workerPolls } from '../temporal/worker-presence';
import { resolveWorldAdvanceInput, type WorldAdvanceInput } from '../../src/config/world-input';

const ADDRESS = {
  address: { type: 'string', value: 'HOST:PORT', help: 'the Temporal server (default TEMPORAL_ADDRESS or 127.0.0.1:7233)' },
} as const satisfies FlagDefs;
const JSON_FLAG = {
  json: { type: 'boolean', help: 'print the result as one JSON line (shapes: wrapped-etl schedule --help)' },
} as const satisfies FlagDefs;

const CREATE_FLAGS = {
  cron: {
    type: 'string',
    value: 'EXPR',
    help: 'when to run: a cron expression in UTC (required),\ne.g. "0 2 * * *" for 02:00 every night',
  },
  'keep-days': {
    type: 'string',
    value: 'N',
    help: "delete this schedule's generations scheduled more than N days\nbefore the newest (default: keep all)",
  },
  world: {
    type: 'string',
    value: 'NAME',
    help: 'advance this world by one day per run instead of generating\n(with --out; no generation flags)',
  },
  'catch-up-window': {
    type: 'string',
    value: 'DAYS',
    help: 'with --world: runs missed while the server was down are still\ntaken, in order, if they are at most DAYS old (default 7)',
  },
  ...GENERATION_FLAGS,
  // rejected with a reason: every scheduled run gets its own folder
  ...Object.fromEntries(Object.entries(RUN_NAME_FLAGS).map(([k, f]) => [k, { ...f, hidden: true }])),
  ...ADDRESS,
  ...JSON_FLAG,
} as const satisfies FlagDefs;

const SUBCOMMANDS = {
  create: {
    args: 'NAME',
    about: 'Creates a schedule that starts generateDataset (or, with --world, advanceWorld) on the cron.',
    flags: CREATE_FLAGS,
  },
  list: { args: '', about: 'Lists the schedules on the server.', flags: { ...ADDRESS, ...JSON_FLAG } },
  describe: { args: 'NAME', about: 'Shows a schedule: cron, input, next and recent runs.', flags: { ...ADDRESS, ...JSON_FLAG } },
  pause: {
    args: 'NAME',
    about: 'Pauses a schedule (no new runs until unpaused).',
    flags: { note: { type: 'string', value: 'TEXT', help: 'why it is paused (shown by describe)' }, ...ADDRESS, ...JSON_FLAG },
  },
  unpause: { args: 'NAME', about: 'Unpauses a schedule.', flags: { ...ADDRESS, ...JSON_FLAG } },
  trigger: { args: 'NAME', about: 'Starts a run now (skipped if the previous run still runs).', flags: { ...ADDRESS, ...JSON_FLAG } },
  delete: { args: 'NAME', about: 'Deletes a schedule; its generations stay.', flags: { ...ADDRESS, ...JSON_FLAG } },
} satisfies Record<string, Omit<CommandDef, 'name'>>;

type Subcommand = keyof typeof SUBCOMMANDS;

const JSON_SHAPES = `--json shapes (one line each):
  list                  {"schedules":[{"name","state","cron","nextRun"}]}
  create, describe      {"name","state","note","cron","input","keepDays","overlap","nextRuns",
                         "runsTaken","skippedForOverlap","recent":[{"scheduledAt","workflowId"}],"running"}
  pause, unpause,
  trigger, delete       {"name","done":"paused"|"unpaused"|"triggered"|"deleted"}
state is ACTIVE or PAUSED; times are ISO 8601 UTC; keepDays is null when all runs are kept.`;

const SCHEDULE: CommandDef = {
  name: 'schedule',
  args: 'SUBCOMMAND ...',
  about: `${Object.entries(SUBCOMMANDS)
    .map(([sub, d]) => `  ${`${sub} ${d.args}`.padEnd(14)}${d.about}`)
    .join('\n')}

A schedule starts generateDataset on the cron (UTC). Each run writes to
<out>/NAME-YYYYMMDDTHHMMSSZ, named after its scheduled time; a run is skipped
while the previous one still runs; --keep-days N deletes this schedule's complete
generations scheduled more than N days before the newest.
With --world W, each run advances world W by exactly one day, the next missing one
(workflow advanceWorld, input {"world","out","days":1}); runs never overlap (overlap
BUFFER_ALL: a run waits for the one before), so missed runs catch up day by day, in order
(--catch-up-window). The world and --out are checked at create by a worker of the task
queue (workflow checkWorldAdvance, on that worker's data root, where the runs will go);
with no worker polling, create says so and the first run checks them. Schedules need a server that keeps running
(\`wrapped-etl server\`, or --address) and a worker there.
\`wrapped-etl schedule SUBCOMMAND --help\` lists a subcommand's flags.`,
  flags: {},
  footer: JSON_SHAPES,
};

function subcommandDef(sub: Subcommand): CommandDef {
  return { name: `schedule ${sub}`, ...SUBCOMMANDS[sub], footer: sub === 'create' ? undefined : JSON_SHAPES };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function scheduleName(def: CommandDef, positionals: string[]): string {
  const name = positionals[0];
  if (!name) throw usageError(def, 'give the schedule NAME');
  if (positionals.length > 1) throw usageError(def, `unexpected argument "${positionals[1]}"`);
  if (!NAME_RE.test(name) || name.includes('..'))
    throw usageError(def, `schedule name "${name}": use 1-64 letters, digits, '.', '_' or '-'`);
  return name;
}

/** What a schedule starts: a generation each run, or one day of a world. */
type Created = { cron: string } & (
  { kind: 'generation'; input: GenerationInput } | { kind: 'world'; input: WorldAdvanceInput; catchUpDays: number }
);

const WORLD_SCHEDULE_FLAGS = new Set(['world', 'out', 'cron', 'catch-up-window', 'address', 'json']);

function worldScheduleInput(def: CommandDef, values: Record<string, string | string[] | boolean | undefined>, cron: string): Created {
  const other = Object.keys(values).find((flag) => values[flag] !== undefined && !WORLD_SCHEDULE_FLAGS.has(flag));
  if (other)
    throw usageError(def, `--${other} does not go with --world: the world's definition (world create) fixes how its days are made`);
  const catchUpDays = wholeFlag(def, 'catch-up-window', values['catch-up-window'] as string | undefined, 1, 366) ?? 7;
  const input: WorldAdvanceInput = {
    world: values.world as string,
    ...(values.out !== undefined && { out: values.out as string }),
    days: 1,
  };
  try {
    // the input's own bounds here; whether the world is there (and out under the data root) the worker says, in createSchedule
    resolveWorldAdvanceInput(input);
  } catch (err) {
    if (err instanceof InputError) throw usageError(def, err.message);
    throw err;
  }
  return { kind: 'world', input, cron, catchUpDays };
}

const DAY_MS = 86_400_000;

/**
 * A world schedule's input checked where the world lives: a worker of the task queue runs
 * checkWorldAdvance (nothing claimed or written), so a world missing from that worker's data
 * root, or an out outside it, is refused at create naming the field. Without a worker polling,
 * the first run checks it (and fails naming the field): said, not refused.
 */
async function checkOnWorker(client: Client, name: string, input: WorldAdvanceInput): Promise<string | undefined> {
  if (!(await workerPolls(client, TASK_QUEUE)))
    return `not checked: no worker polls task queue ${TASK_QUEUE} now; the first run checks world ${input.world} on its worker and fails naming the field if it is not there`;
  try {
    const found = await client.workflow.execute<CheckWorldAdvanceWorkflow>(CHECK_WORLD_ADVANCE, {
      taskQueue: TASK_QUEUE,
      workflowId: `${name}-check-${Date.now()}`,
      args: [input],
      workflowExecutionTimeout: '2 minutes',
    });
    return `checked on a worker: world ${found.world} is at ${found.worldDir}, next day ${found.nextDay}`;
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure && cause.type === 'InvalidInput') throw new UsageError(cause.message, 'schedule create');
    throw err;
  }
}

/**
 * client.schedule.create, its refusals said with the schedule's name. Created paused, so the
 * server's own reading of the cron can be checked before anything runs: one that never fires is
 * refused, and so is one that advances a world more often than once a day (a world's day is a
 * day of the users' lives: advanced every second, it runs ahead of the calendar). Then unpaused.
 */
async function createSchedule(
  client: Client,
  name: string,
  options: Parameters<Client['schedule']['create']>[0],
  opts: { atMostDaily: boolean },
): Promise<void> {
  try {
    await client.schedule.create({ ...options, state: { paused: true, note: 'checking its cron' } });
    const handle = client.schedule.getHandle(name);
    const times = (await handle.describe()).info.nextActionTimes.map((t) => t.getTime());
    const cron = (options.memo as { cron: string }).cron;
    let refusal: string | undefined;
    if (times.length === 0) refusal = `--cron "${cron}" never fires (no time matches it)`;
    const gap = Math.min(...times.slice(1).map((t, i) => t - times[i]));
    if (opts.atMostDaily && gap < DAY_MS)
      refusal = `--cron "${cron}" fires every ${gap / 1000} s; a world advances by one day per run, so its schedule fires at most once a day (e.g. "0 2 * * *")`;
    if (refusal) {
      await handle.delete();
      throw new UsageError(refusal, 'schedule create');
    }
    await handle.unpause('cron checked');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof ScheduleAlreadyRunning)
      throw new Error(`schedule ${name} exists already: see it with \`wrapped-etl schedule describe ${name}\`, or delete it first`, {
        cause: err,
      });
    throw new Error(`schedule ${name} was not created: ${(err as Error).message}`, { cause: err });
  }
}

function createInput(def: CommandDef, name: string, values: Record<string, string | string[] | boolean | undefined>): Created {
  const cron = values.cron as string | undefined;
  if (!cron) throw usageError(def, '--cron is required, e.g. --cron "0 2 * * *" (every night at 02:00 UTC)');
  const fields = cron.trim().split(/\s+/).length;
  if (!cron.trim().startsWith('@') && (fields < 5 || fields > 7)) {
    throw usageError(
      def,
      `--cron: "${cron}" has ${fields} field${fields === 1 ? '' : 's'}; a cron expression has 5 (minute hour day month weekday), e.g. "0 2 * * *"`,
    );
  }
  if (values.world !== undefined) return worldScheduleInput(def, values, cron);
  if (values['catch-up-window'] !== undefined) throw usageError(def, '--catch-up-window goes with --world');
  const keepDays = wholeFlag(def, 'keep-days', values['keep-days'] as string | undefined, 1);
  for (const flag of Object.keys(RUN_NAME_FLAGS)) {
    if (values[flag] !== undefined)
      throw usageError(def, `--${flag} does not go with a schedule: each run is named after its scheduled time`);
  }
  const input: GenerationInput = { ...inputFromFlags(values), schedule: name, ...(keepDays ? { keepDays } : {}) };
  if (input.runId !== undefined) throw usageError(def, 'runId does not go with a schedule: each run is named after its scheduled time');
  if (input.resume !== undefined) throw usageError(def, 'resume does not go with a schedule');
  try {
    resolveGenerationInput(input, 'scheduled');
  } catch (err) {
    if (err instanceof InputError) throw usageError(def, err.message);
    throw err;
  }
  return { kind: 'generation', input, cron };
}

interface ScheduleView {
  name: string;
  state: 'ACTIVE' | 'PAUSED';
  note: string | null;
  cron: string;
  input: GenerationInput;
  keepDays: number | null;
  overlap: string;
  nextRuns: string[];
  runsTaken: number;
  skippedForOverlap: number;
  recent: { scheduledAt: string; workflowId: string }[];
  running: string[];
}

async function describeSchedule(client: Client, name: string): Promise<ScheduleView> {
  const d = await client.schedule.getHandle(name).describe();
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  return {
    name,
    state: d.state.paused ? 'PAUSED' : 'ACTIVE',
    note: d.state.note || null,
    cron: (d.memo as { cron?: string } | undefined)?.cron ?? JSON.stringify(d.spec.calendars ?? d.spec.intervals),
    input: (action?.args?.[0] ?? {}) as GenerationInput,
    keepDays: (action?.args?.[0] as GenerationInput | undefined)?.keepDays ?? null,
    overlap: String(d.policies.overlap),
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    runsTaken: d.info.numActionsTaken,
    skippedForOverlap: d.info.numActionsSkippedOverlap,
    recent: d.info.recentActions
      .slice(-5)
      .map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    running: d.info.runningActions.map((a) => a.workflow.workflowId),
  };
}

function formatSchedule(v: ScheduleView): string {
  const lines = [
    `${v.name}: ${v.state}${v.note && v.state === 'PAUSED' ? ` (${v.note})` : ''}`,
    `  cron:        ${v.cron} (UTC)`,
    `  input:       ${JSON.stringify(v.input)}`,
    `  keep days:   ${v.keepDays ?? 'all'}`,
    `  overlap:     ${v.overlap}`,
    `  next runs:   ${v.nextRuns.join(', ') || '-'}`,
    `  runs taken:  ${v.runsTaken} (skipped for overlap: ${v.skippedForOverlap})`,
    ...v.recent.map((a) => `  recent:      ${a.scheduledAt} -> workflow ${a.workflowId}`),
    ...v.running.map((w) => `  running:     workflow ${w}`),
  ];
  return lines.join('\n') + '\n';
}

const DONE = { pause: 'paused', unpause: 'unpaused', trigger: 'triggered', delete: 'deleted' } as const;

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub) throw new HelpRequest(helpText(SCHEDULE));
    throw usageError(SCHEDULE, `give a subcommand: ${Object.keys(SUBCOMMANDS).join(', ')}`);
  }
  if (!(sub in SUBCOMMANDS)) {
    const guess = closest(sub, Object.keys(SUBCOMMANDS));
    throw usageError(SCHEDULE, `unknown subcommand "${sub}"${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  const def = subcommandDef(sub as Subcommand);
  const { values, positionals } = parseCommand(def, rest);
  if (sub === 'list' && positionals.length) throw usageError(def, `unexpected argument "${positionals[0]}"`);
  const name = sub === 'list' ? '' : scheduleName(def, positionals);
  const created = sub === 'create' ? createInput(def, name, values) : undefined;
  const json = Boolean(values.json);
  const say = (text: string, done: string) => process.stdout.write(json ? JSON.stringify({ name, done }) + '\n' : text);
  const show = (v: ScheduleView) => process.stdout.write(json ? JSON.stringify(v) + '\n' : formatSchedule(v));

  const session = await openSession({
    address: values.address as string | undefined,
    worker: false,
    needsRunningServer: 'schedules live on a server that keeps running',
  });
  const { client } = session;
  try {
    const handle = client.schedule.getHandle(name);
    switch (sub) {
      case 'create': {
        const { input, cron } = created!;
        const world = created!.kind === 'world' ? created! : undefined;
        const checked = world && (await checkOnWorker(client, name, world.input));
        await createSchedule(
          client,
          name,
          {
            scheduleId: name,
            spec: { cronExpressions: [cron] },
            action: {
              type: 'startWorkflow',
              workflowType: world ? ADVANCE_WORLD : GENERATE_DATASET,
              workflowId: name,
              taskQueue: TASK_QUEUE,
              // schedule and keepDays travel in the validated input: memo and search attributes are not trusted
              args: [input],
            },
            // a world's runs queue up (one day each, in order); the world's claim also keeps other advances out
            policies: world
              ? { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: `${world.catchUpDays} days` }
              : { overlap: ScheduleOverlapPolicy.SKIP },
            memo: { cron },
          },
          { atMostDaily: !!world },
        );
        if (!json) process.stdout.write(`Created schedule ${name}\n`);
        // a world not checked is a warning; one checked is said with the rest of the text output
        if (checked?.startsWith('not checked')) process.stderr.write(`${checked}\n`);
        else if (checked && !json) process.stdout.write(`${checked}\n`);
        show(await describeSchedule(client, name));
        break;
      }
      case 'list': {
        const schedules: { name: string; state: string; cron: string; nextRun: string | null }[] = [];
        for await (const s of client.schedule.list()) {
          const cron = (s.memo as { cron?: string } | undefined)?.cron ?? '';
          schedules.push({
            name: s.scheduleId,
            state: s.state.paused ? 'PAUSED' : 'ACTIVE',
            cron,
            nextRun: s.info.nextActionTimes[0]?.toISOString() ?? null,
          });
        }
        if (json) process.stdout.write(JSON.stringify({ schedules }) + '\n');
        else if (!schedules.length) process.stdout.write('no schedules\n');
        else for (const s of schedules) process.stdout.write(`${s.name}\t${s.state}\t${s.cron}\tnext ${s.nextRun ?? '-'}\n`);
        break;
      }
      case 'describe':
        show(await describeSchedule(client, name));
        break;
      case 'pause':
        await handle.pause((values.note as string | undefined) ?? 'paused with wrapped-etl schedule pause');
        say(`Paused ${name}\n`, DONE.pause);
        break;
      case 'unpause':
        await handle.unpause();
        say(`Unpaused ${name}\n`, DONE.unpause);
        break;
      case 'trigger':
        await handle.trigger(ScheduleOverlapPolicy.SKIP);
        say(`Triggered ${name} (skipped if its previous run still runs)\n`, DONE.trigger);
        break;
      case 'delete':
        await handle.delete();
        say(`Deleted schedule ${name} (its generations stay)\n`, DONE.delete);
        break;
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule named "${name}" on ${session.address}`, { cause: err });
    throw err;
  } finally {
    await session.close();
  }
}
