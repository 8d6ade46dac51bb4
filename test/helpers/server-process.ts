import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

/** Sends `signal` to the process group of a child started with `detached: true`, if it is still there. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is gone already
  }
}

export interface ServerProcess {
  child: ChildProcess;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process has exited */
  stop: (graceMs: number) => Promise<void>;
}

/**
 * A test server spawned in its own process group with its output in `logFile`; the group is killed when the
 * test process exits, so no server outlives its tests.
 */
export function spawnServer(command: string, args: string[], logFile: string): ServerProcess {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killGroup = () => signalGroup(child, 'SIGKILL');
  process.once('exit', killGroup);
  const stop = async (graceMs: number): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, 'SIGTERM');
      const killer = setTimeout(killGroup, graceMs);
      await exited;
      clearTimeout(killer);
    }
    process.off('exit', killGroup);
  };
  return { child, stop };
}
