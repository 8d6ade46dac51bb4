import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../domain/errors';

/** What marks a folder as a run's, a world's or a world day's: its files are the data, never a command's output place. */
const DATA_FOLDER_MARKS = ['_manifest.json', 'manifest.json', 'world.json'];
/** A run's or a world day's checkpoints folder, also there before its manifest */
const WORK_FOLDER = '_work';
/** what a Wrapped keeps in its own output folder's _work: its analyses of parts or shards, and their writers' temporary files */
const WRAPPED_WORK_FILE = /\.wrapped\.partial(\.[^/]*\.tmp)?$/;

/** Where a Wrapped keeps its analysis of the part or shard `name`, relative to its output folder (WRAPPED_WORK_FILE knows the name). */
export const wrappedWorkFile = (name: string): string => `${WORK_FOLDER}/${name}.wrapped.partial`;

/**
 * A run, world or world day folder: one of the marks, or a _work folder with anything but a
 * Wrapped's analyses (a Wrapped output folder has its own _work: writing there again is its use).
 */
function isDataFolder(dir: string): boolean {
  if (DATA_FOLDER_MARKS.some((mark) => fs.existsSync(path.join(dir, mark)))) return true;
  let work: string[];
  try {
    work = fs.readdirSync(path.join(dir, WORK_FOLDER));
  } catch {
    return false;
  }
  return !work.every((name) => WRAPPED_WORK_FILE.test(name));
}

/** The real path of `target`, resolving links of its deepest existing ancestor (the rest does not exist yet). */
function realTarget(target: string): string {
  let existing = path.resolve(target);
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    const up = path.dirname(existing);
    if (up === existing) break;
    rest.unshift(path.basename(existing));
    existing = up;
  }
  return path.join(fs.realpathSync(existing), ...rest);
}

/** The run or world folder (or a world's day) that holds `target` or is `target`, if any. */
function dataFolderHolding(target: string): string | undefined {
  for (let dir = realTarget(target); ; dir = path.dirname(dir)) {
    if (isDataFolder(dir)) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Refuses an output place inside a run or world folder (e.g. `export RUN --out RUN/manifest.json`
 * would overwrite the run's manifest), except the command's own folder there (`own`, e.g.
 * RUN/wrapped, where the Wrapped of that run goes).
 */
export function checkOutputPlace(field: string, target: string, opts: { own?: string } = {}): void {
  const holder = dataFolderHolding(target);
  if (!holder) return;
  const real = realTarget(target);
  if (opts.own) {
    const own = realTarget(opts.own);
    if (real === own || real.startsWith(own + path.sep)) return;
  }
  throw new InputError(
    field,
    `${target} is inside the run or world folder ${holder}: an output there could overwrite its data; write it elsewhere`,
  );
}

/**
 * Refuses to replace an existing file that `isOwn` does not recognise as this command's
 * earlier output (a file the command did not create).
 */
export function checkReplaceable(field: string, target: string, what: string, isOwn: (file: string) => boolean): void {
  const st = fs.statSync(target, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isFile()) throw new InputError(field, `${target} exists and is not a file`);
  if (!isOwn(target))
    throw new InputError(field, `${target} exists and is not ${what} this command wrote: remove it first or choose another name`);
}

/** The first `n` bytes of a file (fewer if it is shorter). */
export function fileHead(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}
