import { loadSchemaJson } from '../formats/avro/schemas';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import { partFilesOf, twinFiles } from '../formats/part-writers';
import { hashObject } from '../runtime/storage/store-files';
import { shardCount, type GenerationParams } from '../config/generation-input';
import { manifestText, type ManifestPart } from './manifest';
import { RunLayout } from './run-layout';
import type { RunPlace } from './run-place';

/** A shard never completed: no attempt of the manifest step can succeed. */
export class MissingPartError extends Error {
  override name = 'MissingPartError';
}

export interface BuiltManifest {
  manifest: string;
  totalRecords: number;
  parts: number;
  bytes: number;
}

/**
 * Checks every part file (and its other formats' files) against its shard checkpoint where the run lives
 * (its folder or its bucket, by content), writes the manifest last, once, then the empty _SUCCESS marker
 * (its layout's names: see RunLayout). `onPart` is called after each part (heartbeats).
 */
export async function buildManifest(
  params: GenerationParams,
  place: RunPlace,
  onPart: (shard: number) => void = () => {},
): Promise<BuiltManifest> {
  const layout = new RunLayout(place.runDir);
  const parts: ManifestPart[] = [];
  for (let shard = 0; shard < shardCount(params); shard++) {
    const cp = await place.checkpoint(layout, shard);
    if (!cp) throw new MissingPartError(`shard ${shard} has no checkpoint: its part was never completed`);
    for (const file of [cp, ...twinFiles(cp)]) {
      const found = await hashObject(place.store, file.file);
      if (found?.sha256 !== file.sha256) {
        throw new Error(
          `part ${place.nameOf(file.file)} does not match its checkpoint (sha256 ${found?.sha256 ?? 'missing'} != ${file.sha256})`,
        );
      }
    }
    parts.push(partFilesOf(cp));
    onPart(shard);
  }
  const totalRecords = parts.reduce((n, p) => n + p.records, 0);
  const manifest = manifestText({
    runId: params.runId,
    schema: loadSchemaJson(listeningHistorySchemaFile(params.schemaVersion)),
    params,
    parts,
    totalRecords,
  });
  await putOnce(place, layout.manifestKey, Buffer.from(manifest));
  if (layout.successKey) await putOnce(place, layout.successKey, Buffer.alloc(0));
  return { manifest: place.nameOf(layout.manifestKey), totalRecords, parts: parts.length, bytes: parts.reduce((n, p) => n + p.bytes, 0) };
}

/** Writes `data` at `key` unless it is there: the same bytes there already (an earlier attempt's) are fine, others fail. */
async function putOnce(place: RunPlace, key: string, data: Buffer): Promise<void> {
  if (await place.store.putIfAbsent(key, data)) return;
  const there = await place.store.read(key);
  if (!there.equals(data)) throw new Error(`${place.nameOf(key)} exists with other content; this run would have written another`);
}
