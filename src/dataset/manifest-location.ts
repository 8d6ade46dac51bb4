import { MANIFEST_NAMES } from '../pipeline/run-layout';
import type { ObjectStore } from '../runtime/storage/object-store';

/** The key of the manifest in `folder` (a key prefix without the trailing '/', '' for the root), or undefined when it has none. */
export async function findManifestKey(store: ObjectStore, folder = ''): Promise<string | undefined> {
  for (const name of MANIFEST_NAMES) {
    const key = folder ? `${folder}/${name}` : name;
    if (await store.stat(key)) return key;
  }
  return undefined;
}
