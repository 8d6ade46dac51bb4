import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { threadId } from 'node:worker_threads';
import { processAlive } from './process-alive';

/**
 * A file written under a temporary name and renamed to its final name only once
 * complete and fsynced, so a crash never leaves a partial file under the final name.
 * A dead writer's temporary files of the same final name go first. Tracks byte count
 * and sha256 of everything written.
 */
export class AtomicFile {
  readonly tempPath: string;
  private fd: number;
  private readonly hash = crypto.createHash('sha256');
  private written = 0;

  constructor(readonly finalPath: string) {
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    removeStaleTempFiles(finalPath);
    this.tempPath = tempPathOf(finalPath);
    this.fd = fs.openSync(this.tempPath, 'wx');
    openTempFiles.add(this.tempPath);
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    try {
      while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (err) {
      // a write's error names no file: a full disk's failure names the filesystem of this one
      (err as NodeJS.ErrnoException).path ??= this.tempPath;
      throw err;
    }
    this.hash.update(chunk);
    this.written += chunk.length;
  }

  get bytes(): number {
    return this.written;
  }

  /** fsync, close, rename into place; returns size and sha256 (hex). */
  commit(): { bytes: number; sha256: string } {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
    fs.renameSync(this.tempPath, this.finalPath);
    openTempFiles.delete(this.tempPath);
    fsyncDir(path.dirname(this.finalPath));
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  /**
   * fsync, close, and link into place only when nothing is at the final path yet (link fails
   * where rename would replace); the temporary name goes either way. Returns size and sha256,
   * or undefined when the final path was taken.
   */
  commitIfAbsent(): { bytes: number; sha256: string } | undefined {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = -1;
    try {
      fs.linkSync(this.tempPath, this.finalPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      return undefined;
    } finally {
      fs.rmSync(this.tempPath, { force: true });
      openTempFiles.delete(this.tempPath);
    }
    fsyncDir(path.dirname(this.finalPath));
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  abort(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(this.tempPath, { force: true });
    openTempFiles.delete(this.tempPath);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // some filesystems do not allow fsync on a directory; the rename is still atomic
  }
}

export function writeFileAtomic(finalPath: string, data: string | Uint8Array): { bytes: number; sha256: string } {
  const file = new AtomicFile(finalPath);
  try {
    file.write(typeof data === 'string' ? Buffer.from(data) : data);
    return file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}

/**
 * A folder filled under a temporary name beside its final one and renamed into place
 * by commit(), so a crash never leaves a half-filled folder under the final name.
 * An existing folder of the final name is replaced; a dead writer's temporary folders go first.
 */
export class AtomicDir {
  readonly tempPath: string;

  constructor(readonly finalPath: string) {
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    removeStaleTempFiles(finalPath);
    this.tempPath = tempPathOf(finalPath);
    fs.mkdirSync(this.tempPath);
  }

  /** Writes one file at `relPath` inside the folder. */
  writeFile(relPath: string, data: Uint8Array): void {
    const file = path.join(this.tempPath, relPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'wx');
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  commit(): void {
    const old = `${this.tempPath}.old`;
    const replacing = fs.existsSync(this.finalPath);
    if (replacing) fs.renameSync(this.finalPath, old);
    fs.renameSync(this.tempPath, this.finalPath);
    fsyncDir(path.dirname(this.finalPath));
    if (replacing) fs.rmSync(old, { recursive: true, force: true });
  }

  abort(): void {
    fs.rmSync(this.tempPath, { recursive: true, force: true });
  }
}

export function sha256Of(data: string | Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export function sha256File(filePath: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(filePath, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Whose a temporary file is: .<final name>.<host>-<pid>-<thread>-<random>.tmp beside the final name, so that only
 * a dead writer's files are ever removed (see removeStaleTempFiles). The leading dot hides it from the engines
 * that read a folder as a dataset (Spark, Hadoop, pyarrow skip names starting with '.' or '_').
 */
const HOST_TAG = sha256Of(os.hostname()).slice(0, 8);
const WRITER_TAG = `${HOST_TAG}-${process.pid}-${threadId}`;
const TEMP_NAME = /\.([0-9a-f]{8})-(\d+)-(\d+)-[0-9a-f]{8}\.tmp$/;

function tempPathOf(finalPath: string): string {
  const name = `.${path.basename(finalPath)}.${WRITER_TAG}-${crypto.randomBytes(4).toString('hex')}.tmp`;
  return path.join(path.dirname(finalPath), name);
}

/** Temporary files this thread is writing now. */
const openTempFiles = new Set<string>();
/** Threads of this process that run jobs now (set by the pool with each job); undefined when unknown. */
let liveThreads: ReadonlySet<number> | undefined;

export function setLiveThreads(ids: readonly number[]): void {
  liveThreads = new Set(ids);
}

/** True when the writer a temporary file's name records is gone: its process, or its pool thread, has ended. */
function writerDead(tempPath: string): boolean {
  const m = TEMP_NAME.exec(tempPath);
  if (!m || m[1] !== HOST_TAG) return false; // another machine's writer, or an unknown one: not ours to judge
  const [pid, thread] = [Number(m[2]), Number(m[3])];
  if (pid !== process.pid) return !processAlive(pid);
  if (thread === threadId) return !openTempFiles.has(tempPath);
  return liveThreads !== undefined && !liveThreads.has(thread);
}

/** True when `name` is a temporary file name of this module's writers (never a complete file). */
export function isTempName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** The final path a temporary file is written for (`dir/.part-1.avro.<writer>.tmp` -> `dir/part-1.avro`); others as they are. */
export function finalPathOf(file: string): string {
  const name = path.basename(file);
  if (!TEMP_NAME.test(name)) return file;
  return path.join(path.dirname(file), name.replace(TEMP_NAME, '').replace(/^\./, ''));
}

/** Deletes the temporary files for this final path that a dead attempt left; a live writer's stay. */
export function removeStaleTempFiles(finalPath: string): void {
  const dir = path.dirname(finalPath);
  // earlier versions named them without the leading dot
  const prefixes = [`.${path.basename(finalPath)}.`, `${path.basename(finalPath)}.`];
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    // a folder built aside (AtomicDir) goes with its contents
    if (prefixes.some((p) => name.startsWith(p)) && name.endsWith('.tmp') && writerDead(path.join(dir, name)))
      fs.rmSync(path.join(dir, name), { force: true, recursive: true });
  }
}
