import * as fs from 'node:fs';
import * as path from 'node:path';
import { shardCount } from '../config/generation-input';
import { addDays } from '../domain/days';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
import { sealedJson } from '../runtime/json-file';
import { freshState, type WorldUserState } from '../simulation/world-user-state';
import { readManifest } from './manifest';
import { readStateFile } from './world-state-file';
import { readDayCheckpoint, shardWorld, simulateShardDay, writeDayState, type WorldDayShardResult } from './world-day-job';
import { WorldLayout } from './world-layout';

interface ShardRepair {
  shard: number;
  /** the first day replayed (the world's start, or the day after the latest state that checked) */
  from: string;
  days: number;
}

export interface WorldRepair {
  /** the world's last complete day, whose end state the next advance reads (null: no day yet) */
  day: string | null;
  shards: number;
  repaired: ShardRepair[];
}

/** The shard's state at the end of `day` when its checkpoint parses and the state file has the sha256 it records. */
function checkedState(layout: WorldLayout, day: string, shard: number): WorldUserState[] | undefined {
  try {
    const checkpoint = readDayCheckpoint(layout.day(day).partCheckpointPath(shard), '');
    return readStateFile(layout.statePath(day, shard), checkpoint.state.sha256, '');
  } catch {
    return undefined;
  }
}

/**
 * Recomputes the users' state at the end of the world's last complete day for every shard
 * whose state (or its checkpoint) is missing or does not check, so the next advance can go
 * on: each such shard's days are simulated again from the latest state that checks (or the
 * world's first day) into a scratch folder, every day's part checked against the sha256 its
 * day's manifest recorded (the same input gives the same bytes), then the state and the
 * shard's checkpoint are written. The world's parts and manifests are not touched.
 */
export function repairWorldState(worldDir: string, onShard: (shard: number, day: string) => void = () => {}): WorldRepair {
  const layout = new WorldLayout(worldDir);
  const days = layout.completeDays();
  const last = days.at(-1);
  if (!last) return { day: null, shards: 0, repaired: [] };
  const repaired: ShardRepair[] = [];
  const shards = shardCount(shardWorld(layout, 0).world.params);
  const scratch = path.join(layout.run.workDir, `repair-${process.pid}`);
  try {
    for (let shard = 0; shard < shards; shard++) {
      if (checkedState(layout, last, shard)) continue;
      const world = shardWorld(layout, shard);
      // the latest earlier day whose state checks, else the world's first day with fresh users
      let from = world.world.start;
      let states = world.users.map((u) => freshState(u.userId));
      for (let i = days.length - 2; i >= 0; i--) {
        const kept = checkedState(layout, days[i], shard);
        if (kept) {
          [from, states] = [addDays(days[i], 1), kept];
          break;
        }
      }
      let written: ReturnType<typeof simulateShardDay> | undefined;
      let count = 0;
      for (let day = from; day <= last; day = addDays(day, 1)) {
        onShard(shard, day);
        fs.rmSync(scratch, { recursive: true, force: true });
        const replay = new WorldLayout(scratch, layout.style).day(day);
        written = simulateShardDay(world, states, day, replay.partPlace(shard));
        const recorded = readManifest(layout.day(day).manifestPath).parts.find((p) => p.file === written!.file);
        const sha256 = sha256File(replay.pathOf(written.file));
        if (!recorded || recorded.sha256 !== sha256)
          throw new Error(
            `world ${world.world.name}, shard ${shard}, ${day}: simulated again, its part ${written.file} has sha256 ${sha256}, ` +
              `the day's manifest records ${recorded?.sha256 ?? 'no such part'}: the world was written by a version that simulates differently, so its state cannot be recomputed here`,
          );
        count++;
      }
      const checkpoint: WorldDayShardResult = writeDayState(layout, last, shard, states, written!);
      const dayLayout = layout.day(last);
      fs.mkdirSync(dayLayout.workDir, { recursive: true });
      writeFileAtomic(dayLayout.partCheckpointPath(shard), sealedJson(checkpoint));
      repaired.push({ shard, from, days: count });
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return { day: last, shards, repaired };
}
