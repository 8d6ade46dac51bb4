import { loadSchemaJson } from '../formats/avro/schemas';
import { listeningHistorySchemaFile } from '../formats/listening-history-versions';
import { invalidTwin, partFilesOf } from '../formats/part-writers';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
import { readJsonIfPresent } from '../runtime/json-file';
import { shardCount, type GenerationParams } from '../config/generation-input';
import { writeManifest, type ManifestPart } from './manifest';
import { RunLayout } from './run-layout';
import type { ShardResult } from './shard-job';

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
 * Checks every part file (and its other formats' files) against its shard checkpoint,
 * writes the manifest last, atomically, then the empty _SUCCESS marker (its layout's names:
 * see RunLayout). `onPart` is called after each part (heartbeats).
 */
export function buildManifest(params: GenerationParams, runDir: string, onPart: (shard: number) => void = () => {}): BuiltManifest {
  const layout = new RunLayout(runDir);
  const parts: ManifestPart[] = [];
  for (let shard = 0; shard < shardCount(params); shard++) {
    const cp = readJsonIfPresent<ShardResult>(layout.partCheckpointPath(shard));
    if (!cp) throw new MissingPartError(`shard ${shard} has no checkpoint: its part was never completed`);
    const actual = sha256File(layout.partPath(shard));
    if (actual !== cp.sha256) throw new Error(`part ${cp.file} does not match its checkpoint (sha256 ${actual} != ${cp.sha256})`);
    const twin = invalidTwin((key) => layout.pathOf(key), cp);
    if (twin) throw new Error(`${twin.file} does not match its checkpoint`);
    parts.push(partFilesOf(cp));
    onPart(shard);
  }
  const totalRecords = parts.reduce((n, p) => n + p.records, 0);
  writeManifest(layout.manifestPath, {
    runId: params.runId,
    schema: loadSchemaJson(listeningHistorySchemaFile(params.schemaVersion)),
    params,
    parts,
    totalRecords,
  });
  if (layout.successPath) writeFileAtomic(layout.successPath, '');
  return { manifest: layout.manifestPath, totalRecords, parts: parts.length, bytes: parts.reduce((n, p) => n + p.bytes, 0) };
}
