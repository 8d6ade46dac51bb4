import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { AtomicFile } from '../atomic-file';
import type { ObjectStore } from './object-store';

/** bytes read from a local file per write to a store writer */
const CHUNK_BYTES = 1 << 20;

/**
 * Streams the local file `file` to `key` of `store` (a staging file a pool thread wrote, to its final place);
 * the object appears only once whole. With `sha256`, fails leaving nothing under `key` when the bytes read do
 * not hash to it (the file changed or was damaged since its checkpoint).
 */
export async function uploadFile(
  store: ObjectStore,
  key: string,
  file: string,
  sha256?: string,
): Promise<{ bytes: number; sha256: string }> {
  const writer = await store.writer(key);
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const hash = crypto.createHash('sha256');
    const fd = await fs.promises.open(file, 'r');
    try {
      for (;;) {
        const { bytesRead } = await fd.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        hash.update(chunk.subarray(0, bytesRead));
        await writer.write(chunk.subarray(0, bytesRead));
      }
    } finally {
      await fd.close();
    }
    // checked before commit, which makes the object visible
    const read = hash.digest('hex');
    if (sha256 !== undefined && read !== sha256) {
      throw new Error(`${file} hashes to ${read}, not ${sha256}: not uploading it as ${store.location}: ${key}`);
    }
    return await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** Copies `key` of `store` to the local file `file` (temporary name, then rename); returns its size and sha256. */
export async function downloadFile(store: ObjectStore, key: string, file: string): Promise<{ bytes: number; sha256: string }> {
  const out = new AtomicFile(file);
  try {
    for await (const chunk of store.readStream(key)) out.write(chunk as Buffer);
    return out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

/** The size and sha256 of `key` in `store`, streamed (never whole in memory); undefined when there is no such object. */
export async function hashObject(store: ObjectStore, key: string): Promise<{ bytes: number; sha256: string } | undefined> {
  if ((await store.stat(key)) === undefined) return undefined;
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of store.readStream(key)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (err) {
    // deleted between the stat and the read: as good as never there
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}
