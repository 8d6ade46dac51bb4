import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../atomic-file';
import { confineUnderRoot } from '../data-root';
import { FolderStore } from './folder-store';
import type { ObjectStore } from './object-store';
import { confineS3Location, isS3Location } from './s3-location';
import { S3Store } from './s3-store';
import { downloadFile, uploadFile } from './store-files';

/** The folder under the data root where a worker stages what it writes to a bucket: STAGING_DIR/bucket/prefix. */
export const STAGING_DIR = '_s3-staging';

/** A file to publish: its key, and the sha256 its staged bytes must hash to when known. */
export type StagedFile = string | { key: string; sha256?: string };

const keyOf = (file: StagedFile) => (typeof file === 'string' ? file : file.key);

/** staged files found to hash as expected, by path, with the identity (inode, size, mtime) they had then: a replaced file is hashed again */
const checkedFiles = new Map<string, string>();
/** stageChecked downloads in flight, by local path */
const downloads = new Map<string, Promise<boolean>>();

/** Whether `file` hashes to `sha256` (hashed once per version of the file in this process). */
function checkedCopy(file: string, sha256: string): boolean {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) return false;
  const identity = `${st.ino}:${st.size}:${st.mtimeMs}:${sha256}`;
  if (checkedFiles.get(file) === identity) return true;
  if (sha256File(file) !== sha256) return false;
  checkedFiles.set(file, identity);
  return true;
}

/**
 * An output place (a folder under the data root, or s3://bucket/prefix under WRAPPED_ETL_S3_ALLOW) with the
 * local folder its writers write into (`dir`): the folder itself, or a staging folder under the data root
 * whose finished files `publish` uploads (each appears only whole) and `drop` removes. For a folder, publish,
 * pull, drop and finish have nothing to do.
 */
export class StagedPlace {
  protected constructor(
    readonly dir: string,
    readonly store: ObjectStore,
    /** dir is only a staging copy; the store is the place */
    readonly staged: boolean,
    /** the data root's staging folder (STAGING_DIR), for a staged place */
    private readonly stagingRoot?: string,
  ) {}

  /** The place `location` names; an InputError on `field` when it lies outside the data root or the allowed buckets. */
  static of(dataRoot: string, field: string, location: string): StagedPlace {
    if (!isS3Location(location)) {
      const dir = confineUnderRoot(dataRoot, field, location);
      return new StagedPlace(dir, new FolderStore(dir), false);
    }
    return new StagedPlace(...StagedPlace.bucketParts(dataRoot, field, location));
  }

  /** The constructor arguments of the bucket place `location` (after confineS3Location), staged under the data root. */
  protected static bucketParts(dataRoot: string, field: string, location: string): [string, ObjectStore, boolean, string] {
    const loc = confineS3Location(field, location);
    const staging = path.join(STAGING_DIR, loc.bucket, ...(loc.prefix === '' ? [] : loc.prefix.split('/')));
    return [confineUnderRoot(dataRoot, field, staging), new S3Store(loc), true, confineUnderRoot(dataRoot, field, STAGING_DIR)];
  }

  /** the place as a user names it: its folder, or s3://bucket/prefix */
  get location(): string {
    return this.staged ? this.store.location : this.dir;
  }

  /** the local file of `key` */
  pathOf(key: string): string {
    return new FolderStore(this.dir).pathOf(key);
  }

  /** how a user names the object of `key`: its file, or its s3:// URL */
  nameOf(key: string): string {
    return this.staged ? `${this.store.location}/${key}` : this.pathOf(key);
  }

  /**
   * Makes the staged files (written whole in dir) the store's, in order, each checked against its `sha256`
   * when given; `drop` removes the staged copies once uploaded, `onlyMissing` skips keys the store holds.
   */
  async publish(files: StagedFile[], opts: { drop?: boolean; onlyMissing?: boolean } = {}): Promise<void> {
    if (!this.staged) return;
    for (const file of files) {
      const key = keyOf(file);
      if (opts.onlyMissing && (await this.store.stat(key)) !== undefined) continue;
      await uploadFile(this.store, key, this.pathOf(key), typeof file === 'string' ? undefined : file.sha256);
    }
    if (opts.drop) this.drop(files.map(keyOf));
  }

  /**
   * Copies the store's objects of `keys` into the staging folder (an earlier attempt's, maybe another worker's);
   * absent keys are skipped, and with `onlyMissing` so are keys staged here already (checked by their readers).
   */
  async pull(keys: string[], opts: { onlyMissing?: boolean } = {}): Promise<void> {
    if (!this.staged) return;
    for (const key of keys) {
      if (opts.onlyMissing && fs.existsSync(this.pathOf(key))) continue;
      if ((await this.store.stat(key)) === undefined) continue;
      fs.mkdirSync(path.dirname(this.pathOf(key)), { recursive: true });
      await downloadFile(this.store, key, this.pathOf(key));
    }
  }

  /**
   * Makes the staged copy of `key` the bytes hashing to `sha256`: kept when it does, else downloaded from the
   * store and checked (a step on a worker that did not write it). False when neither here nor in the store
   * (for a folder place: when the file is missing);
   * fails naming the object when the store's does not hash to it. Concurrent calls for one file share one download.
   */
  async stageChecked(key: string, sha256: string): Promise<boolean> {
    const file = this.pathOf(key);
    // a folder place's file is the store's own: nothing to fetch (its readers check it)
    if (!this.staged) return fs.existsSync(file);
    if (checkedCopy(file, sha256)) return true;
    let staging = downloads.get(file);
    if (!staging) {
      staging = this.download(key, file, sha256).finally(() => downloads.delete(file));
      downloads.set(file, staging);
    }
    return staging;
  }

  private async download(key: string, file: string, sha256: string): Promise<boolean> {
    if ((await this.store.stat(key)) === undefined) return false;
    const got = await downloadFile(this.store, key, file);
    if (got.sha256 !== sha256) {
      fs.rmSync(file, { force: true });
      throw new Error(`${this.nameOf(key)} hashes to ${got.sha256}, not ${sha256} as the run recorded`);
    }
    checkedCopy(file, sha256);
    return true;
  }

  /** Removes the staged copies of `keys` (the store's objects stay). */
  drop(keys: string[]): void {
    if (!this.staged) return;
    for (const key of keys) fs.rmSync(this.pathOf(key), { force: true });
  }

  /**
   * Removes the staging folder and the folders above it that it leaves empty, up to and with STAGING_DIR
   * (the place is complete in its bucket). A folder another place still stages into is not empty and stays.
   */
  finish(): void {
    if (!this.staged || this.stagingRoot === undefined) return;
    fs.rmSync(this.dir, { recursive: true, force: true });
    for (let dir = path.dirname(this.dir); dir.startsWith(this.stagingRoot); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch (err) {
        // not empty: what is above it is not empty either
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return;
      }
      if (dir === this.stagingRoot) return;
    }
  }
}
