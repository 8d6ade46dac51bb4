import { resolveRunDir } from '../runtime/data-root';
import { FolderStore } from '../runtime/storage/folder-store';
import { isS3Location, parseS3Location, s3Child, s3LocationText } from '../runtime/storage/s3-location';
import { StagedPlace } from '../runtime/storage/staged-place';
import { hashObject } from '../runtime/storage/store-files';
import { twinFiles } from '../formats/part-writers';
import { BrokenSeal, parseSealedJson } from '../runtime/json-file';
import type { ShardResult } from './shard-job';
import { RunLayout } from './run-layout';

/**
 * Where a generation lives: the store its output goes to (its folder, or s3://bucket/prefix/runId) and the
 * local folder its steps write (`runDir`: the folder itself, or a staging folder under the data root). Steps
 * write into runDir as always and `publish` the finished files; for a folder that is nothing to do, for a
 * bucket it uploads them (each appears only whole) and drops the staged part files. Whatever checks a part or
 * a checkpoint reads it from the store, so both kinds are checked the same way.
 */
export class RunPlace extends StagedPlace {
  /**
   * The place of run `runId` under `out` (a folder under the data root, or an s3:// location under the
   * worker's WRAPPED_ETL_S3_ALLOW): an InputError on `out` or `runId` otherwise.
   */
  static override of(dataRoot: string, out: string, runId: string): RunPlace {
    if (!isS3Location(out)) {
      const runDir = resolveRunDir(dataRoot, out, runId);
      return new RunPlace(runDir, new FolderStore(runDir), false);
    }
    return new RunPlace(...StagedPlace.bucketParts(dataRoot, 'out', s3LocationText(s3Child(parseS3Location('out', out), runId))));
  }

  /** the folder the steps write: the run's own, or its staging folder */
  get runDir(): string {
    return this.dir;
  }

  /** The shard's checkpoint when the store holds it and every file it names hashes as it records (checked by content). */
  async validPart(layout: RunLayout, shard: number): Promise<ShardResult | undefined> {
    const checkpoint = await this.checkpoint(layout, shard);
    if (checkpoint === undefined) return undefined;
    for (const file of [checkpoint, ...twinFiles(checkpoint)]) {
      const found = await hashObject(this.store, file.file);
      if (found?.sha256 !== file.sha256) return undefined;
    }
    return checkpoint;
  }

  /** The shard's checkpoint as the store holds it, or undefined (none, not readable or not what its seal says: the shard is written again). */
  async checkpoint(layout: RunLayout, shard: number): Promise<ShardResult | undefined> {
    const checkpoint = await this.sealedObject<ShardResult>(layout.partCheckpointKey(shard));
    const usable =
      checkpoint !== undefined &&
      typeof checkpoint.file === 'string' &&
      typeof checkpoint.sha256 === 'string' &&
      Number.isInteger(checkpoint.records);
    return usable ? checkpoint : undefined;
  }

  /** The sealed JSON object at `key` as the store holds it, or undefined when there is none or it is not what its seal says. */
  async sealedObject<T>(key: string): Promise<T | undefined> {
    if ((await this.store.stat(key)) === undefined) return undefined;
    try {
      return parseSealedJson<T>((await this.store.read(key)).toString('utf8'));
    } catch (err) {
      if (err instanceof BrokenSeal) return undefined;
      throw err;
    }
  }
}
