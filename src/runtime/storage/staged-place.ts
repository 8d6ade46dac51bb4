import * as fs from 'node:fs';
import * as path from 'node:path';
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

  /** Copies the store's objects of `keys` into the staging folder (an earlier attempt's, maybe another worker's); absent keys are skipped. */
  async pull(keys: string[]): Promise<void> {
    if (!this.staged) return;
    for (const key of keys) {
      if ((await this.store.stat(key)) === undefined) continue;
      fs.mkdirSync(path.dirname(this.pathOf(key)), { recursive: true });
      await downloadFile(this.store, key, this.pathOf(key));
    }
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
