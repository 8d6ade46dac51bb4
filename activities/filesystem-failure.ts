import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { shardCount, type GenerationParams } from '../src/config/generation-input';
import { RunLayout } from '../src/pipeline/run-layout';
import { finalPathOf } from '../src/runtime/atomic-file';

/** Errors no retry fixes without someone acting first: a full disk, a read-only or forbidden folder. */
const PERMANENT = ['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM'] as const;

/** The code of a permanent filesystem error, also when a pool thread passed it on as text only. */
function permanentCode(err: unknown): (typeof PERMANENT)[number] | undefined {
  const e = err as { code?: string; message?: string };
  return PERMANENT.find(
    (code) =>
      e?.code === code || (typeof e?.message === 'string' && e.message.startsWith(`${code}:`)) || e?.message?.includes(` ${code}: `),
  );
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

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

/** The file a filesystem error is about: its own path, or the one its message quotes ("open '/x/y'"). */
function failedPath(err: unknown): string | undefined {
  const e = err as { path?: unknown; message?: unknown };
  if (typeof e?.path === 'string') return e.path;
  return typeof e?.message === 'string' ? /, \w+ '([^']+)'/.exec(e.message)?.[1] : undefined;
}

/** The mount point holding `file` (the longest mount that is a prefix of its real path), from /proc/self/mountinfo. */
function mountPointOf(file: string): string | undefined {
  let mounts: string[];
  try {
    mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((m): m is string => !!m)
      // mountinfo escapes spaces and the like as octal
      .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  } catch {
    return undefined;
  }
  const real = fs.realpathSync(file);
  return mounts
    .filter((m) => real === m || real.startsWith(m.endsWith('/') ? m : m + '/'))
    .reduce<string | undefined>((best, m) => (best === undefined || m.length > best.length ? m : best), undefined);
}

/** "filesystem /mnt/x: 0.0 MB free of 100.0 MB" for the filesystem holding `file` (or its nearest existing folder). */
export function filesystemSpace(file: string): string | undefined {
  let existing = path.resolve(file);
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    const st = fs.statfsSync(existing);
    const mount = mountPointOf(existing);
    return `${mount ? `filesystem ${mount}` : `the filesystem of ${existing}`}: ${mb(st.bavail * st.bsize)} free of ${mb(st.blocks * st.bsize)}`;
  } catch {
    return undefined;
  }
}

/**
 * A non-retryable failure saying what is wrong with the disk, where (the filesystem of the file
 * that could not be written, and its free space) and how to take the work up again, for errors
 * that retrying cannot fix; also for a damaged file (DamagedFile). Undefined for other errors.
 */
export function filesystemFailure(err: unknown, place: WritePlace): ApplicationFailure | undefined {
  if ((err as Error)?.name === 'DamagedFile') return ApplicationFailure.nonRetryable((err as Error).message, 'DamagedFile');
  const code = permanentCode(err);
  if (!code) return undefined;
  const failed = failedPath(err);
  // a file is written under a hidden temporary name: the user knows it by its final one
  const where = (failed && finalPathOf(failed)) ?? place.folder ?? '(the data root)';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const space = filesystemSpace(where);
    const rest = place.folder && place.params ? remainingBytes(place.folder, place.params) : undefined;
    const need = rest ? `; the run needs about ${mb(rest.bytes)} more for its ${rest.parts} remaining parts` : '';
    const what = code === 'ENOSPC' ? 'the disk is full' : 'the disk quota is used up';
    return ApplicationFailure.nonRetryable(
      `${what}: no space left to write ${where}${space ? ` (${space})` : ''}${need}. Free space there, ${place.resume}. (${(err as Error).message})`,
      'DiskFull',
    );
  }
  return ApplicationFailure.nonRetryable(
    `cannot write ${where}: ${(err as Error).message}; fix the folder's permissions or mount, ${place.resume}`,
    'NotWritable',
  );
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
