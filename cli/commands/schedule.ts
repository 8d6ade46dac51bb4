import { parseArgs } from 'node:util';
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { InputError } from '../../src/domain/errors';
import { resolveGenerationInput, type GenerationInput } from '../../src/config/generation-input';
import { GENERATION_FLAGS, GENERATION_FLAGS_USAGE, inputFromFlags } from '../generation-flags';
import { TASK_QUEUE } from '../temporal/constants';
import { openSession } from '../temporal/session';
import { UsageError } from '../usage-error';
import { GENERATE_DATASET } from '../../workflows/contracts';

export const usage = `wrapped-etl schedule SUBCOMMAND ...

  create NAME --cron "0 2 * * *" [generation flags] [--keep-days N]
  list
  describe NAME
  pause NAME [--note TEXT]
  unpause NAME
  trigger NAME
  delete NAME

A schedule starts generateDataset on the cron (UTC). Each run writes to
<out>/NAME-YYYYMMDDTHHMMSSZ, named after its scheduled time; a run is skipped
while the previous one still runs; --keep-days N deletes this schedule's
generations scheduled more than N days before the newest. Schedules need a server
that keeps running (\`wrapped-etl server\`, or --address) and a worker there.
All subcommands take --address HOST:PORT.

generation flags (--run-id is not allowed: every run gets its own folder):
${GENERATION_FLAGS_USAGE}
`;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function scheduleName(positionals: string[]): string {
  const name = positionals[0];
  if (!name) throw new UsageError('give the schedule NAME');
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  if (!NAME_RE.test(name) || name.includes('..')) throw new UsageError(`schedule name "${name}": use 1-64 letters, digits, '.', '_' or '-'`);
  return name;
}

function createInput(values: Record<string, string | string[] | boolean | undefined>): { input: GenerationInput; keepDays: number | undefined; cron: string } {
  const cron = values.cron as string | undefined;
  if (!cron) throw new UsageError('--cron is required, e.g. --cron "0 2 * * *" (every night at 02:00 UTC)');
  let keepDays: number | undefined;
  if (values['keep-days'] !== undefined) {
    keepDays = Number(values['keep-days']);
    if (!Number.isInteger(keepDays) || keepDays < 1) throw new UsageError(`--keep-days needs a whole number of days >= 1, got "${values['keep-days']}"`);
  }
  const input = inputFromFlags(values);
  if (input.runId !== undefined) throw new UsageError('--run-id does not go with a schedule: each run is named after its scheduled time');
  if (input.resume !== undefined) throw new UsageError('resume does not go with a schedule');
  try {
    resolveGenerationInput(input, 'scheduled');
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
  return { input, keepDays, cron };
}

async function describeSchedule(client: Client, name: string): Promise<string> {
  const d = await client.schedule.getHandle(name).describe();
  const action = d.action.type === 'startWorkflow' ? d.action : undefined;
  const lines = [
    `${name}: ${d.state.paused ? `PAUSED${d.state.note ? ` (${d.state.note})` : ''}` : 'ACTIVE'}`,
    `  cron:        ${(d.memo as { cron?: string } | undefined)?.cron ?? JSON.stringify(d.spec.calendars ?? d.spec.intervals)} (UTC)`,
    `  input:       ${JSON.stringify(action?.args?.[0] ?? {})}`,
    `  keep days:   ${(d.action.type === 'startWorkflow' && (action?.memo as { keepDays?: number } | undefined)?.keepDays) || 'all'}`,
    `  overlap:     ${d.policies.overlap}`,
    `  next runs:   ${d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()).join(', ') || '-'}`,
    `  runs taken:  ${d.info.numActionsTaken} (skipped for overlap: ${d.info.numActionsSkippedOverlap})`,
    ...d.info.recentActions.slice(-5).map((a) => `  recent:      ${a.scheduledAt.toISOString()} -> workflow ${a.action.workflow.workflowId}`),
    ...d.info.runningActions.map((a) => `  running:     workflow ${a.workflow.workflowId}`),
  ];
  return lines.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    options: { ...GENERATION_FLAGS, cron: { type: 'string' }, 'keep-days': { type: 'string' }, note: { type: 'string' }, address: { type: 'string' } },
    allowPositionals: true,
  });
  const subcommands = ['create', 'list', 'describe', 'pause', 'unpause', 'trigger', 'delete'];
  if (!sub || !subcommands.includes(sub)) throw new UsageError(sub ? `unknown subcommand "${sub}"` : `give a subcommand: ${subcommands.join(', ')}`);
  const created = sub === 'create' ? createInput(values) : undefined;
  const name = sub === 'list' ? '' : scheduleName(positionals);

  const session = await openSession({ address: values.address, worker: false, needsRunningServer: 'schedules live on a server that keeps running' });
  const { client } = session;
  try {
    const handle = client.schedule.getHandle(name);
    switch (sub) {
      case 'create': {
        const { input, keepDays, cron } = created!;
        await client.schedule.create({
          scheduleId: name,
          spec: { cronExpressions: [cron] },
          action: {
            type: 'startWorkflow',
            workflowType: GENERATE_DATASET,
            workflowId: name,
            taskQueue: TASK_QUEUE,
            args: [input],
            memo: { schedule: name, ...(keepDays ? { keepDays } : {}) },
          },
          policies: { overlap: ScheduleOverlapPolicy.SKIP },
          memo: { cron },
        });
        process.stdout.write(`Created schedule ${name}\n${await describeSchedule(client, name)}`);
        break;
      }
      case 'list': {
        let any = false;
        for await (const s of client.schedule.list()) {
          any = true;
          const next = s.info.nextActionTimes[0]?.toISOString() ?? '-';
          const cron = (s.memo as { cron?: string } | undefined)?.cron ?? '';
          process.stdout.write(`${s.scheduleId}\t${s.state.paused ? 'PAUSED' : 'ACTIVE'}\t${cron}\tnext ${next}\n`);
        }
        if (!any) process.stdout.write('no schedules\n');
        break;
      }
      case 'describe':
        process.stdout.write(await describeSchedule(client, name));
        break;
      case 'pause':
        await handle.pause(values.note ?? 'paused with wrapped-etl schedule pause');
        process.stdout.write(`Paused ${name}\n`);
        break;
      case 'unpause':
        await handle.unpause();
        process.stdout.write(`Unpaused ${name}\n`);
        break;
      case 'trigger':
        await handle.trigger(ScheduleOverlapPolicy.SKIP);
        process.stdout.write(`Triggered ${name} (skipped if its previous run still runs)\n`);
        break;
      case 'delete':
        await handle.delete();
        process.stdout.write(`Deleted schedule ${name} (its generations stay)\n`);
        break;
    }
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw new Error(`no schedule named "${name}" on ${session.address}`, { cause: err });
    throw err;
  } finally {
    await session.close();
  }
}
