import * as fs from 'node:fs';
import * as path from 'node:path';
import { confineUnderRoot, resolveRunDir } from '../runtime/data-root';
import { FolderStore } from '../runtime/storage/folder-store';
import type { ObjectStore } from '../runtime/storage/object-store';
import { isS3Location, parseS3Location, s3Child, s3LocationText } from '../runtime/storage/s3-location';
import { S3Store } from '../runtime/storage/s3-store';
import { STAGING_DIR } from '../runtime/storage/staged-place';
import { downloadFile, hashObject, uploadFile } from '../runtime/storage/store-files';
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
export class RunPlace {
  private constructor(
    readonly runDir: string,
    readonly store: ObjectStore,
    /** runDir is only a staging copy; the store is the run */
    readonly staged: boolean,
  ) {}

  /**
   * The place of run `runId` under `out` (a folder under the data root, or an s3:// location under the
   * worker's WRAPPED_ETL_S3_ALLOW): an InputError on `out` or `runId` otherwise.
   */
  static of(dataRoot: string, out: string, runId: string): RunPlace {
    if (!isS3Location(out)) {
      const runDir = resolveRunDir(dataRoot, out, runId);
      return new RunPlace(runDir, new FolderStore(runDir), false);
    }
    const location = s3Child(parseS3Location('out', out), runId);
    const store = S3Store.open('out', s3LocationText(location));
    const staging = path.join(STAGING_DIR, location.bucket, ...location.prefix.split('/'));
    return new RunPlace(confineUnderRoot(dataRoot, 'out', staging), store, true);
  }

  /** the run as a user names it: its folder, or s3://bucket/prefix/runId */
  get location(): string {
    return this.staged ? this.store.location : this.runDir;
  }

  /** how a user names the file of `key` (a path, or an s3:// URL) */
  nameOf(key: string): string {
    return this.staged ? `${this.store.location}/${key}` : new RunLayout(this.runDir).pathOf(key);
  }

  /**
   * Makes the staged files of `keys` (keys of this run's layout, written whole in runDir) the store's, in
   * order, each checked against its `sha256` when given; `drop` removes the staged copies once uploaded,
   * `onlyMissing` skips keys the store holds. For a folder run the files are in place already.
   */
  async publish(files: { key: string; sha256?: string }[], opts: { drop?: boolean; onlyMissing?: boolean } = {}): Promise<void> {
    if (!this.staged) return;
    const layout = new RunLayout(this.runDir, 'formats');
    for (const { key, sha256 } of files) {
      if (opts.onlyMissing && (await this.store.stat(key)) !== undefined) continue;
      await uploadFile(this.store, key, layout.pathOf(key), sha256);
    }
    if (opts.drop) for (const { key } of files) fs.rmSync(layout.pathOf(key), { force: true });
  }

  /** Copies the store's objects of `keys` into the staging folder (a resume, maybe on another worker); absent keys are skipped. */
  async pull(keys: string[]): Promise<void> {
    if (!this.staged) return;
    const layout = new RunLayout(this.runDir, 'formats');
    for (const key of keys) {
      if ((await this.store.stat(key)) === undefined) continue;
      fs.mkdirSync(path.dirname(layout.pathOf(key)), { recursive: true });
      await downloadFile(this.store, key, layout.pathOf(key));
    }
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
    const key = layout.partCheckpointKey(shard);
    if ((await this.store.stat(key)) === undefined) return undefined;
    try {
      const checkpoint = parseSealedJson<ShardResult>((await this.store.read(key)).toString('utf8'));
      const usable = typeof checkpoint.file === 'string' && typeof checkpoint.sha256 === 'string' && Number.isInteger(checkpoint.records);
      return usable ? checkpoint : undefined;
    } catch (err) {
      if (err instanceof BrokenSeal) return undefined;
      throw err;
    }
  }
}
