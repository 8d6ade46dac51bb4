import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { addDays } from '../../domain/days';
import type { ListeningRecord } from '../../domain/listening-record';
import { LocalTime } from '../../domain/local-time';
import { readContainer } from '../../formats/avro/read-container';
import { shardCount } from '../../config/generation-input';
import { readWorldDefinition, WorldLayout } from '../../pipeline/world-layout';
import { writeFileAtomic } from '../../runtime/atomic-file';
import type { CatalogReference } from '../profile/catalog-reference';
import { UserBehaviourAccumulator, type UserBehaviourState } from '../profile/user-behaviour';
import type { PartAnalysis } from './analyze-part';
import { writePartial } from './part-job';
import { catalogReference, inferredFrom } from './personality-inference';
import { ScopeTotals, type ScopeTotalsState } from './scope-totals';
import { UserWrappedBuilder, type UserWrappedState } from './user-wrapped';
import type { TimelinePoint } from './wrapped-types';
import { writeWrapped, type WrittenWrapped } from './write-wrapped';

/** Everything Wrapped needs of one shard's users through a day: it grows by one day's records at a time. */
interface ShardSnapshot {
  day: string;
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

  snapshot(day: string): ShardSnapshot {
    const byId = [...this.users].sort(([a], [b]) => a - b);
    return {
      day,
      users: byId.map(([id, u]) => [id, { wrapped: u.wrapped.state(), behaviour: u.behaviour?.state() ?? null }]),
      global: this.global.state(),
      countries: [...this.countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.state()]),
    };
  }

  /** The shard as a part analysis for writeWrapped (finishing the behaviour accumulators: call once, last). */
  analysis(part: string): PartAnalysis {
    const byId = [...this.users].sort(([a], [b]) => a - b);
    return {
      part,
      records: this.global.records,
      users: byId.map(([, u]) => u.wrapped.build(u.behaviour ? inferredFrom(u.behaviour.finish().scores) : null)),
      global: this.global.toJSON(),
      countries: Object.fromEntries([...this.countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.toJSON()])),
    };
  }
}

function snapshotPath(layout: WorldLayout, day: string, shard: number): string {
  return path.join(layout.wrappedDir(day), `shard-${String(shard).padStart(5, '0')}.json.gz`);
}

function readSnapshot(file: string): ShardSnapshot {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as ShardSnapshot;
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
  const world = readWorldDefinition(layout);
  const complete = layout.completeDays();
  const through = opts.through ?? complete[complete.length - 1];
  if (!through || !complete.includes(through)) {
    throw new Error(
      `day ${through ?? '(none)'} of world ${world.name} is not complete (complete: ${complete[0] ?? 'none'}..${complete[complete.length - 1] ?? ''})`,
    );
  }
  const days = complete.filter((d) => d <= through);
  const reference = await catalogReference(layout.run.catalogPath);
  const shards = shardCount(world.params);
  const partials: string[] = [];
  const timeline = new Map<string, TimelinePoint>();
  let daysRead = 0;
  const card = opts.cardUser ?? 1;
  fs.mkdirSync(path.join(opts.outDir, '_work'), { recursive: true });
  for (let shard = 0; shard < shards; shard++) {
    let start = -1;
    if (!opts.fromScratch)
      for (let i = days.length - 1; i >= 0 && start < 0; i--) if (fs.existsSync(snapshotPath(layout, days[i], shard))) start = i;
    // the card user's points before `start` come from the month-end snapshots kept
    for (const day of days.slice(0, start + 1).filter((d) => isMonthEnd(d) || d === through)) {
      const file = snapshotPath(layout, day, shard);
      const user = fs.existsSync(file) ? readSnapshot(file).users.find(([id]) => id === card) : undefined;
      if (user) timeline.set(day, timelinePoint(day, card, user[1].wrapped, user[1].behaviour, reference));
    }
    const acc =
      start >= 0
        ? ShardAccumulators.restore(readSnapshot(snapshotPath(layout, days[start], shard)), reference)
        : new ShardAccumulators(reference);
    for (let i = start + 1; i < days.length; i++) {
      const file = layout.day(days[i]).partPath(shard);
      for await (const r of readContainer<ListeningRecord>(file)) acc.add(r);
      if (shard === 0) daysRead++;
      const user = acc.users.get(card);
      if (user && (isMonthEnd(days[i]) || days[i] === through)) {
        timeline.set(days[i], timelinePoint(days[i], card, user.wrapped.state(), user.behaviour?.state() ?? null, reference));
      }
      if (!opts.fromScratch) {
        const snapshot = acc.snapshot(days[i]);
        writeFileAtomic(snapshotPath(layout, days[i], shard), zlib.gzipSync(JSON.stringify(snapshot)));
      }
    }
    const partial = path.join(opts.outDir, '_work', `shard-${String(shard).padStart(5, '0')}.wrapped.json`);
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
