import * as fs from 'node:fs';
import { AtomicFile, writeFileAtomic } from '../runtime/atomic-file';
import type { UserProfile } from '../simulation/user-profile';

/**
 * Users of a run as JSON lines, plus an offsets file holding, for each shard k, the
 * byte offset of its first user (8 bytes each, one more at the end), so a shard
 * reads just its own users in O(shard size).
 */
export function writeUsersFile(
  linesPath: string,
  offsetsPath: string,
  shards: number,
  usersOfShard: (shard: number) => Iterable<UserProfile>,
): { users: number; bytes: number; sha256: string; offsetsSha256: string } {
  const lines = new AtomicFile(linesPath);
  const offsets = Buffer.alloc(8 * (shards + 1));
  let users = 0;
  try {
    for (let shard = 0; shard < shards; shard++) {
      offsets.writeDoubleLE(lines.bytes, 8 * shard);
      const chunk: string[] = [];
      for (const user of usersOfShard(shard)) {
        chunk.push(JSON.stringify(user));
        users++;
      }
      if (chunk.length) lines.write(Buffer.from(chunk.join('\n') + '\n'));
    }
    offsets.writeDoubleLE(lines.bytes, 8 * shards);
    const { sha256: offsetsSha256 } = writeFileAtomic(offsetsPath, offsets);
    const { bytes, sha256 } = lines.commit();
    return { users, bytes, sha256, offsetsSha256 };
  } catch (err) {
    lines.abort();
    throw err;
  }
}

export function readUsersOfShard(linesPath: string, offsetsPath: string, shard: number): UserProfile[] {
  const range = Buffer.alloc(16);
  const ofd = fs.openSync(offsetsPath, 'r');
  try {
    if (fs.readSync(ofd, range, 0, 16, 8 * shard) !== 16) throw new Error(`${offsetsPath} has no entry for shard ${shard}`);
  } finally {
    fs.closeSync(ofd);
  }
  const start = range.readDoubleLE(0);
  const end = range.readDoubleLE(8);
  const buf = Buffer.alloc(end - start);
  const fd = fs.openSync(linesPath, 'r');
  try {
    fs.readSync(fd, buf, 0, buf.length, start);
  } finally {
    fs.closeSync(fd);
  }
  return buf
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as UserProfile);
}
