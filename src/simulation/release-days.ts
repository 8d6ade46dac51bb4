import { mix32, releaseDayOf } from './seasons';
import type { SongTable } from './song-table';

const cache = new WeakMap<SongTable, Int32Array>();

/**
 * Each song's release date (days since the epoch): a Friday of its year, the same for all
 * songs of one release (its artist and album numbers), computed once per catalog and thread.
 * The simulation (what is released, what is new) and schema v2's `release_date` read the same.
 */
export function releaseDaysOf(table: SongTable): Int32Array {
  let days = cache.get(table);
  if (!days) {
    const { year, albumOf, artistOf } = table.columns;
    days = new Int32Array(table.size);
    for (let i = 0; i < days.length; i++) days[i] = releaseDayOf(year[i], mix32(artistOf[i], albumOf[i]));
    cache.set(table, days);
  }
  return days;
}
