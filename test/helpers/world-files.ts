import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorldLayout } from '../../src/pipeline/world-layout';
import { sha256File } from '../../src/runtime/atomic-file';

/** sha256 of every part file (and manifest.json with `manifests`) of a world's complete days, by path from the world folder. */
export function worldDayHashes(dir: string, opts: { manifests?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const day of new WorldLayout(dir).completeDays()) {
    const dayDir = path.join(dir, `dt=${day}`);
    for (const f of fs.readdirSync(dayDir).filter((f) => f.endsWith('.avro') || (opts.manifests && f === 'manifest.json'))) {
      out[`dt=${day}/${f}`] = sha256File(path.join(dayDir, f));
    }
  }
  return out;
}
