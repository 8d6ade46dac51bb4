import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';

/**
 * A file written under a temporary name and renamed to its final name only once
 * complete and fsynced, so a crash never leaves a partial file under the final name.
 * Tracks byte count and sha256 of everything written.
 */
export class AtomicFile {
  readonly tempPath: string;
  private fd: number;
  private readonly hash = crypto.createHash('sha256');
  private written = 0;

  constructor(readonly finalPath: string) {
    fs.mkdirSync(path.dirname(finalPath), { recursive: true });
    this.tempPath = `${finalPath}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    this.fd = fs.openSync(this.tempPath, 'w');
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) off += fs.writeSync(this.fd, chunk, off, chunk.length - off);
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
    fsyncDir(path.dirname(this.finalPath));
    return { bytes: this.written, sha256: this.hash.digest('hex') };
  }

  abort(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(this.tempPath, { force: true });
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

/** Deletes temporary files a crashed earlier attempt left for this final path. */
export function removeStaleTempFiles(finalPath: string): void {
  const dir = path.dirname(finalPath);
  const prefix = `${path.basename(finalPath)}.`;
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(prefix) && name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  }
}
