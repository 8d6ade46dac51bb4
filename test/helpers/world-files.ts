import { readManifest } from '../../src/pipeline/manifest';
import { runWorldDayJob } from '../../src/pipeline/world-day-job';
import { WorldLayout } from '../../src/pipeline/world-layout';
import type { RunDayShards } from '../../src/pipeline/world-store';
import { sha256File } from '../../src/runtime/atomic-file';

/**
 * sha256 of every AVRO part file (and each day's manifest with `manifests`) of a world's complete days,
 * by key from the world folder (the day's manifest under `dt=DAY/manifest`); parts are checked against their manifest.
 */
export function worldDayHashes(dir: string, opts: { manifests?: boolean } = {}): Record<string, string> {
  const layout = new WorldLayout(dir);
  const out: Record<string, string> = {};
  for (const day of layout.completeDays()) {
    const dayLayout = layout.day(day);
    if (opts.manifests) out[`dt=${day}/manifest`] = sha256File(dayLayout.manifestPath);
    for (const part of readManifest(dayLayout.manifestPath).parts) {
      const sha256 = sha256File(dayLayout.pathOf(part.file));
      if (sha256 !== part.sha256) throw new Error(`${part.file} of ${day} does not match its manifest`);
      out[`dt=${day}/${part.file.split('/').pop()}`] = sha256;
    }
  }
  return out;
}

/** A world day's shard jobs run one after another in this thread, without a pool. */
export const dayShardsInThread: RunDayShards = async (jobs) => {
  const out = [];
  for (const job of jobs) out.push(await runWorldDayJob(job));
  return out;
};
