import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorldDefinition } from '../config/world-input';
import { writeFileAtomic } from '../runtime/atomic-file';
import { RunLayout } from './run-layout';
import { partitionName } from '../domain/days';

/**
 * Where everything of one world lives:
 *   world.json                     the world's definition (params, start, sessions per day)
 *   _work/catalog.avro, users.*    its catalog (with catalog.columns) and population, as in a run
 *   dt=YYYY-MM-DD/part-NNNNN.avro  each day's partition, with its manifest.json
 *   dt=YYYY-MM-DD/_work/parts/     the day's shard checkpoints (part and state sha256)
 *   _state/dt=YYYY-MM-DD/          the users' state at the end of that day, one file per shard
 */
export class WorldLayout {
  readonly run: RunLayout;

  constructor(readonly worldDir: string) {
    this.run = new RunLayout(worldDir);
  }

  get definitionPath(): string {
    return path.join(this.worldDir, 'world.json');
  }

  dayDir(day: string): string {
    return path.join(this.worldDir, partitionName(day));
  }

  day(day: string): RunLayout {
    return new RunLayout(this.dayDir(day));
  }

  stateDir(day: string): string {
    return path.join(this.worldDir, '_state', partitionName(day));
  }

  statePath(day: string, shard: number): string {
    return path.join(this.stateDir(day), `shard-${String(shard).padStart(5, '0')}.jsonl.gz`);
  }

  /** Days with a manifest (complete), in order. */
  completeDays(): string[] {
    if (!fs.existsSync(this.worldDir)) return [];
    return fs
      .readdirSync(this.worldDir)
      .filter((name) => /^dt=\d{4}-\d{2}-\d{2}$/.test(name) && fs.existsSync(path.join(this.worldDir, name, 'manifest.json')))
      .map((name) => name.slice(3))
      .sort();
  }
}

export function writeWorldDefinition(layout: WorldLayout, world: WorldDefinition): void {
  writeFileAtomic(layout.definitionPath, JSON.stringify(world, null, 2) + '\n');
}

export function readWorldDefinition(layout: WorldLayout): WorldDefinition {
  if (!fs.existsSync(layout.definitionPath)) {
    throw new Error(`no world at ${layout.worldDir} (no world.json): create it with wrapped-etl world create`);
  }
  return JSON.parse(fs.readFileSync(layout.definitionPath, 'utf8')) as WorldDefinition;
}
