import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { AddressPolicy } from '../src/catalog/address-guard';
import { SourceError } from '../src/catalog/sources';
import { catalogRoots, confineUnderRoot, dataRoot, resolveRunDir } from '../src/runtime/data-root';
import { shardCount } from '../src/config/generation-input';
import { MAX_ADVANCE_DAYS, resolveWorldAdvanceInput, resolveWorldInput } from '../src/config/world-input';
import { addDays, daysBetween } from '../src/domain/days';
import { InputError } from '../src/domain/errors';
import { dateToEpochMs } from '../src/domain/time-units';
import { claimOwnedChecked, holdRun, releaseRun, RunOwnedElsewhere, runFolder } from '../src/pipeline/run-owner';
import { usersThreadJob, worldDayThreadJob } from '../src/pipeline/thread-jobs';
import { validDayCheckpoint, type WorldDayProgress } from '../src/pipeline/world-day-job';
import { readWorldDefinition, WorldLayout } from '../src/pipeline/world-layout';
import { AdvanceTooSoon, takeScheduledTurn } from '../src/pipeline/scheduled-advances';
import { createWorld, DayNotReady, finishDay, nextDay, WorldExists } from '../src/pipeline/world-store';
import { logger } from '../src/runtime/logger';
import type { ThreadPool } from '../src/runtime/thread-pool';
import { failFastOnFilesystem, type WritePlace } from './filesystem-failure';
import { temporalHolderAlive } from './holder-alive';

/** A world as the workflow carries it: its folder (under the worker's data root) and its shape. */
export interface WorldRef {
  name: string;
  worldDir: string;
  shards: number;
  /** shard jobs of one day in flight at once */
  parallelism: number;
}

/** What one advance covers: `days` days from `first` (none when the world is there already). */
export interface WorldPlan extends WorldRef {
  first: string;
  days: number;
}

export interface WorldDayShardRef {
  worldDir: string;
  day: string;
  shard: number;
}

export interface WorldDayShardOutcome {
  shard: number;
  records: number;
  /** true when a valid checkpoint of an earlier attempt was kept */
  reused: boolean;
}

export interface WorldCreated {
  name: string;
  worldDir: string;
  start: string;
  users: number;
  shards: number;
  /** true when the world existed already with this definition (nothing was written) */
  existed: boolean;
}

/** A schedule's firing of an advance, as the workflow read it from its search attributes. */
export interface ScheduleFiring {
  /** the schedule's time for the run, ISO */
  at: string;
  /** the schedule's id, when the run says it */
  schedule: string | null;
}

function checkedFiring(f: ScheduleFiring): ScheduleFiring {
  if (typeof f?.at !== 'string' || Number.isNaN(Date.parse(f.at)) || (f.schedule !== null && typeof f.schedule !== 'string'))
    invalidInput(new InputError('scheduled', `must be a schedule's time and id, got ${JSON.stringify(f)}`));
  return { at: new Date(f.at).toISOString(), schedule: f.schedule };
}

function invalidInput(err: unknown): never {
  if (err instanceof InputError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput', { field: err.field });
  throw err;
}

function currentWorkflowId(): string {
  const id = Context.current().info.workflowExecution?.workflowId;
  if (!id) throw new Error('a world activity must run for a workflow');
  return id;
}

/**
 * Claims the world for this workflow: one advance per world at a time, whoever started it (CLI,
 * schedule, Web UI). A holder Temporal says is no longer running (terminated, failed) is taken over at once.
 */
async function claimWorld(worldDir: string, name: string): Promise<void> {
  try {
    await claimOwnedChecked(runFolder(worldDir), currentWorkflowId(), { holderAlive: temporalHolderAlive() });
  } catch (err) {
    if (!(err instanceof RunOwnedElsewhere)) throw err;
    throw ApplicationFailure.nonRetryable(
      `world ${name}: ${err.message}; one advance at a time per world: wait until it ends`,
      'WorldBusy',
    );
  }
}

function holdWorld(worldDir: string): void {
  try {
    holdRun(worldDir, currentWorkflowId());
  } catch (err) {
    if (err instanceof RunOwnedElsewhere)
      throw ApplicationFailure.nonRetryable(`${err.message}, which took it over; this advance stops`, 'WorldTakenOver');
    throw err;
  }
}

/** Heartbeats (with the latest progress) and keeps the world's claim fresh while a long activity works. */
function keepAlive(worldDir: string, progress: () => unknown): () => void {
  const ctx = Context.current();
  const heartbeat = setInterval(() => ctx.heartbeat(progress()), 2000);
  const owning = setInterval(() => {
    try {
      holdRun(worldDir, currentWorkflowId());
    } catch (err) {
      logger.warn({ err, worldDir }, 'world taken over; this attempt finishes its file and stops');
    }
  }, 30_000);
  return () => {
    clearInterval(heartbeat);
    clearInterval(owning);
  };
}

/** A world activity's folder, and the command that takes its work up again (worlds have no `resume`). */
export function worldWritePlace(root: string, arg: unknown): WritePlace {
  const a = arg as { worldDir?: unknown; input?: { world?: unknown; name?: unknown; out?: unknown } } | undefined;
  const worldDir = typeof a?.worldDir === 'string' ? a.worldDir : undefined;
  const name = String(worldDir ? path.basename(worldDir) : (a?.input?.world ?? a?.input?.name ?? 'NAME'));
  const out = worldDir ? path.relative(root, path.dirname(worldDir)) : a?.input?.out;
  const outFlag = typeof out === 'string' && out !== 'data' ? ` --out ${out}` : '';
  if (a?.input?.name !== undefined)
    return { folder: worldDir, resume: `then create the world again with the same input (wrapped-etl world create ${name}${outFlag} ...)` };
  return {
    folder: worldDir,
    resume: `then go on with \`wrapped-etl world advance ${name}${outFlag}\` (or start advanceWorld again with the same input): the day keeps its finished shards`,
  };
}

export function createWorldActivities(deps: { pool: ThreadPool; dataRoot?: string; trustedSources?: readonly string[] }) {
  const root = () => deps.dataRoot ?? dataRoot();
  const addresses = AddressPolicy.fromEnv();

  /**
   * A world folder comes back from the workflow, whose arguments a starter can forge (a
   * continuation included): it must be a real path under the data root holding a world.
   */
  function checkedWorldDir(worldDir: unknown): string {
    try {
      if (typeof worldDir !== 'string' || confineUnderRoot(root(), 'world', worldDir) !== worldDir) {
        throw new InputError('world', `${JSON.stringify(worldDir)} is not a real path under the data root`);
      }
      if (!fs.existsSync(new WorldLayout(worldDir).definitionPath))
        throw new InputError('world', `${worldDir} holds no world (no world.json)`);
    } catch (err) {
      invalidInput(err);
    }
    return worldDir;
  }

  /** The day must be the world's next one: a complete day is never rewritten, days come in order. */
  function checkedDay(worldDir: string, day: unknown, opts: { completeOk?: boolean } = {}): string {
    if (typeof day !== 'string' || Number.isNaN(dateToEpochMs(day)))
      invalidInput(new InputError('day', `must be a day YYYY-MM-DD, got ${JSON.stringify(day)}`));
    const next = nextDay(worldDir);
    // a retried finish finds its day complete already
    if (opts.completeOk && fs.existsSync(new WorldLayout(worldDir).day(day).manifestPath)) return day;
    if (day !== next) invalidInput(new InputError('day', `${day} is not the next day of ${worldDir} (${next} is)`));
    return day;
  }

  /** An advance input, validated, its world confined under the data root and there (InvalidInput naming the field otherwise). */
  function advancedWorld(input: unknown): { request: ReturnType<typeof resolveWorldAdvanceInput>; worldDir: string } {
    let worldDir: string;
    let request: ReturnType<typeof resolveWorldAdvanceInput>;
    try {
      request = resolveWorldAdvanceInput(input);
      worldDir = resolveRunDir(root(), request.out, request.world);
    } catch (err) {
      invalidInput(err);
    }
    if (!fs.existsSync(new WorldLayout(worldDir).definitionPath)) {
      throw ApplicationFailure.nonRetryable(
        `invalid input: world: no world ${request.world} in ${request.out} (no world.json): create it first`,
        'InvalidInput',
        { field: 'world' },
      );
    }
    return { request, worldDir };
  }

  function refOf(worldDir: string): WorldRef {
    const world = readWorldDefinition(new WorldLayout(worldDir));
    return { name: world.name, worldDir, shards: shardCount(world.params), parallelism: world.params.parallelism };
  }

  return failFastOnFilesystem(
    {
      /** Validates a world input, confines its folder under the data root and creates the world there (catalog, users, world.json). */
      async createWorld(args: { input: unknown }): Promise<WorldCreated> {
        let world: ReturnType<typeof resolveWorldInput>;
        let worldDir: string;
        try {
          world = resolveWorldInput(args.input);
          worldDir = resolveRunDir(root(), world.params.out, world.name);
        } catch (err) {
          invalidInput(err);
        }
        const ctx = Context.current();
        await claimWorld(worldDir, world.name);
        let progress: unknown = { step: 'catalog' };
        const stop = keepAlive(worldDir, () => progress);
        try {
          const created = await createWorld(worldDir, world, {
            sources: {
              fileRoots: catalogRoots(root()),
              addresses,
              trusted: deps.trustedSources,
              signal: ctx.cancellationSignal,
              onProgress: (event) => (progress = event),
            },
            writeUsers: async (job) => {
              progress = { step: 'users' };
              const task = deps.pool.run(usersThreadJob, job, 'world users', (p) => (progress = p));
              ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
              await task.result;
            },
          });
          logger.info({ world: world.name, worldDir, users: world.params.users, existed: !!created.existed }, 'world created');
          return {
            name: created.name,
            worldDir,
            start: created.start,
            users: created.params.users,
            shards: shardCount(created.params),
            existed: !!created.existed,
          };
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure('world creation cancelled');
          if (err instanceof WorldExists)
            throw ApplicationFailure.nonRetryable(`invalid input: name: ${err.message}`, 'InvalidInput', { field: 'name' });
          if (err instanceof SourceError)
            throw ApplicationFailure.nonRetryable(err.message, err.retryable ? 'CatalogSourceUnavailable' : 'CatalogSourceError');
          throw err;
        } finally {
          stop();
          releaseRun(worldDir, currentWorkflowId());
        }
      },

      /**
       * Validates an advance input, claims the world for this workflow and says which days the advance
       * writes. `scheduled`: a schedule fired the run (its time for it and its id, from the run's search
       * attributes): refused with AdvanceTooSoon, writing nothing, when another scheduled advance of the
       * world lies less than a day from it, whoever made the schedule.
       */
      async planWorldAdvance(args: { input: unknown; scheduled?: ScheduleFiring }): Promise<WorldPlan> {
        const { request, worldDir } = advancedWorld(args?.input);
        const scheduled = args.scheduled === undefined ? undefined : checkedFiring(args.scheduled);
        await claimWorld(worldDir, request.world);
        try {
          const first = nextDay(worldDir);
          const through = request.through ?? addDays(first, request.days! - 1);
          const days = Math.max(0, daysBetween(first, through) + 1);
          if (days > MAX_ADVANCE_DAYS) {
            invalidInput(
              new InputError(
                'through',
                `${through} is ${days} days from the world's next day ${first}; one advance covers at most ${MAX_ADVANCE_DAYS} days (as \`days\` does): advance in steps`,
              ),
            );
          }
          if (scheduled && days > 0) {
            const advance = { scheduledAt: scheduled.at, schedule: scheduled.schedule, workflowId: currentWorkflowId(), firstDay: first };
            takeScheduledTurn(new WorldLayout(worldDir), request.world, advance);
          }
          if (days === 0) releaseRun(worldDir, currentWorkflowId());
          logger.info({ world: request.world, first, days, scheduledAt: scheduled?.at }, 'world advance planned');
          return { ...refOf(worldDir), first, days };
        } catch (err) {
          releaseRun(worldDir, currentWorkflowId());
          if (err instanceof AdvanceTooSoon) throw ApplicationFailure.nonRetryable(err.message, 'AdvanceTooSoon');
          throw err;
        }
      },

      /**
       * What the first run of an advance would check, checked now on this worker, without claiming or
       * writing anything (a world's schedule is checked so at create, where the world lives).
       */
      async checkWorldAdvance(args: { input: unknown }): Promise<{ world: string; worldDir: string; nextDay: string }> {
        const { request, worldDir } = advancedWorld(args?.input);
        return { world: request.world, worldDir, nextDay: nextDay(worldDir) };
      },

      /** The world a continued run carries, checked again: under the data root, a world, still this workflow's. */
      async checkWorld(ref: WorldRef): Promise<WorldRef> {
        const worldDir = checkedWorldDir(ref?.worldDir);
        holdWorld(worldDir);
        return refOf(worldDir);
      },

      /** Simulates one shard's users through one day in a pool thread, unless its checkpoint is valid already. */
      async advanceWorldShard(ref: WorldDayShardRef): Promise<WorldDayShardOutcome> {
        const worldDir = checkedWorldDir(ref?.worldDir);
        const day = checkedDay(worldDir, ref.day);
        const layout = new WorldLayout(worldDir);
        const shards = shardCount(readWorldDefinition(layout).params);
        if (!Number.isInteger(ref.shard) || ref.shard < 0 || ref.shard >= shards)
          invalidInput(new InputError('shard', `must be a shard from 0 to ${shards - 1}, got ${JSON.stringify(ref.shard)}`));
        holdWorld(worldDir);
        const checkpoint = validDayCheckpoint(layout, day, ref.shard);
        if (checkpoint) return { shard: ref.shard, records: checkpoint.records, reused: true };
        const ctx = Context.current();
        let progress: WorldDayProgress = { users: 0, records: 0, bytes: 0 };
        const task = deps.pool.run(worldDayThreadJob, { worldDir, day, shard: ref.shard }, `world ${day} shard ${ref.shard}`, (p) => {
          progress = p;
          ctx.heartbeat(p);
        });
        const stop = keepAlive(worldDir, () => progress);
        ctx.cancellationSignal.addEventListener('abort', () => task.cancel());
        try {
          const result = await task.result;
          return { shard: ref.shard, records: result.records, reused: false };
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw new CancelledFailure(`world ${day} shard ${ref.shard} cancelled`);
          throw err;
        } finally {
          stop();
        }
      },

      /** Writes the day's manifest once every shard's checkpoint verifies; `last`: the advance ends here, so the world is released. */
      async finishWorldDay(args: { worldDir: string; day: string; last: boolean }): Promise<{ day: string; records: number }> {
        const worldDir = checkedWorldDir(args?.worldDir);
        const day = checkedDay(worldDir, args.day, { completeOk: true });
        holdWorld(worldDir);
        try {
          const { records } = finishDay(worldDir, day);
          if (args.last) releaseRun(worldDir, currentWorkflowId());
          logger.info({ worldDir, day, records }, 'world day complete');
          return { day, records };
        } catch (err) {
          if (err instanceof DayNotReady) throw ApplicationFailure.nonRetryable(err.message, 'DayNotReady');
          throw err;
        }
      },

      /** Gives the world up after a failed or cancelled advance, so the next one need not wait for the lease to run out. */
      async releaseWorld(args: { worldDir: string }): Promise<void> {
        releaseRun(checkedWorldDir(args?.worldDir), currentWorkflowId());
      },
    },
    (arg) => worldWritePlace(root(), arg),
  );
}

export type WorldActivities = ReturnType<typeof createWorldActivities>;
