import type { ColumnBatch } from '../../formats/avro/column-decoder';
import { RecordView } from '../../dataset/record-view';
import { USER_BEHAVIOUR_FIELDS } from '../profile/user-behaviour';
import { LocalTime } from '../../domain/local-time';
import type { ListeningRecord } from '../../domain/listening-record';
import type { PersonalityInference, PersonalityReader } from './personality-inference';
import { ScopeTotals, type ScopeTotalsJson } from './scope-totals';
import { UserWrappedBuilder } from './user-wrapped';
import type { UserWrapped } from './wrapped-types';

/** What one part contributes: its users' Wrapped (users live in one part only) and mergeable totals. */
export interface PartAnalysis {
  part: string;
  records: number;
  users: UserWrapped[];
  global: ScopeTotalsJson;
  countries: Record<string, ScopeTotalsJson>;
}

/** The fields Wrapped reads of a record (with personality inference): the rest of a part is skipped, not decoded. */
export const WRAPPED_FIELDS = [...USER_BEHAVIOUR_FIELDS, 'interaction', 'genre', 'user_location.timezone'];

/**
 * Analyses one AVRO part (schema v1 or v2), given as its verified column batches of
 * WRAPPED_FIELDS. A part holds its users' records one user after another, so one user is
 * kept in memory at a time; a user seen again later (not how the generator writes) is an
 * error rather than a silent split.
 */
export function analyzePart(
  batches: Iterable<ColumnBatch>,
  part: string,
  infer: PersonalityInference,
  onProgress: (records: number) => void = () => {},
): PartAnalysis {
  const global = new ScopeTotals();
  const countries = new Map<string, ScopeTotals>();
  const users: UserWrapped[] = [];
  const finished = new Set<number>();
  let current: { builder: UserWrappedBuilder; personality: PersonalityReader } | undefined;
  const clock = new LocalTime();
  let records = 0;

  const finishUser = () => {
    if (!current) return;
    users.push(current.builder.build(current.personality.finish()));
    finished.add(current.builder.userId);
    current = undefined;
  };

  for (const batch of batches) {
    const view = new RecordView<ListeningRecord>(batch);
    for (let row = 0; row < batch.length; row++) {
      const r = view.at(row);
      if (current?.builder.userId !== r.user_id) {
        finishUser();
        if (finished.has(r.user_id)) throw new Error(`${part}: the records of user ${r.user_id} are not contiguous`);
        current = { builder: new UserWrappedBuilder(r.user_id), personality: infer(r.user_id) };
      }
      const { weekday, hour } = clock.localWeekdayHour(r.user_location.timezone, r.listening_time.start_time);
      current.builder.add(r, hour);
      current.personality.add(r);
      global.add(r, hour, weekday);
      let country = countries.get(r.user_location.country);
      if (!country) countries.set(r.user_location.country, (country = new ScopeTotals()));
      country.add(r, hour, weekday);
      if (++records % 20_000 === 0) onProgress(records);
    }
  }
  finishUser();
  return {
    part,
    records,
    users,
    global: global.toJSON(),
    countries: Object.fromEntries([...countries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, t]) => [c, t.toJSON()])),
  };
}
