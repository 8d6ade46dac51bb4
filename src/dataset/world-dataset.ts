import { parseWorldDefinition, type WorldDefinition } from '../config/world-input';
import { partitionName } from '../domain/days';
import type { ObjectStore } from '../runtime/storage/object-store';
import { MANIFEST_NAMES } from '../pipeline/run-layout';
import { NotADataset, RunDataset, type DatasetPlace } from './run-dataset';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Where each complete day's manifest may be, in the order looked for:
 * - `_days/dt=D/_manifest.json`, its files named relative to the world's root
 *   (engine-ready layout: parts under avro/dt=D/, parquet/dt=D/);
 * - `dt=D/_manifest.json` or `dt=D/manifest.json`, its files relative to dt=D/ (earlier worlds).
 */
function dayPlaces(day: string): DatasetPlace[] {
  const dt = partitionName(day);
  return [
    { manifest: `_days/${dt}/${MANIFEST_NAMES[0]}`, root: '' },
    ...MANIFEST_NAMES.map((name) => ({ manifest: `${dt}/${name}`, root: `${dt}/` })),
  ];
}

/** The day a manifest key belongs to, when it is one of dayPlaces' keys. */
function dayOfManifestKey(key: string): string | undefined {
  const m = /^(?:_days\/)?dt=(\d{4}-\d{2}-\d{2})\/(_?manifest\.json)$/.exec(key);
  if (!m) return undefined;
  return dayPlaces(m[1]).some((p) => p.manifest === key) ? m[1] : undefined;
}

/**
 * A world read through its store: its definition and its complete days (those with a
 * manifest), each a RunDataset whose parts are checked before use.
 */
export class WorldDataset {
  private constructor(
    readonly store: ObjectStore,
    readonly definition: WorldDefinition,
  ) {}

  static async open(store: ObjectStore): Promise<WorldDataset> {
    if (!(await store.stat('world.json')))
      throw new NotADataset(`no world at ${store.location} (no world.json): create it with wrapped-etl world create`);
    const definition = parseWorldDefinition((await store.read('world.json')).toString('utf8'), `${store.location}/world.json`);
    return new WorldDataset(store, definition);
  }

  /** Days with a manifest, in order. */
  async completeDays(): Promise<string[]> {
    const keys = [...(await this.store.list('_days/')), ...(await this.store.list('dt='))];
    const days = new Set<string>();
    for (const key of keys) {
      const day = dayOfManifestKey(key);
      if (day) days.add(day);
    }
    return [...days].sort();
  }

  /** What rewrites a damaged part of `day` (worlds have no resume). */
  repairOf(day: string): string {
    return (
      `restore it from a copy, or write it again: create a world with the same definition under another name ` +
      `(world.json's params; the same input gives byte-identical parts) and advance it through ${day}, ` +
      `then copy that world's file of the same name over this one`
    );
  }

  /** A complete day as a dataset. */
  async day(day: string): Promise<RunDataset> {
    if (!DAY.test(day)) throw new Error(`not a day: ${JSON.stringify(day)} (YYYY-MM-DD)`);
    for (const place of dayPlaces(day)) {
      if (await this.store.stat(place.manifest)) return RunDataset.open(this.store, place, this.repairOf(day));
    }
    throw new NotADataset(`day ${day} of world ${this.definition.name} is not complete (no manifest)`);
  }
}
