import * as fs from 'node:fs';
import { loadSchemaJson } from '../formats/avro/schemas';
import { writeCatalogFile } from '../catalog/catalog-file';
import { ingestSources, type IngestContext } from '../catalog/sources';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import { readManifest, writeManifest } from './manifest';
import { shardCount } from '../config/generation-input';
import { runUsersJob, type UsersJob } from './users-job';
import { addDays, daysBetween, partitionName } from '../domain/days';
import type { resolveWorldInput, WorldDefinition } from '../config/world-input';
import { readWorldDefinition, WorldLayout, writeWorldDefinition } from './world-layout';
import { validDayCheckpoint, type WorldDayJob, type WorldDayShardResult } from './world-day-job';

export interface CreateWorldOptions {
  /** how catalog sources are read (file roots, address policy, trusted sources, cancellation, progress) */
  sources?: Omit<IngestContext, 'seed' | 'currentYear' | 'cacheDir'>;
  /** writes the users file (default: here, in this thread) */
  writeUsers?: (job: UsersJob) => Promise<unknown>;
}

/**
 * The definition a world was created with, without what creating it derived (the catalog's
 * sha256) and without params.out, which only says where it was found: the same folder can be
 * named from another data root (worlds created embedded before 2026-11-30 recorded ".").
 */
const requested = (d: Omit<WorldDefinition, 'catalogSha256'>) =>
  JSON.stringify({ name: d.name, start: d.start, sessionsPerDay: d.sessionsPerDay, params: { ...d.params, out: undefined } });

/**
 * Creates a world's folder: catalog, users and world.json (last, so a world with a
 * definition is whole). Creating again with the same definition (a retried attempt) is a
 * no-op; with another one it is refused.
 */
export async function createWorld(
  worldDir: string,
  world: ReturnType<typeof resolveWorldInput>,
  opts: CreateWorldOptions = {},
): Promise<WorldDefinition & { existed?: boolean }> {
  const layout = new WorldLayout(worldDir);
  if (fs.existsSync(layout.definitionPath)) {
    const existing = readWorldDefinition(layout);
    if (requested(existing) === requested(world)) return { ...existing, existed: true };
    throw new WorldExists(`a world already exists at ${worldDir} with another definition; advance it, or pick another name`);
  }
  fs.mkdirSync(layout.run.workDir, { recursive: true });
  const { songs } = await ingestSources(world.params.catalog, {
    ...opts.sources,
    seed: world.params.seed,
    currentYear: Number(world.start.slice(0, 4)),
    cacheDir: layout.run.httpCacheDir,
  });
  const catalog = writeCatalogFile(layout.run.catalogPath, songs);
  const job = { params: world.params, runDir: worldDir };
  if (opts.writeUsers) await opts.writeUsers(job);
  else runUsersJob(job);
  const definition: WorldDefinition = { ...world, catalogSha256: catalog.sha256 };
  writeWorldDefinition(layout, definition);
  return definition;
}

export class WorldExists extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorldExists';
  }
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
 * it complete (finishDay). A complete day is never rewritten. Days must come in order:
 * `day` is the next one.
 */
export async function advanceOneDay(worldDir: string, day: string, runShards: RunDayShards): Promise<DayOutcome> {
  const layout = new WorldLayout(worldDir);
  const world = readWorldDefinition(layout);
  const dayLayout = layout.day(day);
  if (fs.existsSync(dayLayout.manifestPath)) {
    return { day, written: false, records: readManifest(dayLayout.manifestPath).totalRecords, shardsResumed: 0 };
  }
  const shards = shardCount(world.params);
  let resumed = 0;
  const todo: WorldDayJob[] = [];
  for (let shard = 0; shard < shards; shard++) {
    if (validDayCheckpoint(layout, day, shard)) resumed++;
    else todo.push({ worldDir, day, shard });
  }
  await runShards(todo);
  const { records } = finishDay(worldDir, day);
  return { day, written: true, records, shardsResumed: resumed };
}

export class DayNotReady extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DayNotReady';
  }
}

/**
 * Makes a day complete once every shard has a valid checkpoint: writes its manifest, then
 * drops the users' state of the day before (nothing reads it again). A complete day is
 * left as it is. Throws DayNotReady when a shard's checkpoint is missing or does not verify.
 */
export function finishDay(worldDir: string, day: string): { records: number; written: boolean } {
  const layout = new WorldLayout(worldDir);
  const world = readWorldDefinition(layout);
  const dayLayout = layout.day(day);
  if (fs.existsSync(dayLayout.manifestPath)) return { records: readManifest(dayLayout.manifestPath).totalRecords, written: false };
  const parts: WorldDayShardResult[] = [];
  for (let shard = 0; shard < shardCount(world.params); shard++) {
    const checkpoint = validDayCheckpoint(layout, day, shard);
    if (!checkpoint) throw new DayNotReady(`shard ${shard} of ${day} has no valid checkpoint (part and state with their sha256)`);
    parts.push(checkpoint);
  }
  const params = { ...world.params, from: day, to: day, runId: partitionName(day) };
  const records = parts.reduce((n, p) => n + p.records, 0);
  writeManifest(dayLayout.manifestPath, {
    runId: `${world.name}/${partitionName(day)}`,
    schema: loadSchemaJson(listeningHistorySchemaFile(params.schemaVersion)),
    params,
    parts: parts.map((p) => ({
      file: p.file,
      records: p.records,
      bytes: p.bytes,
      sha256: p.sha256,
      ...(p.parquet && { parquet: p.parquet }),
    })),
    totalRecords: records,
  });
  if (day !== world.start) fs.rmSync(layout.stateDir(addDays(day, -1)), { recursive: true, force: true });
  return { records, written: true };
}

/** The day the next advance writes: the one after the last complete day, or the world's start. */
export function nextDay(worldDir: string): string {
  const layout = new WorldLayout(worldDir);
  const days = layout.completeDays();
  return days.length ? addDays(days[days.length - 1], 1) : readWorldDefinition(layout).start;
}

/** The days an advance covers: from the next day after the last complete one through `through`. */
export function daysToAdvance(worldDir: string, through: string): string[] {
  const out: string[] = [];
  for (let d = nextDay(worldDir); daysBetween(d, through) >= 0; d = addDays(d, 1)) out.push(d);
  return out;
}
