import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
import { DamagedFile } from '../domain/errors';
import type { WorldUserState } from '../simulation/world-user-state';

/** One shard's users' state, one JSON line per user, gzipped; returns its sha256 for the checkpoint. */
export function writeStateFile(filePath: string, states: readonly WorldUserState[]): { bytes: number; sha256: string } {
  const text = states.map((s) => JSON.stringify(s)).join('\n') + '\n';
  return writeFileAtomic(filePath, zlib.gzipSync(text));
}

/** The states of a shard file, checked against the sha256 its checkpoint recorded (DamagedFile naming `repair` otherwise). */
export function readStateFile(filePath: string, sha256: string, repair: string): WorldUserState[] {
  if (!fs.existsSync(filePath)) throw new DamagedFile(filePath, "the users' state file is missing", repair);
  const actual = sha256File(filePath);
  if (actual !== sha256)
    throw new DamagedFile(filePath, `the users' state file's sha256 is ${actual}, its checkpoint recorded ${sha256}`, repair);
  return zlib
    .gunzipSync(fs.readFileSync(filePath))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WorldUserState);
}
