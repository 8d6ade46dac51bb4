import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { processAlive } from '../runtime/process-alive';

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
export function ownerLeaseMs(): number {
  const ms = Number(process.env.WRAPPED_ETL_OWNER_LEASE_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : 10 * 60_000;
}

/** What one owner at a time may hold: its owner file, and how a refusal names it and what the holder does. */
export interface OwnedThing {
  file: string;
  /** e.g. the run folder, or "world w -> topic t" */
  what: string;
  /** e.g. "being written" */
  doing: string;
}

/** A run or world folder: one writer at a time, recorded in <dir>/_work/owner.json. */
export const runFolder = (runDir: string): OwnedThing => ({
  file: path.join(runDir, '_work', 'owner.json'),
  what: runDir,
  doing: 'being written',
});

export class RunOwnedElsewhere extends Error {
  constructor(
    readonly thing: OwnedThing,
    readonly owner: RunOwner,
  ) {
    super(`${thing.what} is ${thing.doing} by ${holderName(owner)} (last active ${owner.renewedAt})`);
    this.name = 'RunOwnedElsewhere';
  }
}

/** Owner ids of holders that are no workflow (a CLI process): "process:HOST:PID". */
export function processOwnerId(): string {
  return `process:${os.hostname()}:${process.pid}`;
}

function holderName(owner: RunOwner): string {
  return owner.workflowId.startsWith('process:') ? `process ${owner.pid} on ${owner.host}` : `workflow ${owner.workflowId}`;
}

/** Whether a claim's holder still runs: true, false, or undefined when that cannot be told (then the lease decides). */
export type HolderAlive = (owner: RunOwner) => Promise<boolean | undefined>;

/** For holders that are processes (processOwnerId): alive while their pid runs on this host (a zombie does not); undefined for others. */
export function processHolderAlive(owner: RunOwner): boolean | undefined {
  if (!owner.workflowId.startsWith('process:') || owner.host !== os.hostname()) return undefined;
  return processAlive(owner.pid);
}

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
export function claimRun(runDir: string, workflowId: string, opts: ClaimOptions = {}): RunOwner {
  return claimOwned(runFolder(runDir), workflowId, opts);
}

export interface ClaimOptions {
  takeOver?: boolean;
  /** take over from this holder (found gone), but not from one that claimed after it */
  takeOverFrom?: RunOwner;
  now?: number;
}

/** claimRun for any OwnedThing. */
function claimOwned(thing: OwnedThing, workflowId: string, opts: ClaimOptions = {}): RunOwner {
  const { file } = thing;
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
    const gone = opts.takeOverFrom !== undefined && JSON.stringify(current) === JSON.stringify(opts.takeOverFrom);
    if (current && !opts.takeOver && !gone && now - Date.parse(current.renewedAt) <= ownerLeaseMs())
      throw new RunOwnedElsewhere(thing, current);
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
      throw new RunOwnedElsewhere(thing, moved);
    }
    fs.rmSync(aside, { force: true });
  }
  throw new Error(`could not claim ${thing.what}: its owner file keeps changing`);
}

/**
 * claimOwned that first asks `holderAlive` about another holder: one found gone (a
 * terminated or failed workflow, a dead process) is taken over at once, one found running
 * is refused even past its lease (a stream sleeping between days), and one that cannot be
 * told about is left to the lease.
 */
export async function claimOwnedChecked(
  thing: OwnedThing,
  workflowId: string,
  opts: ClaimOptions & { holderAlive?: HolderAlive } = {},
): Promise<RunOwner> {
  const current = readOwner(thing.file);
  if (current && current.workflowId !== workflowId && !opts.takeOver && opts.holderAlive) {
    const alive = await opts.holderAlive(current).catch(() => undefined);
    if (alive === true) throw new RunOwnedElsewhere(thing, current);
    if (alive === false) return claimOwned(thing, workflowId, { ...opts, takeOverFrom: current });
  }
  return claimOwned(thing, workflowId, opts);
}

/**
 * Checks that `workflowId` still owns `runDir` (renewing the claim when due) and throws
 * RunOwnedElsewhere when another workflow took it over. A folder nobody owns (released
 * after a completed run) is claimed again.
 */
export function holdRun(runDir: string, workflowId: string, now = Date.now()): void {
  holdOwned(runFolder(runDir), workflowId, now);
}

/** holdRun for any OwnedThing. */
export function holdOwned(thing: OwnedThing, workflowId: string, now = Date.now()): void {
  const current = readOwner(thing.file);
  if (current && current.workflowId !== workflowId) throw new RunOwnedElsewhere(thing, current);
  if (!current || now - Date.parse(current.renewedAt) > ownerLeaseMs() / 10) claimOwned(thing, workflowId, { now });
}

/** Gives the folder up, if `workflowId` owns it. */
export function releaseRun(runDir: string, workflowId: string): void {
  releaseOwned(runFolder(runDir), workflowId);
}

/** releaseRun for any OwnedThing. */
export function releaseOwned(thing: OwnedThing, workflowId: string): void {
  if (readOwner(thing.file)?.workflowId === workflowId) fs.rmSync(thing.file, { force: true });
}
