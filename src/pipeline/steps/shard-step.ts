import { setTimeout as sleep } from 'node:timers/promises';
import { twinFiles } from '../../formats/part-writers';
import { RunLayout } from '../run-layout';
import type { RunPlace } from '../run-place';
import { usersCheckpoint } from './users-step';
import type { ShardProgress } from '../shard-job';
import { shardThreadJob } from '../thread-jobs';
import { runJobStep } from './job-step';
import { ownedRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import { MissingRunFile, StepCancelled } from './step-errors';
import type { ShardOutcome, ShardRef } from './step-refs';

/** Simulates one shard's users into its part file as a job, unless a valid part exists already. */
export async function shardStep(deps: GenerationStepDeps, ctx: StepContext, given: ShardRef): Promise<ShardOutcome> {
  const { place, run: ref } = await ownedRunRef(deps, ctx, given);
  const { faults } = deps;
  const layout = new RunLayout(ref.runDir);
  const l = deps.log.child({ runId: ref.params.runId, shard: ref.shard, attempt: ctx.attempt });
  // checked by content where the run lives (its folder or its bucket)
  const checkpoint = await place.validPart(layout, ref.shard);
  if (checkpoint) {
    l.info({ records: checkpoint.records }, 'shard checkpoint valid, part kept');
    return { shard: ref.shard, records: checkpoint.records, bytes: checkpoint.bytes, reused: true };
  }
  await stageInputs(place, layout, ref.catalogSha256);
  const cancelled = () => new StepCancelled(`shard ${ref.shard} cancelled`);
  if (faults.delayMs) await sleep(faults.delayMs, undefined, { signal: ctx.signal }).catch(() => Promise.reject(cancelled()));
  // held: alive all the while, so that a cancel reaches it (Temporal delivers one with a heartbeat's answer)
  while (faults.held?.()) {
    ctx.heartbeat();
    await sleep(50, undefined, { signal: ctx.signal }).catch(() => Promise.reject(cancelled()));
  }
  const injected = faults.failsThisAttempt();
  try {
    const result = await runJobStep(deps, ctx, ref, {
      job: shardThreadJob,
      input: { params: ref.params, runDir: ref.runDir, shard: ref.shard, catalogSha256: ref.catalogSha256 },
      label: `shard ${ref.shard}`,
      progress: { users: 0, records: 0, bytes: 0 } satisfies ShardProgress,
      cancelled,
      started: (task) => {
        if (injected) setTimeout(() => task.cancel(), faults.cancelAfterMs);
      },
    });
    // the parts, then the checkpoint that vouches for them
    const files = [result, ...twinFiles(result)].map((f) => ({ key: f.file, sha256: f.sha256 }));
    await place.publish([...files, { key: layout.partCheckpointKey(ref.shard) }], { drop: true });
    if (injected) throw new Error(`injected failure after the part was written (${faults.label})`);
    l.info({ records: result.records, bytes: result.bytes }, 'shard written');
    return { shard: ref.shard, records: result.records, bytes: result.bytes, reused: false };
  } catch (err) {
    if (ctx.signal.aborted) throw cancelled();
    if (injected && !(err as Error).message.startsWith('injected'))
      throw new Error(`injected failure mid-shard (${faults.label})`, { cause: err });
    l.error({ err }, 'shard failed');
    throw err;
  }
}

/**
 * The catalog and users files the shard's thread reads, in this worker's run folder: for a bucket run staged
 * by another worker, fetched from the bucket and checked against the hashes the run recorded.
 */
async function stageInputs(place: RunPlace, layout: RunLayout, catalogSha256: string): Promise<void> {
  const missing = (key: string) => new MissingRunFile(`${place.nameOf(key)} is missing, so no attempt can succeed; start a new generation`);
  const users = (await usersCheckpoint(place, layout)) ?? { users: 0 };
  // a folder run's checkpoint of an earlier version may lack hashes; a bucket run's says what to fetch
  if (place.staged && (users.sha256 === undefined || users.offsetsSha256 === undefined)) throw missing(layout.usersCheckpointKey);
  for (const [key, sha256] of [
    [layout.catalogKey, catalogSha256],
    [layout.usersKey, users.sha256 ?? ''],
    [layout.usersOffsetsKey, users.offsetsSha256 ?? ''],
  ] as const) {
    if (!(await place.stageChecked(key, sha256))) throw missing(key);
  }
}
