import type { ObjectStore } from '../runtime/storage/object-store';

/**
 * A manifest's names, preferred first: `_manifest.json` (runs written since the engine-ready
 * layout, which dataset readers skip by its '_') and `manifest.json` (earlier runs).
 */
export const MANIFEST_NAMES = ['_manifest.json', 'manifest.json'] as const;

/** The key of the manifest in `folder` (a key prefix without the trailing '/', '' for the root), or undefined when it has none. */
export async function findManifestKey(store: ObjectStore, folder = ''): Promise<string | undefined> {
  for (const name of MANIFEST_NAMES) {
    const key = folder ? `${folder}/${name}` : name;
    if (await store.stat(key)) return key;
  }
  return undefined;
}
