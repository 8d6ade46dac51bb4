import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { AtomicFile, isTempName } from '../atomic-file';
import { storeKeyProblem, type ObjectStore, type ObjectWriter } from './object-store';

/**
 * An ObjectStore over a folder on disk: a key is a path below `root`. Objects appear under
 * their key only when complete (AtomicFile: temporary name, fsync, rename), so a listing
 * never shows a writer's temporary file.
 */
export class FolderStore implements ObjectStore {
  constructor(readonly location: string) {}

  /** The file of `key`; refuses keys that could leave the folder (storeKeyProblem). */
  pathOf(key: string): string {
    const problem = storeKeyProblem(key);
    if (problem) throw new Error(`object key ${JSON.stringify(key)} ${problem} (store ${this.location})`);
    return path.join(this.location, ...key.split('/'));
  }

  async read(key: string): Promise<Buffer> {
    const file = this.pathOf(key);
    try {
      return await fs.promises.readFile(file);
    } catch (err) {
      throw this.readError(key, err as NodeJS.ErrnoException);
    }
  }

  readStream(key: string): Readable {
    return fs.createReadStream(this.pathOf(key));
  }

  async stat(key: string): Promise<{ bytes: number; version: string } | undefined> {
    const st = await fs.promises.stat(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw err;
    });
    return st?.isFile() ? { bytes: st.size, version: `${st.mtimeMs}` } : undefined;
  }

  async list(prefix: string): Promise<string[]> {
    // walk only the folder the prefix names (up to its last '/'); keys are then matched as strings
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = dirKey === '' ? this.location : this.pathOf(dirKey);
    const keys: string[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
        throw err;
      }
      for (const e of entries) {
        if (isTempName(e.name)) continue;
        const key = keyPrefix + e.name;
        if (e.isDirectory()) {
          if (prefix.startsWith(`${key}/`) || `${key}/`.startsWith(prefix)) await walk(path.join(dir, e.name), `${key}/`);
        } else if (e.isFile() && key.startsWith(prefix)) keys.push(key);
      }
    };
    await walk(start, dirKey === '' ? '' : `${dirKey}/`);
    return keys.sort();
  }

  async writer(key: string): Promise<ObjectWriter> {
    const file = new AtomicFile(this.pathOf(key));
    return {
      write: async (chunk) => file.write(chunk),
      commit: async () => file.commit(),
      abort: async () => file.abort(),
    };
  }

  async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    const final = this.pathOf(key);
    if (fs.existsSync(final)) return false;
    const file = new AtomicFile(final);
    try {
      file.write(data);
    } catch (err) {
      file.abort();
      throw err;
    }
    return file.commitIfAbsent() !== undefined;
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.pathOf(key), { force: true });
  }

  private readError(key: string, err: NodeJS.ErrnoException): Error {
    const where = `${this.location}: ${key}`;
    if (err.code === 'ENOENT') return new Error(`no object ${where}`, { cause: err });
    if (err.code === 'EISDIR') return new Error(`${where} is a folder, not an object`, { cause: err });
    return new Error(`cannot read ${where}: ${err.message}`, { cause: err });
  }
}
