import * as path from 'node:path';
import { InputError } from '../domain/errors';

/**
 * The folder that the input's `out` may not escape: WRAPPED_ETL_DATA_ROOT, else the
 * worker's working directory. Anyone with Web UI access can start a run, so output
 * paths from the input are confined under it.
 */
export function dataRoot(): string {
  return path.resolve(process.env.WRAPPED_ETL_DATA_ROOT ?? process.cwd());
}

/** `p` resolved under the data root; an InputError on `field` if it escapes it. */
export function confineUnderRoot(root: string, field: string, p: string): string {
  const abs = path.resolve(root, p);
  const rel = path.relative(root, abs);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(field, `"${p}" is outside the data root ${root}; give a folder under it`);
  }
  return abs;
}

export function resolveRunDir(root: string, out: string, runId: string): string {
  return path.join(confineUnderRoot(root, 'out', out), runId);
}
