import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Who writes a run folder: one workflow id at a time, recorded in <run>/_work/owner.json. */
export interface RunOwner {
  workflowId: string;
  host: string;
  pid: number;
  since: string;
  /** renewed while the owner works; an owner silent for longer than the lease may be taken over */
  renewedAt: string;
}

/** How long an owner may stay silent before another workflow may take its folder over (WRAPPED_ETL_OWNER_LEASE_MS). */
function ownerLeaseMs(): number {
  const ms = Number(process.env.WRAPPED_ETL_OWNER_LEASE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 10 * 60_000;
}

export class RunOwnedElsewhere extends Error {
  constructor(
    readonly runDir: string,
    readonly owner: RunOwner,
  ) {
    super(`${runDir} is being written by workflow ${owner.workflowId} (last active ${owner.renewedAt})`);
    this.name = 'RunOwnedElsewhere';
  }
}

const ownerFile = (runDir: string) => path.join(runDir, '_work', 'owner.json');

function readOwner(file: string): RunOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as RunOwner;
    return typeof o.workflowId === 'string' && !Number.isNaN(Date.parse(o.renewedAt)) ? o : undefined;
  } catch {
    return undefined;
  }
}

function writeOwner(file: string, owner: RunOwner, exclusive: boolean): void {
  const fd = fs.openSync(file, exclusive ? 'wx' : 'w');
  try {
    fs.writeSync(fd, JSON.stringify(owner));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes `workflowId` the owner of `runDir`: when no one owns it, when it owns it already,
 * when the owner has been silent longer than the lease (a crashed run), or with
 * `takeOver` (an explicit resume). Otherwise throws RunOwnedElsewhere. The claim is an
 * exclusive create, and a stale owner file is moved aside (one rename wins), so two
 * workflows claiming at once never both succeed.
 */
export function claimRun(runDir: string, workflowId: string, opts: { takeOver?: boolean; now?: number } = {}): RunOwner {
  const file = ownerFile(runDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const now = opts.now ?? Date.now();
  const me: RunOwner = {
    workflowId,
    host: os.hostname(),
    pid: process.pid,
    since: new Date(now).toISOString(),
    renewedAt: new Date(now).toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      writeOwner(file, me, true);
      return me;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readOwner(file);
    if (current?.workflowId === workflowId) {
      const renewed = { ...current, host: me.host, pid: me.pid, renewedAt: me.renewedAt };
      writeOwner(file, renewed, false);
      return renewed;
    }
    if (current && !opts.takeOver && now - Date.parse(current.renewedAt) <= ownerLeaseMs()) throw new RunOwnedElsewhere(runDir, current);
    const aside = `${file}.${crypto.randomBytes(4).toString('hex')}.released`;
    try {
      fs.renameSync(file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = readOwner(aside);
    if (current && moved && JSON.stringify(moved) !== JSON.stringify(current)) {
      // another workflow claimed it between our read and our rename: give its claim back
      try {
        fs.linkSync(aside, file);
      } catch {
        // someone claimed it again meanwhile; theirs stands
      }
      fs.rmSync(aside, { force: true });
      throw new RunOwnedElsewhere(runDir, moved);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`could not claim ${runDir}: its owner file keeps changing`);
}

/**
 * Checks that `workflowId` still owns `runDir` (renewing the claim when due) and throws
 * RunOwnedElsewhere when another workflow took it over. A folder nobody owns (released
 * after a completed run) is claimed again.
 */
export function holdRun(runDir: string, workflowId: string, now = Date.now()): void {
  const current = readOwner(ownerFile(runDir));
  if (current && current.workflowId !== workflowId) throw new RunOwnedElsewhere(runDir, current);
  if (!current || now - Date.parse(current.renewedAt) > ownerLeaseMs() / 10) claimRun(runDir, workflowId, { now });
}

/** Gives the folder up, if `workflowId` owns it. */
export function releaseRun(runDir: string, workflowId: string): void {
  const file = ownerFile(runDir);
  if (readOwner(file)?.workflowId === workflowId) fs.rmSync(file, { force: true });
}
