import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeTmpDir } from './tmp-dir';

/**
 * Why a full disk cannot be had here, or undefined when it can. It is a 4 KiB tmpfs mounted in a
 * private user and mount namespace (`unshare -rm`): no root needed where unprivileged user namespaces
 * are allowed, and nothing outside the namespace sees the mount.
 */
export function fullDiskUnavailable(): string | undefined {
  const probe = makeTmpDir('wrapped-etl-full-disk-probe-');
  try {
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=4k tmpfs "$0"', probe.dir], { encoding: 'utf8' });
    if (r.error || r.status !== 0)
      return `a full disk needs a tmpfs in a user namespace (unshare -rm), refused here: ${(r.stderr || r.error?.message || '').trim()}`;
    return undefined;
  } finally {
    probe.cleanup();
  }
}

export interface FullDiskRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the files left on the full disk after the command, as "relative/path size", without the filler */
  left: string[];
}

/** one page: the whole of a size=4k tmpfs */
const FILLER = '.full-disk-filler';

/**
 * Runs `command` (a program and its arguments) with `dir` on a full disk: a 4 KiB tmpfs mounted over
 * it (its content hidden meanwhile) and filled, so that the first write of a file there fails with
 * ENOSPC. `keep` names sub-folders of `dir` that stay on the real disk (bind-mounted back), e.g. a
 * claim file's folder. The mount lives as long as the command: what it left there is listed before
 * the namespace goes.
 */
export function runOnFullDisk(
  dir: string,
  command: string[],
  opts: { keep?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<FullDiskRun> {
  const scratch = makeTmpDir('wrapped-etl-full-disk-');
  const keep = opts.keep ?? [];
  for (const k of keep) fs.mkdirSync(path.join(dir, k), { recursive: true });
  const listing = path.join(scratch.dir, 'left');
  const script = [
    'set -e',
    'd="$1"; aside="$2"; listing="$3"; keep="$4"; shift 4',
    // the kept folders are bound aside before the tmpfs hides them, then bound back into it
    'for k in $keep; do mkdir -p "$aside/$k"; mount --bind "$d/$k" "$aside/$k"; done',
    'mount -t tmpfs -o size=4k tmpfs "$d"',
    'for k in $keep; do mkdir -p "$d/$k"; mount --bind "$aside/$k" "$d/$k"; done',
    `head -c 4096 /dev/zero > "$d/${FILLER}" 2>/dev/null || true`,
    'set +e',
    '"$@"',
    'code=$?',
    `(cd "$d" && find . -path ./${FILLER} -prune -o -type f -printf '%P %s\\n') > "$listing"`,
    'for k in $keep; do sed -i "\\#^$k/#d" "$listing"; done',
    'exit $code',
  ].join('\n');
  const args = ['-rm', 'sh', '-c', script, 'full-disk', dir, path.join(scratch.dir, 'aside'), listing, keep.join(' '), ...command];
  return new Promise((resolve, reject) => {
    const child = spawn('unshare', args, {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const left = fs.existsSync(listing) ? fs.readFileSync(listing, 'utf8').split('\n').filter(Boolean).sort() : [];
      scratch.cleanup();
      resolve({ code, stdout, stderr, left });
    });
  });
}
