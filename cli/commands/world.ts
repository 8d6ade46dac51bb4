import * as path from 'node:path';
import { dataRoot, resolveRunDir } from '../../src/runtime/data-root';
import { InputError } from '../../src/domain/errors';
import { runWorldDayJob } from '../../src/pipeline/world-day-job';
import { addDays, dayStartMs } from '../../src/domain/days';
import { resolveWorldInput, type WorldInput } from '../../src/config/world-input';
import { advanceOneDay, createWorld, daysToAdvance, worldStatus } from '../../src/pipeline/world-store';
import { closest, expectPositionals, HelpRequest, helpText, parseCommand, usageError, type CommandDef, type FlagDefs } from '../flags';
import { GENERATION_FLAGS, inputFromFlags, RUN_NAME_FLAGS } from '../generation-flags';
import { UsageError } from '../usage-error';

const OUT = { out: { type: 'string', value: 'DIR', help: 'where worlds live, under the data root (default data)' } } as const satisfies FlagDefs;

/** The generation flags a world takes: a world has no period, no per-run sessions, no run name. */
const WORLD_GENERATION_FLAGS = Object.fromEntries(
  Object.entries(GENERATION_FLAGS).filter(([name]) => !['from', 'to', 'sessions-per-user', 'input'].includes(name)),
) as Omit<typeof GENERATION_FLAGS, 'from' | 'to' | 'sessions-per-user' | 'input'>;

const ABOUT = `A world is a persistent population that goes on day by day. create writes its catalog,
users and world.json under DIR/NAME (DIR: --out, default data, under the data root).
advance simulates the next days one after the other, each as DIR/NAME/dt=YYYY-MM-DD/
part-NNNNN.avro (+ .parquet with --format avro,parquet at create) with its manifest.json;
the users' end-of-day state is checkpointed per shard, so the next day continues it.
A complete day is never rewritten; a day that failed halfway resumes its missing shards.`;

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
    },
  },
  advance: {
    args: 'NAME',
    about: `Simulates the next days of a world.\n\n${ABOUT}`,
    flags: {
      days: { type: 'string', value: 'N', help: 'advance N days (default 1)' },
      through: { type: 'string', value: 'DATE', help: 'advance up to and including DATE' },
      ...OUT,
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
  return resolveRunDir(dataRoot(), out ?? 'data', checkedName(name));
}

function checkedName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name) || name.includes('..')) {
    throw new InputError('name', `must be 1-128 letters, digits, '.', '_' or '-' (no '..', no '/'), got ${JSON.stringify(name)}`);
  }
  return name;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

async function create(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('create'), argv);
  expectPositionals(def('create'), positionals, 1, 'the world NAME');
  for (const flag of ['from', 'to', 'sessions-per-user', 'run-name', 'run-id']) {
    if (values[flag] !== undefined) throw usageError(def('create'), `--${flag} is not a world flag: a world starts on --start and goes on day by day`);
  }
  const { from: _from, to: _to, runId: _runId, sessionsPerUser: _spu, ...generation } = inputFromFlags(values);
  const perDay = values['sessions-per-day'] as string | undefined;
  const input: Partial<WorldInput> = {
    ...generation,
    name: positionals[0],
    start: values.start as string | undefined,
    ...(perDay !== undefined && { sessionsPerDay: Number(perDay) }),
  };
  const world = resolveWorldInput(input);
  const dir = worldDir(world.name, world.params.out);
  const definition = await createWorld(dir, world);
  process.stdout.write(`World ${definition.name}: ${definition.params.users} users from ${definition.start} in ${dir}\n`);
}

async function advance(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(def('advance'), argv);
  expectPositionals(def('advance'), positionals, 1, 'the world NAME');
  if (values.days !== undefined && values.through !== undefined) throw usageError(def('advance'), 'give --days or --through, not both');
  const dir = worldDir(positionals[0], values.out);
  const status = worldStatus(dir, today());
  let through: string;
  if (values.through !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.through)) throw usageError(def('advance'), `--through needs a date YYYY-MM-DD, got "${values.through}"`);
    through = values.through;
    dayStartMs(through);
  } else {
    const n = values.days === undefined ? 1 : Number(values.days);
    if (!Number.isInteger(n) || n < 1) throw usageError(def('advance'), `--days needs a whole number >= 1, got "${values.days}"`);
    through = addDays(status.nextDay, n - 1);
  }
  const days = daysToAdvance(dir, through);
  if (days.length === 0) {
    process.stdout.write(`World ${status.name} is complete through ${status.lastCompleteDay}; nothing to write (complete days are never rewritten)\n`);
    return;
  }
  for (const day of days) {
    const started = Date.now();
    const outcome = await advanceOneDay(dir, day, async (jobs) => {
      const results = [];
      for (const job of jobs) results.push(await runWorldDayJob(job));
      return results;
    });
    const resumed = outcome.shardsResumed ? ` (${outcome.shardsResumed} shards resumed from checkpoints)` : '';
    process.stdout.write(`${day}: ${outcome.records} records in ${((Date.now() - started) / 1000).toFixed(1)} s${resumed}\n`);
  }
  process.stdout.write(`World ${status.name} is complete through ${days[days.length - 1]} in ${path.relative(process.cwd(), dir) || '.'}\n`);
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

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'create') return create(rest);
  if (sub === 'advance') return advance(rest);
  if (sub === 'status') return status(rest);
  if (sub === '--help' || sub === '-h') throw new HelpRequest(helpText(WORLD));
  const guess = sub && closest(sub, Object.keys(SUBCOMMANDS));
  throw usageError(WORLD, sub ? `unknown subcommand "${sub}"${guess ? ` (did you mean ${guess}?)` : ''}` : 'give a subcommand: create, advance or status');
}
