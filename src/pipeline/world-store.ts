import * as fs from 'node:fs';
import { loadSchemaJson } from '../formats/avro/schemas';
import { writeCatalogFile } from '../catalog/catalog-file';
import { ingestSources } from '../catalog/sources';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import { readManifest, writeManifest } from './manifest';
import { shardCount } from '../config/generation-input';
import { runUsersJob } from './users-job';
import { addDays, daysBetween, partitionName } from '../domain/days';
import type { resolveWorldInput, WorldDefinition } from '../config/world-input';
import { readWorldDefinition, WorldLayout, writeWorldDefinition } from './world-layout';
import { validDayCheckpoint, type WorldDayJob, type WorldDayShardResult } from './world-day-job';

/** Creates a world's folder: catalog, users and world.json (last, so a world with a definition is whole). */
export async function createWorld(worldDir: string, world: ReturnType<typeof resolveWorldInput>): Promise<WorldDefinition> {
  const layout = new WorldLayout(worldDir);
  if (fs.existsSync(layout.definitionPath)) throw new Error(`a world already exists at ${worldDir}; advance it, or pick another name`);
  fs.mkdirSync(layout.run.workDir, { recursive: true });
  const { songs } = await ingestSources(world.params.catalog, {
    seed: world.params.seed,
    currentYear: Number(world.start.slice(0, 4)),
    cacheDir: layout.run.httpCacheDir,
  });
  const catalog = writeCatalogFile(layout.run.catalogPath, songs);
  runUsersJob({ params: world.params, runDir: worldDir });
  const definition: WorldDefinition = { ...world, catalogSha256: catalog.sha256 };
  writeWorldDefinition(layout, definition);
  return definition;
}

export interface WorldStatus {
  name: string;
  start: string;
  users: number;
  shards: number;
  /** the last day with a manifest, or null before the first */
  lastCompleteDay: string | null;
  /** the day the next advance writes */
  nextDay: string;
  daysComplete: number;
  /** days from the next day to `today` inclusive (0 when up to date) */
  daysBehind: number;
  records: number;
}

export function worldStatus(worldDir: string, today: string): WorldStatus {
  const layout = new WorldLayout(worldDir);
  const world = readWorldDefinition(layout);
  const days = layout.completeDays();
  const last = days.length ? days[days.length - 1] : null;
  const nextDay = last ? addDays(last, 1) : world.start;
  let records = 0;
  for (const day of days) records += readManifest(layout.day(day).manifestPath).totalRecords;
  return {
    name: world.name,
    start: world.start,
    users: world.params.users,
    shards: shardCount(world.params),
    lastCompleteDay: last,
    nextDay,
    daysComplete: days.length,
    daysBehind: Math.max(0, daysBetween(nextDay, today) + 1),
    records,
  };
}

/** Runs the day's shards that have no valid checkpoint (a half-failed day resumes) and returns every shard's. */
export type RunDayShards = (jobs: WorldDayJob[]) => Promise<WorldDayShardResult[]>;

export interface DayOutcome {
  day: string;
  /** false when the day existed already and was left as it was */
  written: boolean;
  records: number;
  shardsResumed: number;
}

/**
 * Writes one day: the shards without a valid checkpoint run, then the day's manifest makes
 * it complete, then the users' state of the day before is dropped (nothing reads it again).
 * A complete day is never rewritten. Days must come in order: `day` is the next one.
 */
export async function advanceOneDay(worldDir: string, day: string, runShards: RunDayShards): Promise<DayOutcome> {
  const layout = new WorldLayout(worldDir);
  const world = readWorldDefinition(layout);
  const dayLayout = layout.day(day);
  if (fs.existsSync(dayLayout.manifestPath)) {
    return { day, written: false, records: readManifest(dayLayout.manifestPath).totalRecords, shardsResumed: 0 };
  }
  const shards = shardCount(world.params);
  const done: WorldDayShardResult[] = [];
  const todo: WorldDayJob[] = [];
  for (let shard = 0; shard < shards; shard++) {
    const checkpoint = validDayCheckpoint(layout, day, shard);
    if (checkpoint) done.push(checkpoint);
    else todo.push({ worldDir, day, shard });
  }
  const parts = [...done, ...(await runShards(todo))].sort((a, b) => a.shard - b.shard);
  const params = { ...world.params, from: day, to: day, runId: partitionName(day) };
  writeManifest(dayLayout.manifestPath, {
    runId: `${world.name}/${partitionName(day)}`,
    schema: loadSchemaJson(listeningHistorySchemaFile(params.schemaVersion)),
    params,
    parts: parts.map((p) => ({ file: p.file, records: p.records, bytes: p.bytes, sha256: p.sha256, ...(p.parquet && { parquet: p.parquet }) })),
    totalRecords: parts.reduce((n, p) => n + p.records, 0),
  });
  if (day !== world.start) fs.rmSync(layout.stateDir(addDays(day, -1)), { recursive: true, force: true });
  return { day, written: true, records: parts.reduce((n, p) => n + p.records, 0), shardsResumed: done.length };
}

/** The days an advance covers: from the next day after the last complete one through `through`. */
export function daysToAdvance(worldDir: string, through: string): string[] {
  const layout = new WorldLayout(worldDir);
  const world = readWorldDefinition(layout);
  const days = layout.completeDays();
  const next = days.length ? addDays(days[days.length - 1], 1) : world.start;
  const out: string[] = [];
  for (let d = next; daysBetween(d, through) >= 0; d = addDays(d, 1)) out.push(d);
  return out;
}
