import * as fs from 'node:fs';
import * as path from 'node:path';
import { finalPathOf } from './atomic-file';

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

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

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
function filesystemSpace(file: string): string | undefined {
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

/** What a permanent filesystem error says, for whoever has to act on it. */
export interface DiskFailure {
  type: 'DiskFull' | 'NotWritable';
  message: string;
}

/**
 * What is wrong with the disk and where, for an error that no retry fixes (a full disk or quota, a
 * read-only or forbidden folder): the file that could not be written, by its final name (a file is
 * written under a hidden temporary one), or else `place.folder`; for a full disk its filesystem and
 * free space, then `place.resume` (what to do once it is fixed). Undefined for other errors, and
 * when neither the error nor the place names where.
 */
export function diskFailure(
  err: unknown,
  place: { folder?: string; resume: string; need?: (where: string) => string },
): DiskFailure | undefined {
  const code = permanentCode(err);
  if (!code) return undefined;
  const failed = failedPath(err);
  const where = (failed && finalPathOf(failed)) ?? place.folder;
  if (where === undefined) return undefined;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    const space = filesystemSpace(where);
    const what = code === 'ENOSPC' ? 'the disk is full' : 'the disk quota is used up';
    return {
      type: 'DiskFull',
      message: `${what}: no space left to write ${where}${space ? ` (${space})` : ''}${place.need?.(where) ?? ''}. Free space there, ${place.resume}. (${(err as Error).message})`,
    };
  }
  return {
    type: 'NotWritable',
    message: `cannot write ${where}: ${(err as Error).message}; fix the folder's permissions or mount, ${place.resume}`,
  };
}
