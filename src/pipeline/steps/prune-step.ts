import * as fs from 'node:fs';
import * as path from 'node:path';
import { prunableGenerations, scheduledTimeOf } from '../generations';
import { verifyRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { RunRef } from './step-refs';

/**
 * Deletes the schedule's complete generations (siblings <schedule>-YYYYMMDDTHHMMSSZ with a
 * manifest) scheduled more than keepDays before this run; schedule and keepDays are
 * the run's validated params, its date is its own folder name.
 */
export async function pruneStep(deps: GenerationStepDeps, ref: RunRef): Promise<{ deleted: string[] }> {
  await verifyRunRef(deps, ref);
  const { schedule, keepDays, runId } = ref.params;
  const runAt = schedule ? scheduledTimeOf(runId, schedule) : undefined;
  if (!schedule || !keepDays || !runAt) return { deleted: [] };
  const parent = path.dirname(ref.runDir);
  const deleted = prunableGenerations(parent, schedule, runAt, keepDays).filter((dir) => dir !== ref.runDir);
  for (const dir of deleted) fs.rmSync(dir, { recursive: true, force: true });
  deps.log.child({ runId, step: 'prune' }).info({ deleted: deleted.map((d) => path.basename(d)), keepDays }, 'old generations pruned');
  return { deleted };
}
