import * as fs from 'node:fs';
import * as path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { resourceLimits, threadId } from 'node:worker_threads';
import { threadJob } from '../../src/runtime/thread-job';

/** Set by a test: each thread that loads this module leaves a file `loaded-by-<threadId>` in that folder. */
export const MARK_DIR_ENV = 'WRAPPED_ETL_TEST_THREAD_MARKS';

const marks = process.env[MARK_DIR_ENV];
if (marks) fs.writeFileSync(path.join(marks, `loaded-by-${threadId}`), '');

/** A thread job that answers the id of the thread it ran on. */
export function runOnThread(): number {
  return threadId;
}
export const whichThreadJob = threadJob<null, never, number>(__filename, runOnThread);

/** A thread job that answers the resource limits and young-generation size of the thread it ran on. */
export function limitsOnThread(): { maxYoungGenerationSizeMb?: number; newSpaceMb: number } {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return { maxYoungGenerationSizeMb: resourceLimits.maxYoungGenerationSizeMb, newSpaceMb: (space?.space_size ?? 0) / 2 ** 20 };
}
export const threadLimitsJob = threadJob<null, never, ReturnType<typeof limitsOnThread>>(__filename, limitsOnThread);
