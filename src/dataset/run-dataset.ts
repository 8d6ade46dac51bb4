import type { ColumnBatch } from '../formats/avro/column-decoder';
import type { TwinFormat } from '../formats/part-formats';
import type { Manifest } from '../pipeline/manifest';
import type { ObjectStore } from '../runtime/storage/object-store';
import { readContainerStream } from '../formats/avro/read-container';
import { findManifestKey } from './manifest-location';
import { readPartColumns, readVerifiedPart, type PartRef } from './part-ref';

/** One part of a dataset: its AVRO file and each other format's file, as the manifest records them. */
export interface DatasetPart extends PartRef {
  /** the part's index in the manifest (its shard) */
  index: number;
  /** the file name the manifest records (relative to the dataset's root) */
  file: string;
  twins: Partial<Record<TwinFormat, PartRef>>;
}

export class NotADataset extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotADataset';
  }
}

/** Where a dataset's manifest is and what its `file` names are relative to. */
export interface DatasetPlace {
  /** the manifest's key */
  manifest: string;
  /** the prefix of the keys its part files are named relative to ('' or ending in '/') */
  root: string;
}

/** What rewrites a damaged part: a fixed text, or one made from the manifest. */
export type Repair = string | ((manifest: Manifest) => string);

/** A complete run's damaged part is written again by resuming its generation (checked: the same bytes come back). */
export const runRepair = (manifest: Manifest): string =>
  `wrapped-etl generate --input '{"resume":"${manifest.runId}"}' --run-name ${manifest.runId} with the --out the run was ` +
  `generated with: it writes again only the parts that do not match their checkpoint (the same input gives the same bytes)`;

function parseManifest(store: ObjectStore, key: string, text: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new NotADataset(`${store.location}/${key} is not a readable manifest: ${(err as Error).message}`);
  }
  const parts = (manifest as Partial<Manifest> | null)?.parts;
  const bad = !Array.isArray(parts)
    ? -2
    : parts.findIndex((p) => typeof p?.file !== 'string' || typeof p.sha256 !== 'string' || !Number.isInteger(p.bytes));
  if (bad !== -1)
    throw new NotADataset(
      `${store.location}/${key} is not a readable manifest: ${bad === -2 ? 'no parts list' : `part ${bad} lacks file, bytes or sha256`}`,
    );
  return manifest;
}

/**
 * A finished run, or one day of a world, read through its manifest: the parts it lists, each
 * checked by size and sha256 before any of its records is used (DamagedPart names the file and
 * `repair`). Part files are named in the manifest relative to the dataset's root, so a run of
 * either layout (flat, or avro/ and parquet/ folders) reads the same.
 */
export class RunDataset {
  readonly parts: readonly DatasetPart[];

  private constructor(
    readonly store: ObjectStore,
    readonly place: DatasetPlace,
    readonly manifest: Manifest,
    readonly repair: string,
  ) {
    const ref = (p: { file: string; records: number; bytes: number; sha256: string }): PartRef => ({
      store: store.location,
      key: place.root + p.file,
      records: p.records,
      bytes: p.bytes,
      sha256: p.sha256,
      manifest: place.manifest,
      repair,
    });
    this.parts = manifest.parts.map((p, index) => {
      const twins: Partial<Record<TwinFormat, PartRef>> = {};
      if (p.parquet) twins.parquet = ref(p.parquet);
      return { ...ref(p), index, file: p.file, twins };
    });
  }

  /** The run at the store's root (or below `folder`): its manifest of either name. NotADataset when there is none. */
  static async openRun(store: ObjectStore, opts: { folder?: string; repair?: Repair } = {}): Promise<RunDataset> {
    const folder = opts.folder ?? '';
    const manifest = await findManifestKey(store, folder);
    if (!manifest)
      throw new NotADataset(
        `${store.location}${folder ? `/${folder}` : ''} has no manifest (_manifest.json or manifest.json): not a finished run`,
      );
    return RunDataset.open(store, { manifest, root: folder ? `${folder}/` : '' }, opts.repair ?? runRepair);
  }

  /** The dataset whose manifest is at `place.manifest`. */
  static async open(store: ObjectStore, place: DatasetPlace, repair: Repair): Promise<RunDataset> {
    const text = (await store.read(place.manifest)).toString('utf8');
    const manifest = parseManifest(store, place.manifest, text);
    return new RunDataset(store, place, manifest, typeof repair === 'string' ? repair : repair(manifest));
  }

  /** The key of a file named relative to the dataset's root (e.g. the catalog checkpoint '_work/catalog.avro'). */
  key(name: string): string {
    return this.place.root + name;
  }

  /** The records of the AVRO file `name` (relative to the dataset's root, e.g. '_work/catalog.avro'), or undefined when there is none. */
  async fileRecords<T>(name: string): Promise<AsyncGenerator<T> | undefined> {
    const key = this.key(name);
    if ((await this.store.stat(key)) === undefined) return undefined;
    return readContainerStream<T>(this.store.readStream(key), `${this.store.location}/${key}`);
  }

  /** A part's bytes, verified (see readVerifiedPart). */
  bytes(part: PartRef): Promise<Buffer> {
    return readVerifiedPart(part, this.store);
  }

  /** A part's records as column batches of `fields`, after the part is verified. */
  columns(part: PartRef, fields: readonly string[] | 'all'): AsyncGenerator<ColumnBatch> {
    return readPartColumns(part, fields, this.store);
  }
}
