import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../domain/errors';
import { checkPathText } from './path-text';

/**
 * The folder that the input's `out` may not escape: WRAPPED_ETL_DATA_ROOT, else the
 * worker's working directory. Anyone with Web UI access can start a run, so output
 * paths from the input are confined under it.
 */
export function dataRoot(): string {
  return path.resolve(process.env.WRAPPED_ETL_DATA_ROOT ?? process.cwd());
}

/** True when `p` is `dir` or lies below it (both absolute and normalised). */
export function isWithin(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** how many dangling symbolic links realPathOf follows before it gives up (Linux's own limit for a path) */
const MAX_LINKS = 40;

/**
 * `abs` with every symbolic link of its existing part followed: the real path of its
 * deepest existing ancestor, joined with the components that do not exist yet. A link
 * whose target does not exist yet counts as its target, not as a missing component:
 * writing through it would create the target.
 */
export function realPathOf(abs: string): string {
  const missing: string[] = [];
  let at = abs;
  let links = 0;
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(at), ...missing.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const target = danglingLinkTarget(at);
      if (target !== undefined && links++ < MAX_LINKS) {
        at = path.resolve(path.dirname(at), target);
        continue;
      }
      if (target !== undefined) throw Object.assign(new Error(`too many symbolic links in ${abs}`), { code: 'ELOOP' });
      const parent = path.dirname(at);
      if (parent === at) return abs;
      missing.push(path.basename(at));
      at = parent;
    }
  }
}

function danglingLinkTarget(p: string): string | undefined {
  try {
    return fs.lstatSync(p).isSymbolicLink() ? fs.readlinkSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * checkPathText, and no URL: where only a local path is taken, "s3://bucket/x" would otherwise resolve to a folder
 * named "s3:" under the root (the commands that take a bucket check for one before they confine a path).
 */
function checkLocalPathText(field: string, p: unknown): asserts p is string {
  checkPathText(field, p);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(p)?.[1];
  if (scheme !== undefined)
    throw new InputError(
      field,
      `"${p}" is a ${scheme}:// URL, not a path: a folder or file under the data root is taken here (docs/storage.md says where s3:// is)`,
    );
}

/**
 * `p` (relative to `root`, or absolute) as a real path under the real root; an
 * InputError on `field` if its real path is outside it. Real paths on both sides: a root
 * reached through a symbolic link (/tmp/link -> /data) holds what lies under /data.
 */
export function confineUnderRoot(root: string, field: string, p: string): string {
  checkLocalPathText(field, p);
  const abs = path.resolve(root, p);
  const realRoot = realPathOf(root);
  const real = realPathOf(abs);
  if (isWithin(realRoot, real)) return real;
  if (isWithin(root, abs) || isWithin(realRoot, abs)) {
    throw new InputError(field, `"${p}" leads outside the data root ${root} through a symbolic link; give a folder under it`);
  }
  throw new InputError(field, `"${p}" is outside the data root ${root}; give a folder under it`);
}

/** The first of `roots` that `p` lies under by its real path, or an InputError on `field` naming them. */
export function confineUnderRoots(roots: string[], field: string, p: string): string {
  checkLocalPathText(field, p);
  const real = realPathOf(path.resolve(roots[0], p));
  if (roots.some((root) => isWithin(realPathOf(root), real))) return real;
  throw new InputError(field, `"${p}" is outside ${roots.join(' and ')}; put the file under ${roots.length > 1 ? 'one of them' : 'it'}`);
}

/** Where a worker reads catalog files (csv:, source:) from: the data root, and WRAPPED_ETL_CATALOG_ROOT when set. */
export function catalogRoots(root: string): string[] {
  const extra = process.env.WRAPPED_ETL_CATALOG_ROOT;
  return extra ? [root, path.resolve(extra)] : [root];
}

export function resolveRunDir(root: string, out: string, runId: string): string {
  const outDir = confineUnderRoot(root, 'out', out);
  return confineUnderRoot(root, 'runId', path.join(outDir, runId));
}
