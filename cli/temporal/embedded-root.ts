import * as path from 'node:path';
import { isWithin, realPathOf } from '../../src/runtime/data-root';

/** The deepest folder holding every one of `dirs` (absolute paths). */
export function commonDir(dirs: string[]): string {
  const parts = dirs.map((d) => d.split(path.sep));
  let i = 0;
  while (parts.every((p) => i < p.length && p[i] === parts[0][i])) i++;
  return parts[0].slice(0, i).join(path.sep) || path.sep;
}

export interface EmbeddedPlacement {
  /** the data root of the embedded worker */
  dataRoot: string;
  /** a path as the input names it: as given, or made absolute when the data root is not the working directory */
  name(p: string): string;
}

/**
 * Where an embedded worker's data root goes, so that the input keeps the paths as the user
 * gave them, the same input a worker elsewhere (--address) would get: the working directory
 * when every path lies under it, lexically and by real path (as the worker checks); else the
 * deepest folder holding them all, and a path is then named by its absolute real path.
 */
export function embeddedPlacement(paths: string[], cwd = process.cwd()): EmbeddedPlacement {
  const root = path.resolve(cwd);
  const abs = paths.map((p) => path.resolve(root, p));
  const realRoot = realPathOf(root);
  if (abs.every((p) => isWithin(root, p) && isWithin(realRoot, realPathOf(p)))) return { dataRoot: root, name: (p) => p };
  // by real path: the worker confines real paths, so a root reached through a symbolic link would refuse its own folders
  const real = (p: string) => realPathOf(path.resolve(root, p));
  return { dataRoot: commonDir(abs.map(real)), name: real };
}

/**
 * The data root a recorded generation was resolved under, from its run folder (outDir) and
 * its input's out and runId: an absolute out serves as the root itself; else outDir less
 * `out/runId`. (Embedded generates before this rule recorded out "." under a root that was
 * their --out; the same arithmetic finds it.)
 */
export function dataRootOfRun(outDir: string, out: string, runId: string): string {
  if (path.isAbsolute(out)) return out;
  let root = outDir;
  for (const _ of path
    .normalize(path.join(out, runId))
    .split(path.sep)
    .filter((s) => s && s !== '.'))
    root = path.dirname(root);
  return root;
}
