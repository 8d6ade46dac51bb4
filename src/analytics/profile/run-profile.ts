import { openRunAt } from '../../dataset/open-folder';
import { RecordView } from '../../dataset/record-view';
import type { RunDataset } from '../../dataset/run-dataset';
import { LocalTime } from '../../domain/local-time';
import { RunLayout } from '../../pipeline/run-layout';
import { AXES, NEGATIVE_POLE, personalityByName, personalityFromScores, POSITIVE_POLE, type Axis } from '../../domain/personality';
import type { ListeningRecord } from '../../domain/listening-record';
import { CatalogReference, readCatalogReference } from './catalog-reference';
import { USER_BEHAVIOUR_FIELDS, UserBehaviourAccumulator, type AxisScores } from './user-behaviour';

export interface UserProfileScores {
  userId: number;
  personality: string;
  inferred: string;
  records: number;
  scores: AxisScores;
}

export interface RunProfile {
  runDir: string;
  parts: number;
  records: number;
  users: number;
  /** where the catalog distributions behind the T/N and C/U ranks came from */
  reference: 'catalog' | 'played songs';
  /** share of users whose inferred pole (or whole type) matches the personality field */
  accuracy: Record<Axis | 'type', number>;
  /** mean axis score of the users on each pole, by the personality field */
  meanScoreByPole: Record<Axis, Record<string, number>>;
  /** assigned personality -> inferred personality -> users */
  confusion: Record<string, Record<string, number>>;
  interactions: Record<string, { count: number; share: number }>;
  skipRate: number;
  /** share of events starting in each local hour 0..23 (timezone of the record's location) */
  localHourCurve: number[];
  sessions: { count: number; meanMinutes: number; medianMinutes: number; p10Minutes: number; p90Minutes: number; maxMinutes: number };
  /** share of sessions away from the user's most frequent place */
  travelShare: number;
  perUser: UserProfileScores[];
}

/** The fields the profile reads of a record: the behaviour's, the interaction and the local hour's time zone. */
const PROFILE_FIELDS = [...USER_BEHAVIOUR_FIELDS, 'interaction', 'user_location.timezone'];

async function catalogReference(dataset: RunDataset): Promise<{ reference: CatalogReference; kind: RunProfile['reference'] }> {
  const catalog = await dataset.fileRecords<{ year: number; popularity: number }>(new RunLayout(dataset.store.location).catalogKey);
  if (catalog) return { reference: await readCatalogReference(catalog), kind: 'catalog' };
  const songs: { year: number; popularity: number }[] = [];
  const seen = new Set<string>();
  for (const part of dataset.parts) {
    for await (const batch of dataset.columns(part, ['artist', 'song_name', 'year', 'popularity'])) {
      const [artist, title, year, popularity] = [
        batch.strings('artist'),
        batch.strings('song_name'),
        batch.numbers('year'),
        batch.numbers('popularity'),
      ];
      for (let i = 0; i < batch.length; i++) {
        const key = `${artist[i]}\u0000${title[i]}`;
        if (!seen.has(key)) {
          seen.add(key);
          songs.push({ year: year[i], popularity: popularity[i] });
        }
      }
    }
  }
  return { reference: new CatalogReference(songs), kind: 'played songs' };
}

function quantile(histogram: Map<number, number>, total: number, q: number): number {
  const keys = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const k of keys) {
    seen += histogram.get(k)!;
    if (seen >= q * total) return k;
  }
  return keys.length ? keys[keys.length - 1] : 0;
}

/**
 * The fidelity profile of a run, from its AVRO files alone: can the personality of
 * each user be told from behaviour, and how do interactions, hours, sessions and
 * travel look. The personality field is read only to compare with.
 */
export async function profileRun(runDir: string, onPart: (done: number, total: number) => void = () => {}): Promise<RunProfile> {
  const dataset = await openRunAt(runDir);
  const parts = dataset.parts;
  const { reference, kind } = await catalogReference(dataset);
  const clock = new LocalTime();
  const interactions = new Map<string, number>();
  const hours = new Array<number>(24).fill(0);
  const sessionHistogram = new Map<number, number>();
  let sessionCount = 0,
    sessionMinutesSum = 0,
    sessionMax = 0,
    travelSessions = 0,
    records = 0;
  const perUser: UserProfileScores[] = [];

  for (let p = 0; p < parts.length; p++) {
    const open = new Map<number, UserBehaviourAccumulator>();
    for await (const batch of dataset.columns(parts[p], PROFILE_FIELDS)) {
      const view = new RecordView<ListeningRecord>(batch);
      for (let row = 0; row < batch.length; row++) {
        const r = view.at(row);
        records++;
        let acc = open.get(r.user_id);
        if (!acc) open.set(r.user_id, (acc = new UserBehaviourAccumulator(r.user_id, reference)));
        acc.add(r);
        interactions.set(r.interaction, (interactions.get(r.interaction) ?? 0) + 1);
        hours[clock.localHour(r.user_location.timezone, r.listening_time.start_time)]++;
      }
    }
    for (const acc of open.values()) {
      const b = acc.finish();
      for (const m of b.sessionMinutes) {
        const bin = Math.round(m);
        sessionHistogram.set(bin, (sessionHistogram.get(bin) ?? 0) + 1);
        sessionMinutesSum += m;
        sessionMax = Math.max(sessionMax, m);
      }
      sessionCount += b.sessions;
      travelSessions += b.travelSessions;
      perUser.push({
        userId: b.userId,
        personality: b.personality,
        inferred: personalityFromScores(b.scores).name,
        records: b.records,
        scores: b.scores,
      });
    }
    onPart(p + 1, parts.length);
  }
  perUser.sort((a, b) => a.userId - b.userId);

  const hits: Record<Axis | 'type', number> = { FE: 0, TN: 0, LV: 0, CU: 0, type: 0 };
  const poleSums = Object.fromEntries(AXES.map((a) => [a, {} as Record<string, { sum: number; n: number }>])) as Record<
    Axis,
    Record<string, { sum: number; n: number }>
  >;
  const confusion: Record<string, Record<string, number>> = {};
  let compared = 0;
  for (const u of perUser) {
    const assigned = personalityByName(u.personality);
    if (!assigned) continue;
    compared++;
    for (const axis of AXES) {
      if ((u.scores[axis] >= 0 ? 1 : -1) === assigned.poles[axis]) hits[axis]++;
      const pole = assigned.poles[axis] > 0 ? POSITIVE_POLE[axis] : NEGATIVE_POLE[axis];
      const s = (poleSums[axis][pole] ??= { sum: 0, n: 0 });
      s.sum += u.scores[axis];
      s.n++;
    }
    if (u.inferred === u.personality) hits.type++;
    const row = (confusion[u.personality] ??= {});
    row[u.inferred] = (row[u.inferred] ?? 0) + 1;
  }
  const share = (n: number, d: number) => (d > 0 ? n / d : 0);
  const totalHours = hours.reduce((a, b) => a + b, 0);
  return {
    runDir,
    parts: parts.length,
    records,
    users: perUser.length,
    reference: kind,
    accuracy: {
      FE: share(hits.FE, compared),
      TN: share(hits.TN, compared),
      LV: share(hits.LV, compared),
      CU: share(hits.CU, compared),
      type: share(hits.type, compared),
    },
    meanScoreByPole: Object.fromEntries(
      AXES.map((a) => [a, Object.fromEntries(Object.entries(poleSums[a]).map(([pole, s]) => [pole, s.sum / s.n]))]),
    ) as Record<Axis, Record<string, number>>,
    confusion,
    interactions: Object.fromEntries(
      [...interactions.entries()].sort(([, a], [, b]) => b - a).map(([name, count]) => [name, { count, share: share(count, records) }]),
    ),
    skipRate: share(interactions.get('skipped') ?? 0, records),
    localHourCurve: hours.map((h) => share(h, totalHours)),
    sessions: {
      count: sessionCount,
      meanMinutes: share(sessionMinutesSum, sessionCount),
      medianMinutes: quantile(sessionHistogram, sessionCount, 0.5),
      p10Minutes: quantile(sessionHistogram, sessionCount, 0.1),
      p90Minutes: quantile(sessionHistogram, sessionCount, 0.9),
      maxMinutes: sessionMax,
    },
    travelShare: share(travelSessions, sessionCount),
    perUser,
  };
}
