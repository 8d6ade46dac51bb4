import * as path from 'node:path';
import { InputError } from '../params/generation-input';

/**
 * The folder that the input's `out` may not escape: WRAPPED_ETL_DATA_ROOT, else the
 * worker's working directory. Anyone with Web UI access can start a run, so output
 * paths from the input are confined under it.
 */
export function dataRoot(): string {
  return path.resolve(process.env.WRAPPED_ETL_DATA_ROOT ?? process.cwd());
}

export function resolveRunDir(root: string, out: string, runId: string): string {
  const outDir = path.resolve(root, out);
  const rel = path.relative(root, outDir);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError('out', `"${out}" is outside the data root ${root}; give a folder under it`);
  }
  return path.join(outDir, runId);
}
