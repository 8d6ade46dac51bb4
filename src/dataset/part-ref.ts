import { sha256Of } from '../runtime/atomic-file';
import { ColumnDecoder, type ColumnBatch } from '../formats/avro/column-decoder';
import { loadBlockCodec } from '../formats/avro/block-codecs';
import { containerBlocks, readContainerHeader } from '../formats/avro/container-blocks';
import { openStore } from '../runtime/storage/open-store';
import type { ObjectStore } from '../runtime/storage/object-store';

/**
 * One file of a dataset as its manifest records it, with everything needed to read it
 * checked in any thread: plain values only (a pool job can carry it).
 */
export interface PartRef {
  /** the store's location (a folder, or s3://bucket/prefix) */
  store: string;
  /** the object's key in the store */
  key: string;
  records: number;
  bytes: number;
  sha256: string;
  /** the manifest that vouches for it (its key), for messages */
  manifest: string;
  /** what to do when the file is damaged: the command that writes it again */
  repair: string;
}

/** A part whose bytes are not what its manifest says; nothing of it may be used. */
export class DamagedPart extends Error {
  constructor(
    readonly part: PartRef,
    found: string,
  ) {
    super(
      `${where(part)} is damaged: ${found}; ${part.manifest} says ${part.bytes} bytes with sha256 ${part.sha256}. ` +
        `Nothing was computed from it. Repair: ${part.repair}`,
    );
    this.name = 'DamagedPart';
  }
}

const where = (part: PartRef) => `${part.store.replace(/\/+$/, '')}/${part.key}`;

/** The part's bytes, once their size and sha256 are those of its manifest entry (DamagedPart otherwise). */
export async function readVerifiedPart(part: PartRef, store: ObjectStore = openStore(part.store)): Promise<Buffer> {
  const st = await store.stat(part.key);
  if (!st) throw new DamagedPart(part, 'it is missing');
  if (st.bytes !== part.bytes) throw new DamagedPart(part, `it is ${st.bytes} bytes`);
  const bytes = await store.read(part.key);
  if (bytes.length !== part.bytes) throw new DamagedPart(part, `it is ${bytes.length} bytes`);
  const sha256 = sha256Of(bytes);
  if (sha256 !== part.sha256) throw new DamagedPart(part, `its sha256 is ${sha256}`);
  return bytes;
}

/**
 * The records of an AVRO part as column batches (one per container block) of only `fields`
 * (paths like 'user_location.country'; see ColumnDecoder), after the whole part is verified.
 */
export async function* readPartColumns(part: PartRef, fields: readonly string[] | 'all', store?: ObjectStore): AsyncGenerator<ColumnBatch> {
  const bytes = await readVerifiedPart(part, store);
  await loadPartCodec(bytes, part);
  yield* partColumns(bytes, part, fields);
}

/** Makes the codec of a part's container usable in this thread (partColumns is synchronous; zstandard loads once). */
export async function loadPartCodec(bytes: Buffer, part: PartRef): Promise<void> {
  await loadBlockCodec(readContainerHeader(bytes, where(part)).codec);
}

/** The column batches of a verified part's bytes (synchronous: for a pool thread's loop; see loadPartCodec). */
export function* partColumns(bytes: Buffer, part: PartRef, fields: readonly string[] | 'all'): Generator<ColumnBatch> {
  const name = where(part);
  const header = readContainerHeader(bytes, name);
  const decoder = new ColumnDecoder(header.schema, fields);
  let records = 0;
  for (const block of containerBlocks(bytes, header, name)) {
    const batch = decoder.decode(block.data, block.count);
    records += batch.length;
    yield batch;
  }
  if (records !== part.records) throw new Error(`${name} holds ${records} records, ${part.manifest} says ${part.records}`);
}
