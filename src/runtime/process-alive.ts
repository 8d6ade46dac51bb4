import * as fs from 'node:fs';

/**
 * Whether process `pid` of this host still runs. kill(pid, 0) succeeds on a zombie too (a
 * process that has exited but whose parent has not reaped it), so where /proc is there
 * (Linux) a process whose state in /proc/PID/stat is Z (zombie) or X (dead) counts as gone;
 * without /proc, kill's answer stands.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !exitedAwaitingReap(pid);
}

function exitedAwaitingReap(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  // "PID (COMMAND) STATE ...": the command may hold spaces and parentheses, the state follows the last ')'
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}
