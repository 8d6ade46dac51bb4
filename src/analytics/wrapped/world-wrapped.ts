import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { addDays } from '../../domain/days';
import type { ListeningRecord } from '../../domain/listening-record';
import { LocalTime } from '../../domain/local-time';
import { shardCount } from '../../config/generation-input';
import { openWorldFolder } from '../../dataset/open-folder';
import { RecordView } from '../../dataset/record-view';
import type { RunDataset } from '../../dataset/run-dataset';
import { WorldLayout } from '../../pipeline/world-layout';
import { sha256File, writeFileAtomic } from '../../runtime/atomic-file';
import { wrappedWorkFile } from '../../runtime/output-place';
import { DamagedPart, type PartRef } from '../../dataset/part-ref';
import type { CatalogReference } from '../profile/catalog-reference';
import { UserBehaviourAccumulator, type UserBehaviourState } from '../profile/user-behaviour';
import { WRAPPED_FIELDS, type PartAnalysis } from './analyze-part';
import { NameIds } from './id-tallies';
import { writePartial } from './part-job';
import { catalogReference, inferredFrom } from './personality-inference';
import { ScopeTotals, type ScopeTotalsState } from './scope-totals';
import { UserWrappedBuilder, type UserWrappedState } from './user-wrapped';
import type { TimelinePoint } from './wrapped-types';
import { writeWrapped, type WrittenWrapped } from './write-wrapped';

/** Everything Wrapped needs of one shard's users through a day: it grows by one day's records at a time. */
interface ShardSnapshot {
  day: string;
  /** what it was computed from: the sha256 of the shard's part of each day from the first through `day` */
  sources?: string[];
  /** each of those parts' modification time when its content was last checked (ms), to find a part changed since */
  sourceTimes?: number[];
  users: [number, { wrapped: UserWrappedState; behaviour: UserBehaviourState | null }][];
  global: ScopeTotalsState;
  countries: [string, ScopeTotalsState][];
}

/** The live accumulators a snapshot restores into. */
class ShardAccumulators {
  readonly users = new Map<number, { wrapped: UserWrappedBuilder; behaviour: UserBehaviourAccumulator | null }>();
  global = new ScopeTotals();
  readonly countries = new Map<string, ScopeTotals>();
  private readonly clock = new LocalTime();

  constructor(private readonly reference: CatalogReference | undefined) {}

  static restore(snapshot: ShardSnapshot, reference: CatalogReference | undefined): ShardAccumulators {
    const acc = new ShardAccumulators(reference);
    for (const [id, u] of snapshot.users) {
      acc.users.set(id, {
        wrapped: UserWrappedBuilder.fromState(id, u.wrapped),
        behaviour: reference && u.behaviour ? UserBehaviourAccumulator.fromState(id, reference, u.behaviour) : null,
      });
    }
    acc.global = ScopeTotals.fromState(snapshot.global);
    for (const [c, t] of snapshot.countries) acc.countries.set(c, ScopeTotals.fromState(t));
    return acc;
  }

  add(r: ListeningRecord): void {
    let user = this.users.get(r.user_id);
    if (!user) {
      user = {
        wrapped: new UserWrappedBuilder(r.user_id),
        behaviour: this.reference ? new UserBehaviourAccumulator(r.user_id, this.reference) : null,
      };
      this.users.set(r.user_id, user);
    }
    const { weekday, hour } = this.clock.localWeekdayHour(r.user_location.timezone, r.listening_time.start_time);
    user.wrapped.add(r, hour);
    user.behaviour?.add(r);
    this.global.add(r, hour, weekday);
    let country = this.countries.get(r.user_location.country);
    if (!country) this.countries.set(r.user_location.country, (country = new ScopeTotals()));
    country.add(r, hour, weekday);
  }

  snapshot(day: string, sources: string[], sourceTimes: number[]): ShardSnapshot {
    const byId = [...this.users].sort(([a], [b]) => a - b);
    return {
      day,
      sources,
      sourceTimes,
      users: byId.map(([id, u]) => [id, { wrapped: u.wrapped.state(), behaviour: u.behaviour?.state() ?? null }]),
      global: this.global.state(),
      countries: [...this.countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.state()]),
    };
  }

  /** The shard as a part analysis for writeWrapped (finishing the behaviour accumulators: call once, last). */
  analysis(part: string): PartAnalysis {
    const byId = [...this.users].sort(([a], [b]) => a - b);
    const names = { songs: new NameIds(), artists: new NameIds(), genres: new NameIds() };
    return {
      part,
      records: this.global.records,
      users: byId.map(([, u]) => u.wrapped.build(u.behaviour ? inferredFrom(u.behaviour.finish().scores) : null)),
      global: this.global.numbered(names),
      countries: [...this.countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.numbered(names)]),
      names: { songs: names.songs.names, artists: names.artists.names, genres: names.genres.names },
    };
  }
}

function snapshotPath(layout: WorldLayout, day: string, shard: number): string {
  return path.join(layout.wrappedDir(day), `shard-${String(shard).padStart(5, '0')}.json.gz`);
}

/**
 * The snapshot at `file` when it can be trusted: readable, of `day`, and computed from the
 * parts the days' manifests list now (`sources`). Anything else (a snapshot of other bytes, one
 * written before snapshots recorded their sources, a damaged file) is undefined: recomputed.
 */
function trustedSnapshot(file: string, day: string, sources: readonly string[]): ShardSnapshot | undefined {
  let snapshot: ShardSnapshot;
  try {
    snapshot = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as ShardSnapshot;
  } catch {
    return undefined;
  }
  const same =
    snapshot.day === day &&
    snapshot.sources?.length === sources.length &&
    snapshot.sources.every((s, i) => s === sources[i]) &&
    snapshot.sourceTimes?.length === sources.length;
  return same ? snapshot : undefined;
}

/**
 * The modification time of a part a snapshot was computed from, once the part is still what its
 * manifest says: its size always (a stat), its sha256 when it was modified since `checkedAt`
 * (when its content was last checked). A damaged part is DamagedPart, naming the file and its
 * repair: a snapshot must not stand in for a day whose part no longer holds its records.
 */
function checkedSince(worldDir: string, part: PartRef, checkedAt: number | undefined): number {
  const file = path.join(worldDir, part.key);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new DamagedPart(part, 'it is missing');
  }
  if (st.size !== part.bytes) throw new DamagedPart(part, `it is ${st.size} bytes`);
  if (st.mtimeMs !== checkedAt) {
    const sha256 = sha256File(file);
    if (sha256 !== part.sha256) throw new DamagedPart(part, `its sha256 is ${sha256}`);
  }
  return st.mtimeMs;
}

const isMonthEnd = (day: string) => addDays(day, 1).endsWith('-01');

function timelinePoint(
  day: string,
  userId: number,
  wrapped: UserWrappedState,
  behaviour: UserBehaviourState | null,
  reference: CatalogReference | undefined,
): TimelinePoint {
  const built = UserWrappedBuilder.fromState(userId, wrapped).build(
    reference && behaviour ? inferredFrom(UserBehaviourAccumulator.fromState(userId, reference, behaviour).finish().scores) : null,
  );
  return { day, top_songs: built.top_songs, inferred: built.inferred };
}

export interface WorldWrappedResult extends WrittenWrapped {
  through: string;
  /** days whose records were read now (the rest came from snapshots) */
  daysRead: number;
  timeline: TimelinePoint[];
}

/**
 * Wrapped of a world so far (its first day through `through`), from per-shard snapshots kept
 * day by day under _wrapped/: only the days after the latest snapshot are read, each merged into
 * it, so Wrapped of day 300 costs one day plus the merge. Month-end snapshots are kept (they give
 * the card user's timeline); other older ones are dropped. fromScratch reads every day instead,
 * touching no snapshot: the same files come out.
 */
export async function writeWorldWrapped(opts: {
  worldDir: string;
  through?: string;
  outDir: string;
  cardUser?: number;
  fromScratch?: boolean;
}): Promise<WorldWrappedResult> {
  const layout = new WorldLayout(opts.worldDir);
  const dataset = await openWorldFolder(opts.worldDir);
  const world = dataset.definition;
  const complete = await dataset.completeDays();
  const through = opts.through ?? complete[complete.length - 1];
  if (!through || !complete.includes(through)) {
    throw new Error(
      `day ${through ?? '(none)'} of world ${world.name} is not complete (complete: ${complete[0] ?? 'none'}..${complete[complete.length - 1] ?? ''})`,
    );
  }
  const days = complete.filter((d) => d <= through);
  const dayData = new Map<string, RunDataset>();
  for (const day of days) dayData.set(day, await dataset.day(day));
  const reference = await catalogReference(layout.run.catalogPath);
  const shards = shardCount(world.params);
  const partials: string[] = [];
  const timeline = new Map<string, TimelinePoint>();
  let daysRead = 0;
  const card = opts.cardUser ?? 1;
  fs.mkdirSync(path.join(opts.outDir, '_work'), { recursive: true });
  for (let shard = 0; shard < shards; shard++) {
    const partOf = (day: string) => {
      const part = dayData.get(day)!.parts[shard];
      if (!part) throw new Error(`day ${day} of world ${world.name}: its manifest lists no part for shard ${shard}`);
      return part;
    };
    const sources = days.map((d) => partOf(d).sha256);
    const trusted = (i: number) => trustedSnapshot(snapshotPath(layout, days[i], shard), days[i], sources.slice(0, i + 1));
    let start = -1;
    let restored: ShardSnapshot | undefined;
    if (!opts.fromScratch) for (let i = days.length - 1; i >= 0 && start < 0; i--) if ((restored = trusted(i))) start = i;
    // the card user's points before `start` come from the month-end snapshots kept; one not to be trusted means reading every day
    const points: [string, ShardSnapshot][] = [];
    for (let i = 0; i < start; i++) {
      if (!isMonthEnd(days[i]) || !fs.existsSync(snapshotPath(layout, days[i], shard))) continue;
      const snapshot = trusted(i);
      if (!snapshot) {
        start = -1;
        restored = undefined;
        break;
      }
      points.push([days[i], snapshot]);
    }
    if (restored && (isMonthEnd(days[start]) || days[start] === through)) points.push([days[start], restored]);
    for (const [day, snapshot] of points) {
      const user = snapshot.users.find(([id]) => id === card);
      if (user) timeline.set(day, timelinePoint(day, card, user[1].wrapped, user[1].behaviour, reference));
    }
    // the parts the restored snapshot stands for are checked (size, and sha256 where modified since); the rest are read, verified
    const times: number[] = [];
    for (let i = 0; i <= start; i++) times.push(checkedSince(opts.worldDir, partOf(days[i]), restored!.sourceTimes![i]));
    const acc = restored ? ShardAccumulators.restore(restored, reference) : new ShardAccumulators(reference);
    for (let i = start + 1; i < days.length; i++) {
      // each part is verified against its day's manifest before any of its records is used
      for await (const batch of dayData.get(days[i])!.columns(partOf(days[i]), WRAPPED_FIELDS)) {
        const view = new RecordView<ListeningRecord>(batch);
        for (let row = 0; row < batch.length; row++) acc.add(view.at(row));
      }
      times.push(fs.statSync(path.join(opts.worldDir, partOf(days[i]).key)).mtimeMs);
      if (shard === 0) daysRead++;
      const user = acc.users.get(card);
      if (user && (isMonthEnd(days[i]) || days[i] === through)) {
        timeline.set(days[i], timelinePoint(days[i], card, user.wrapped.state(), user.behaviour?.state() ?? null, reference));
      }
      if (!opts.fromScratch) {
        const snapshot = acc.snapshot(days[i], sources.slice(0, i + 1), times.slice(0, i + 1));
        writeFileAtomic(snapshotPath(layout, days[i], shard), zlib.gzipSync(JSON.stringify(snapshot)));
      }
    }
    const partial = path.join(opts.outDir, wrappedWorkFile(`shard-${String(shard).padStart(5, '0')}`));
    writePartial(partial, `${world.name}/shard-${shard}/through-${through}`, acc.analysis(`shard ${shard}`));
    partials.push(partial);
  }
  if (!opts.fromScratch) {
    for (const day of days) if (day < through && !isMonthEnd(day)) fs.rmSync(layout.wrappedDir(day), { recursive: true, force: true });
  }
  const points = [...timeline.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  const written = await writeWrapped({
    outDir: opts.outDir,
    runId: `${world.name} through ${through}`,
    runDir: opts.worldDir,
    partials,
    cardUser: opts.cardUser,
    timeline: points,
  });
  return { ...written, through, daysRead, timeline: points };
}
