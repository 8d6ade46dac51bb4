import * as path from 'node:path';
import { confineUnderRoot, isWithin, realPathOf } from '../../src/runtime/data-root';

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

/** Where embedded commands start from: this process's data root, and whether the operator set it (and so confines to it). */
export interface EmbeddedRoot {
  root: string;
  /** WRAPPED_ETL_DATA_ROOT is set: paths outside it are refused, as a worker with it refuses them */
  confined: boolean;
}

/** WRAPPED_ETL_DATA_ROOT when set (confining, as for `wrapped-etl worker`), else the working directory. */
export function embeddedRoot(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): EmbeddedRoot {
  const set = env.WRAPPED_ETL_DATA_ROOT;
  return set ? { root: path.resolve(cwd, set), confined: true } : { root: path.resolve(cwd), confined: false };
}

/**
 * Where an embedded worker's data root goes, so that the input keeps the paths (by input
 * field) as the user gave them, the same input a worker elsewhere (--address) with the same
 * data root would get: this process's data root (embeddedRoot) when every path lies under it,
 * lexically and by real path (as the worker checks), relative paths resolved against it.
 * Otherwise: with WRAPPED_ETL_DATA_ROOT set, an InputError naming the field, as its worker
 * would refuse it; without, the deepest folder holding them all, each path then named by its
 * absolute real path.
 */
export function embeddedPlacement(paths: Record<string, string>, from: EmbeddedRoot = embeddedRoot()): EmbeddedPlacement {
  const root = from.root;
  const abs = Object.values(paths).map((p) => path.resolve(root, p));
  const realRoot = realPathOf(root);
  if (abs.every((p) => isWithin(root, p) && isWithin(realRoot, realPathOf(p)))) return { dataRoot: root, name: (p) => p };
  if (from.confined) {
    for (const [field, p] of Object.entries(paths)) confineUnderRoot(root, field, p);
  }
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
