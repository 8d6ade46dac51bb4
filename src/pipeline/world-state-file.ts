import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { sha256File, writeFileAtomic } from '../runtime/atomic-file';
import type { WorldUserState } from '../simulation/world-user-state';

/** One shard's users' state, one JSON line per user, gzipped; returns its sha256 for the checkpoint. */
export function writeStateFile(filePath: string, states: readonly WorldUserState[]): { bytes: number; sha256: string } {
  const text = states.map((s) => JSON.stringify(s)).join('\n') + '\n';
  return writeFileAtomic(filePath, zlib.gzipSync(text));
}

/** The states of a shard file, checked against the sha256 its checkpoint recorded. */
export function readStateFile(filePath: string, sha256: string): WorldUserState[] {
  if (!fs.existsSync(filePath)) throw new Error(`the users' state ${filePath} is missing`);
  if (sha256File(filePath) !== sha256) throw new Error(`the users' state ${filePath} does not match its checkpoint's sha256`);
  return zlib
    .gunzipSync(fs.readFileSync(filePath))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as WorldUserState);
}
