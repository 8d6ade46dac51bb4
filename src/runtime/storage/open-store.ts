import { FolderStore } from './folder-store';
import type { ObjectStore } from './object-store';
import { isS3Location } from './s3-location';
import { S3Store } from './s3-store';

/**
 * The store a location names: s3://bucket/prefix (only under WRAPPED_ETL_S3_ALLOW; else an InputError
 * on `field`), or a folder path. Pool threads reopen a store by its location, as jobs carry only plain values.
 */
export function openStore(location: string, field = 'location'): ObjectStore {
  if (isS3Location(location)) return S3Store.open(field, location);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new Error(`${location}: no store for this scheme (folders and s3:// only)`);
  return new FolderStore(location);
}
