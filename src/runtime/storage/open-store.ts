import { FolderStore } from './folder-store';
import type { ObjectStore } from './object-store';

/**
 * The store a location names: a folder path, or s3://bucket/prefix once an S3 store is
 * registered. Pool threads reopen a store by its location, as jobs carry only plain values.
 */
export function openStore(location: string): ObjectStore {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) throw new Error(`${location}: no store for this scheme here (folders only)`);
  return new FolderStore(location);
}
