import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { shardCount, type GenerationParams } from '../src/config/generation-input';
import { RunLayout } from '../src/pipeline/run-layout';

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

/**
 * A non-retryable failure saying what is wrong with the disk, where, and how much space
 * the run still needs, for errors that retrying cannot fix; undefined for other errors.
 */
export function filesystemFailure(err: unknown, ref?: { runDir?: string; params?: GenerationParams }): ApplicationFailure | undefined {
  const code = permanentCode(err);
  if (!code) return undefined;
  const where = ref?.runDir ?? '(the data root)';
  const resume = 'then resume the run (wrapped-etl resume WORKFLOW_ID, or start it with "resume")';
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    let free = '';
    try {
      const st = fs.statfsSync(fs.existsSync(where) ? where : path.dirname(where));
      free = `; ${mb(st.bavail * st.bsize)} free of ${mb(st.blocks * st.bsize)}`;
    } catch {
      // the folder is gone: say what we know
    }
    const rest = ref?.runDir && ref.params ? remainingBytes(ref.runDir, ref.params) : undefined;
    const need = rest ? `; the run needs about ${mb(rest.bytes)} more for its ${rest.parts} remaining parts` : '';
    const what = code === 'ENOSPC' ? 'the disk is full' : 'the disk quota is used up';
    return ApplicationFailure.nonRetryable(
      `${what}: no space left to write ${where}${free}${need}. Free space there, ${resume}. (${(err as Error).message})`,
      'DiskFull',
    );
  }
  return ApplicationFailure.nonRetryable(
    `cannot write ${where}: ${(err as Error).message}; fix the folder's permissions or mount, ${resume}`,
    'NotWritable',
  );
}

/** The activities, each failing at once with filesystemFailure's message on a full disk or an unwritable folder. */
export function failFastOnFilesystem<T extends Record<string, (arg: never) => Promise<unknown>>>(activities: T): T {
  const wrapped: Record<string, (arg: never) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (arg: never) => {
      try {
        return await fn(arg);
      } catch (err) {
        throw filesystemFailure(err, arg as { runDir?: string; params?: GenerationParams }) ?? err;
      }
    };
  }
  return wrapped as T;
}
