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

/**
 * An output place (a folder under the data root, or s3://bucket/prefix under WRAPPED_ETL_S3_ALLOW) with the
 * local folder its writers write into (`dir`): the folder itself, or a staging folder under the data root
 * whose finished files `publish` uploads (each appears only whole) and `drop` removes. For a folder, publish,
 * pull and drop have nothing to do.
 */
export class StagedPlace {
  private constructor(
    readonly dir: string,
    readonly store: ObjectStore,
    readonly staged: boolean,
  ) {}

  /** The place `location` names; an InputError on `field` when it lies outside the data root or the allowed buckets. */
  static of(dataRoot: string, field: string, location: string): StagedPlace {
    if (!isS3Location(location)) {
      const dir = confineUnderRoot(dataRoot, field, location);
      return new StagedPlace(dir, new FolderStore(dir), false);
    }
    const loc = confineS3Location(field, location);
    const staging = path.join(STAGING_DIR, loc.bucket, ...(loc.prefix === '' ? [] : loc.prefix.split('/')));
    return new StagedPlace(confineUnderRoot(dataRoot, field, staging), new S3Store(loc), true);
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

  /** Uploads the staged files of `keys` (written whole in dir) to the store. */
  async publish(keys: string[]): Promise<void> {
    if (!this.staged) return;
    for (const key of keys) await uploadFile(this.store, key, this.pathOf(key));
  }

  /** Copies the store's objects of `keys` into the staging folder; absent keys are skipped. */
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
}
