import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { dataRoot, resolveRunDir } from '../../src/config/data-root';
import { InputError } from '../../src/domain/errors';
import { runWorldDayJob } from '../../src/pipeline/world-day-job';
import { addDays, dayStartMs } from '../../src/domain/days';
import { resolveWorldInput, type WorldInput } from '../../src/config/world-input';
import { advanceOneDay, createWorld, daysToAdvance, worldStatus } from '../../src/pipeline/world-store';
import { GENERATION_FLAGS, GENERATION_FLAGS_USAGE, inputFromFlags } from '../generation-flags';
import { UsageError } from '../usage-error';

export const usage = `wrapped-etl world create NAME --users N --start YYYY-MM-DD [--sessions-per-day X] [generation flags]
wrapped-etl world advance NAME [--days N | --through YYYY-MM-DD] [--out DIR]
wrapped-etl world status NAME [--json] [--out DIR]

A world is a persistent population that goes on day by day. create writes its catalog,
users and world.json under DIR/NAME (DIR: --out, default data, under the data root).
advance simulates the next days one after the other, each as DIR/NAME/dt=YYYY-MM-DD/
part-NNNNN.avro (+ .parquet with --format avro,parquet at create) with its manifest.json;
the users' end-of-day state is checkpointed per shard, so the next day continues it.
A complete day is never rewritten; a day that failed halfway resumes its missing shards.

  --start DATE            the world's first day (create)
  --sessions-per-day X    sessions a day of a user of average activity (default 1.5)
  --days N                advance N days (default 1)
  --through DATE          advance up to and including DATE
  --json                  status as one JSON object
${GENERATION_FLAGS_USAGE.split('\n').filter((l) => !/--(from|to|sessions-per-user|run-id|input) /.test(l)).join('\n')}
`;

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
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...GENERATION_FLAGS, start: { type: 'string' }, 'sessions-per-day': { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one world NAME');
  for (const flag of ['from', 'to', 'sessions-per-user', 'run-id']) {
    if (values[flag as keyof typeof values] !== undefined) throw new UsageError(`--${flag} is not a world flag: a world starts on --start and goes on day by day`);
  }
  const { from: _from, to: _to, runId: _runId, sessionsPerUser: _spu, ...generation } = inputFromFlags(values);
  const perDay = values['sessions-per-day'];
  const input: WorldInput = {
    ...generation,
    name: positionals[0],
    start: values.start,
    ...(perDay !== undefined && { sessionsPerDay: Number(perDay) }),
  };
  const world = resolveWorldInput(input);
  const dir = worldDir(world.name, world.params.out);
  const definition = await createWorld(dir, world);
  process.stdout.write(`World ${definition.name}: ${definition.params.users} users from ${definition.start} in ${dir}\n`);
}

async function advance(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { days: { type: 'string' }, through: { type: 'string' }, out: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give exactly one world NAME');
  if (values.days !== undefined && values.through !== undefined) throw new UsageError('give --days or --through, not both');
  const dir = worldDir(positionals[0], values.out);
  const status = worldStatus(dir, today());
  let through: string;
  if (values.through !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.through)) throw new UsageError(`--through needs a date YYYY-MM-DD, got "${values.through}"`);
    through = values.through;
    dayStartMs(through);
  } else {
    const n = values.days === undefined ? 1 : Number(values.days);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--days needs a whole number >= 1, got "${values.days}"`);
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
  const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' }, out: { type: 'string' } }, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('give exactly one world NAME');
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
  throw new UsageError(sub ? `unknown world subcommand "${sub}"` : 'give a subcommand: create, advance or status');
}
