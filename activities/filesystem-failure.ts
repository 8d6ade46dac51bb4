import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { shardCount, type GenerationParams } from '../src/config/generation-input';
import { RunLayout } from '../src/pipeline/run-layout';
import { diskFailure, mb } from '../src/runtime/disk-failure';

/** What the rest of a generation will write, from the parts done so far; undefined before the first. */
function remainingBytes(runDir: string, params: GenerationParams): { bytes: number; parts: number } | undefined {
  const dir = path.dirname(new RunLayout(runDir).partCheckpointPath(0));
  let done = 0;
  let sum = 0;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    try {
      sum += (JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { bytes: number }).bytes;
      done++;
    } catch {
      // a torn checkpoint counts as not done
    }
  }
  if (done === 0) return undefined;
  const parts = Math.max(0, shardCount(params) - done);
  return { bytes: Math.ceil((sum / done) * parts), parts };
}

/** Where an activity writes and how its work is taken up again once the disk is fixed. */
export interface WritePlace {
  /** the run or world folder the activity writes (a file's own path wins when the error names one) */
  folder?: string;
  /** what to do once the disk is fixed: "then resume the run (...)" */
  resume: string;
  /** a generation's params: its full-disk message says the space its remaining parts need */
  params?: GenerationParams;
}

/**
 * A non-retryable failure saying what is wrong with the disk, where (the filesystem of the file
 * that could not be written, and its free space) and how to take the work up again, for errors
 * that retrying cannot fix; also for a damaged file (DamagedFile). Undefined for other errors.
 */
export function filesystemFailure(err: unknown, place: WritePlace): ApplicationFailure | undefined {
  if ((err as Error)?.name === 'DamagedFile') return ApplicationFailure.nonRetryable((err as Error).message, 'DamagedFile');
  const failure = diskFailure(err, {
    folder: place.folder ?? '(the data root)',
    resume: place.resume,
    need: () => {
      const rest = place.folder && place.params ? remainingBytes(place.folder, place.params) : undefined;
      return rest ? `; the run needs about ${mb(rest.bytes)} more for its ${rest.parts} remaining parts` : '';
    },
  });
  return failure && ApplicationFailure.nonRetryable(failure.message, failure.type);
}

/** The activities, each failing at once with filesystemFailure's message on a full disk, an unwritable folder or a damaged file. */
export function failFastOnFilesystem<T extends Record<string, (arg: never) => Promise<unknown>>>(
  activities: T,
  placeOf: (arg: unknown) => WritePlace,
): T {
  const wrapped: Record<string, (arg: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (arg: never) => {
      try {
        return await fn(arg);
      } catch (err) {
        throw filesystemFailure(err, placeOf(arg)) ?? err;
      }
    };
  }
  return wrapped as T;
}
