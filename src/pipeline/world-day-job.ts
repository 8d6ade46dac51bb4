import * as fs from 'node:fs';
import * as path from 'node:path';
import { DamagedFile } from '../domain/errors';
import { invalidTwin, PartWriters, type PartPlace } from '../formats/part-writers';
import type { PartFiles } from '../formats/part-formats';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
import { BrokenSeal, parseSealedJson, sealedJson } from '../runtime/json-file';
import { SessionCalendar } from '../simulation/session-calendar';
import { catalogFor } from './thread-catalog';
import { simulationContext } from '../simulation/simulate-user';
import { PopulationModel } from '../simulation/user-profile';
import { readUsersOfShard } from './users-file';
import { simulateUserDay } from '../simulation/simulate-day';
import { readStateFile, writeStateFile } from './world-state-file';
import { addDays } from '../domain/days';
import type { WorldDefinition } from '../config/world-input';
import { readWorldDefinition, WorldLayout } from './world-layout';
import { freshState, type WorldUserState } from '../simulation/world-user-state';

export interface WorldDayJob {
  worldDir: string;
  day: string;
  shard: number;
}

/** A shard's checkpoint for one day: its part (and Parquet twin) and its users' end-of-day state, each with sha256. */
export type WorldDayShardResult = PartFiles & {
  shard: number;
  users: number;
  state: { file: string; sha256: string };
};

export interface WorldDayProgress {
  users: number;
  records: number;
  bytes: number;
}

/** The shard's checkpoint of a day when its part and state files are in place with their recorded sha256. */
export function validDayCheckpoint(layout: WorldLayout, day: string, shard: number): WorldDayShardResult | undefined {
  const dayLayout = layout.day(day);
  const file = dayLayout.partCheckpointPath(shard);
  if (!fs.existsSync(file)) return undefined;
  let checkpoint: WorldDayShardResult;
  try {
    checkpoint = parseSealedJson<WorldDayShardResult>(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    // a torn or damaged checkpoint: the shard is simulated again (same input, same bytes)
    if (err instanceof BrokenSeal) return undefined;
    throw err;
  }
  if (typeof checkpoint?.state?.sha256 !== 'string') return undefined;
  const part = dayLayout.partPath(shard);
  const state = layout.statePath(day, shard);
  const ok =
    fs.existsSync(part) &&
    sha256File(part) === checkpoint.sha256 &&
    !invalidTwin((key) => dayLayout.pathOf(key), checkpoint) &&
    fs.existsSync(state) &&
    sha256File(state) === checkpoint.state.sha256;
  return ok ? checkpoint : undefined;
}

/** What to do about a damaged users' state (or its checkpoint) of a complete day. */
function stateRepair(layout: WorldLayout): string {
  return (
    `repair: \`wrapped-etl world repair ${path.basename(layout.worldDir)}\` (with --out and the data root of the worker that holds the world) ` +
    "recomputes the users' state of the world's last complete day from its first day, checking every day's part against its manifest, then advance again"
  );
}

/** A complete day's shard checkpoint, or DamagedFile when it does not parse or its seal does not check. */
export function readDayCheckpoint(file: string, repair: string): WorldDayShardResult {
  let checkpoint: WorldDayShardResult | undefined;
  try {
    checkpoint = parseSealedJson<WorldDayShardResult>(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (!(err instanceof BrokenSeal)) throw err;
    throw new DamagedFile(file, `the shard's checkpoint: ${err.problem}`, repair);
  }
  if (typeof checkpoint?.state?.sha256 !== 'string') throw new DamagedFile(file, "the shard's checkpoint names no state sha256", repair);
  return checkpoint;
}

/** The shard's users' state at the end of the day before `day` (fresh users on the world's first day). */
function stateBefore(layout: WorldLayout, world: WorldDefinition, day: string, shard: number, userIds: number[]): WorldUserState[] {
  if (day === world.start) return userIds.map(freshState);
  const previous = addDays(day, -1);
  const checkpointPath = layout.day(previous).partCheckpointPath(shard);
  if (!fs.existsSync(checkpointPath)) throw new Error(`day ${previous} of shard ${shard} is not complete: advance the world in order`);
  const repair = stateRepair(layout);
  const checkpoint = readDayCheckpoint(checkpointPath, repair);
  const states = readStateFile(layout.statePath(previous, shard), checkpoint.state.sha256, repair);
  if (states.length !== userIds.length || states.some((s, i) => s.userId !== userIds[i])) {
    throw new Error(`the state of ${previous} shard ${shard} does not hold this shard's users`);
  }
  return states;
}

/** What simulating a shard's day needs besides the day: the world, its catalog and the shard's users. */
export interface ShardWorld {
  world: WorldDefinition;
  songs: ReturnType<typeof catalogFor>;
  users: ReturnType<typeof readUsersOfShard>;
}

/** The world, catalog and users of one shard, as every day of it is simulated. */
export function shardWorld(layout: WorldLayout, shard: number): ShardWorld {
  const world = readWorldDefinition(layout);
  return {
    world,
    songs: catalogFor(layout.run.catalogPath, world.catalogSha256),
    users: readUsersOfShard(layout.run.usersPath, layout.run.usersOffsetsPath, shard),
  };
}

/**
 * Simulates one day of a shard's users from `states` (their state at the end of the day
 * before, advanced in place to the end of this day) into the part files at `place`.
 */
export function simulateShardDay(
  { world, songs, users }: ShardWorld,
  states: WorldUserState[],
  day: string,
  place: PartPlace,
  onProgress: (p: WorldDayProgress) => void = () => {},
): PartFiles {
  const params = { ...world.params, from: day, to: day };
  const ctx = {
    ...simulationContext(params, songs, new PopulationModel(params)),
    calendar: new SessionCalendar({ ...params, sessionsPerUser: 1 }),
  };
  const writer = PartWriters.open(params, place, songs);
  try {
    for (let i = 0; i < users.length; i++) {
      for (const event of simulateUserDay(ctx, users[i], states[i], day, world.sessionsPerDay)) {
        writer.append(event);
      }
      onProgress({ users: i + 1, records: writer.records, bytes: writer.bytesWritten });
    }
    return writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}

/**
 * Simulates one day of one shard's users from their state at the end of the day before,
 * writes the day's part file and the users' new state, then the checkpoint naming both.
 */
export async function runWorldDayJob(job: WorldDayJob, onProgress: (p: WorldDayProgress) => void = () => {}): Promise<WorldDayShardResult> {
  const layout = new WorldLayout(job.worldDir);
  const shard = shardWorld(layout, job.shard);
  const states = stateBefore(
    layout,
    shard.world,
    job.day,
    job.shard,
    shard.users.map((u) => u.userId),
  );
  const dayLayout = layout.day(job.day);
  fs.mkdirSync(dayLayout.runDir, { recursive: true });
  const written = simulateShardDay(shard, states, job.day, dayLayout.partPlace(job.shard), onProgress);
  const result = writeDayState(layout, job.day, job.shard, states, written);
  fs.mkdirSync(dayLayout.workDir, { recursive: true });
  writeFileAtomic(dayLayout.partCheckpointPath(job.shard), sealedJson(result));
  return result;
}

/** Writes the users' state at the end of `day` and returns the shard's checkpoint naming it and the day's part. */
export function writeDayState(
  layout: WorldLayout,
  day: string,
  shard: number,
  states: readonly WorldUserState[],
  written: PartFiles,
): WorldDayShardResult {
  const statePath = layout.statePath(day, shard);
  fs.mkdirSync(layout.stateDir(day), { recursive: true });
  const state = writeStateFile(statePath, states);
  const { file, ...rest } = written;
  return { shard, file, users: states.length, ...rest, state: { file: statePath.slice(layout.worldDir.length + 1), sha256: state.sha256 } };
}
