import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseWorldDefinition, type WorldDefinition } from '../config/world-input';
import { writeFileAtomic } from '../runtime/atomic-file';
import { MANIFEST_NAME, RunLayout, type LayoutStyle } from './run-layout';
import { partitionName } from '../domain/days';

const PARTITION = /^dt=\d{4}-\d{2}-\d{2}$/;

/** The style of the world at `worldDir`: 'flat' when an earlier version wrote its days there as dt=YYYY-MM-DD/ folders. */
function worldStyleAt(worldDir: string): LayoutStyle {
  if (!fs.existsSync(worldDir)) return 'formats';
  return fs.readdirSync(worldDir).some((name) => PARTITION.test(name)) ? 'flat' : 'formats';
}

/**
 * One day of a world ('formats' style): its parts live in the world's format folders, one
 * Hive-style partition per day, so `WORLD/avro` reads as one dataset with `dt` a column; the
 * day's manifest and shard checkpoints live under `_days/dt=YYYY-MM-DD/`. Keys are relative
 * to the world's root, and so are the file names the day's manifest records.
 */
class WorldDayLayout extends RunLayout {
  constructor(
    worldDir: string,
    private readonly partition: string,
  ) {
    super(worldDir, 'formats');
  }

  override partKey(shard: number, format = 'avro'): string {
    return `${format}/${this.partition}/${RunLayout.partName(shard, format)}`;
  }

  override get manifestKey(): string {
    return `_days/${this.partition}/${MANIFEST_NAME}`;
  }

  override get successKey(): undefined {
    return undefined;
  }

  override get workKey(): string {
    return `_days/${this.partition}/_work`;
  }
}

/**
 * Where everything of one world lives ('formats' style, keys relative to the world's root):
 *   world.json                            the world's definition (params, start, sessions per day)
 *   avro/dt=YYYY-MM-DD/part-NNNNN.avro    each day's partition (parquet/dt=.../part-NNNNN.parquet likewise)
 *   _days/dt=YYYY-MM-DD/_manifest.json    the day's manifest, written last: the day is complete
 *   _days/dt=YYYY-MM-DD/_work/parts/      the day's shard checkpoints (part and state sha256)
 *   _work/catalog.avro, users.*           its catalog (with catalog.columns) and population, as in a run
 *   _work/scheduled-advances.json         when schedules advanced it (sealed): at most one scheduled advance a day
 *   _state/dt=YYYY-MM-DD/                 the users' state at the end of that day, one file per shard
 *   _wrapped/dt=YYYY-MM-DD/               Wrapped snapshots through that day
 *   _stream/TOPIC.json                    what a stream into TOPIC has published
 *   _stream/owners/TOPIC.json             who streams into TOPIC now (one streamer per world and topic)
 * Worlds written before 2026-12-07 ('flat') hold each day as dt=YYYY-MM-DD/ with its parts,
 * manifest.json and _work/parts/ (a run folder each); they keep that style as they advance.
 */
export class WorldLayout {
  readonly run: RunLayout;
  private found: LayoutStyle | undefined;

  constructor(
    readonly worldDir: string,
    style?: LayoutStyle,
  ) {
    this.run = new RunLayout(worldDir, 'formats');
    this.found = style;
  }

  get style(): LayoutStyle {
    return (this.found ??= worldStyleAt(this.worldDir));
  }

  get definitionPath(): string {
    return path.join(this.worldDir, 'world.json');
  }

  /** The day's layout: keys of its parts, manifest and checkpoints. */
  day(day: string): RunLayout {
    if (this.style === 'flat') return new RunLayout(path.join(this.worldDir, partitionName(day)), 'flat');
    return new WorldDayLayout(this.worldDir, partitionName(day));
  }

  /** The folder of `format`'s parts of every day: the dataset an engine reads, with `dt` as partition column (flat worlds: the root). */
  formatDir(format: string): string {
    return this.style === 'flat' ? this.worldDir : path.join(this.worldDir, format);
  }

  stateDir(day: string): string {
    return path.join(this.worldDir, '_state', partitionName(day));
  }

  statePath(day: string, shard: number): string {
    return path.join(this.stateDir(day), `shard-${String(shard).padStart(5, '0')}.jsonl.gz`);
  }

  wrappedDir(day: string): string {
    return path.join(this.worldDir, '_wrapped', partitionName(day));
  }

  streamCheckpointPath(topic: string): string {
    return path.join(this.worldDir, '_stream', `${topic}.json`);
  }

  /** When schedules advanced the world (scheduled-advances.ts): one advance a day of the schedules' clock. */
  get scheduledAdvancesPath(): string {
    return path.join(this.worldDir, '_work', 'scheduled-advances.json');
  }

  streamOwnerPath(topic: string): string {
    return path.join(this.worldDir, '_stream', 'owners', `${topic}.json`);
  }

  /** Days with a manifest (complete), in order. */
  completeDays(): string[] {
    const daysDir = this.style === 'flat' ? this.worldDir : path.join(this.worldDir, '_days');
    if (!fs.existsSync(daysDir)) return [];
    return fs
      .readdirSync(daysDir)
      .filter((name) => PARTITION.test(name))
      .map((name) => name.slice(3))
      .filter((day) => fs.existsSync(this.day(day).manifestPath))
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
  return parseWorldDefinition(fs.readFileSync(layout.definitionPath, 'utf8'), layout.definitionPath);
}
