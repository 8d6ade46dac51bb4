import * as fs from 'node:fs';
import { invalidTwin, PartWriters } from '../formats/part-writers';
import type { PartFiles } from '../formats/part-formats';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
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
  const checkpoint = JSON.parse(fs.readFileSync(file, 'utf8')) as WorldDayShardResult;
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

/** The shard's users' state at the end of the day before `day` (fresh users on the world's first day). */
function stateBefore(layout: WorldLayout, world: WorldDefinition, day: string, shard: number, userIds: number[]): WorldUserState[] {
  if (day === world.start) return userIds.map(freshState);
  const previous = addDays(day, -1);
  const checkpointPath = layout.day(previous).partCheckpointPath(shard);
  if (!fs.existsSync(checkpointPath)) throw new Error(`day ${previous} of shard ${shard} is not complete: advance the world in order`);
  const checkpoint = JSON.parse(fs.readFileSync(checkpointPath, 'utf8')) as WorldDayShardResult;
  const states = readStateFile(layout.statePath(previous, shard), checkpoint.state.sha256);
  if (states.length !== userIds.length || states.some((s, i) => s.userId !== userIds[i])) {
    throw new Error(`the state of ${previous} shard ${shard} does not hold this shard's users`);
  }
  return states;
}

/**
 * Simulates one day of one shard's users from their state at the end of the day before,
 * writes the day's part file and the users' new state, then the checkpoint naming both.
 */
export async function runWorldDayJob(job: WorldDayJob, onProgress: (p: WorldDayProgress) => void = () => {}): Promise<WorldDayShardResult> {
  const layout = new WorldLayout(job.worldDir);
  const world = readWorldDefinition(layout);
  const songs = catalogFor(layout.run.catalogPath, world.catalogSha256);
  const users = readUsersOfShard(layout.run.usersPath, layout.run.usersOffsetsPath, job.shard);
  const states = stateBefore(
    layout,
    world,
    job.day,
    job.shard,
    users.map((u) => u.userId),
  );
  const params = { ...world.params, from: job.day, to: job.day };
  const ctx = {
    ...simulationContext(params, songs, new PopulationModel(params)),
    calendar: new SessionCalendar({ ...params, sessionsPerUser: 1 }),
  };
  const dayLayout = layout.day(job.day);
  fs.mkdirSync(dayLayout.runDir, { recursive: true });
  const writer = PartWriters.open(params, dayLayout.partPlace(job.shard), songs);
  try {
    for (let i = 0; i < users.length; i++) {
      for (const event of simulateUserDay(ctx, users[i], states[i], job.day, world.sessionsPerDay)) {
        writer.append(event);
      }
      onProgress({ users: i + 1, records: writer.records, bytes: writer.bytesWritten });
    }
    const written = writer.commit();
    const statePath = layout.statePath(job.day, job.shard);
    fs.mkdirSync(layout.stateDir(job.day), { recursive: true });
    const state = writeStateFile(statePath, states);
    const { file, ...rest } = written;
    const result: WorldDayShardResult = {
      shard: job.shard,
      file,
      users: users.length,
      ...rest,
      state: { file: statePath.slice(layout.worldDir.length + 1), sha256: state.sha256 },
    };
    fs.mkdirSync(dayLayout.workDir, { recursive: true });
    writeFileAtomic(dayLayout.partCheckpointPath(job.shard), JSON.stringify(result));
    return result;
  } catch (err) {
    writer.abort();
    throw err;
  }
}
