import * as fs from 'node:fs';
import { shardCount } from '../../config/generation-input';
import { sha256File, writeFileAtomic } from '../../runtime/atomic-file';
import { readSealedJsonIfValid, sealedJson } from '../../runtime/json-file';
import { RunLayout } from '../run-layout';
import type { RunPlace } from '../run-place';
import { usersThreadJob } from '../thread-jobs';
import type { UsersProgress } from '../users-job';
import { runJobStep } from './job-step';
import { ownedRunRef } from './run-ownership';
import type { GenerationStepDeps } from './step-deps';
import type { StepContext } from './step-context';
import { StepCancelled } from './step-errors';
import type { RunRef, UsersRef } from './step-refs';

/** Gives every user a home place and a personality, written shard by shard as a job; a resumed run reuses the file. */
export async function usersStep(deps: GenerationStepDeps, ctx: StepContext, given: RunRef): Promise<UsersRef> {
  const { place, run: ref } = await ownedRunRef(deps, ctx, given);
  const layout = new RunLayout(ref.runDir);
  // a retry on another worker: what an earlier attempt published is checked below like a staged copy
  await place.pull([layout.usersCheckpointKey, layout.usersKey, layout.usersOffsetsKey], { onlyMissing: true });
  const l = deps.log.child({ runId: ref.params.runId, step: 'users' });
  const shards = shardCount(ref.params);
  // the params of a run folder never change (resolve step): files that hash as recorded hold the same users
  const checkpointPath = layout.usersCheckpointPath;
  const previous = readSealedJsonIfValid<UsersCheckpoint>(checkpointPath);
  const hashOf = (file: string) => (fs.existsSync(file) ? sha256File(file) : undefined);
  const publish = (sha256?: string, offsetsSha256?: string, opts?: { onlyMissing?: boolean }) =>
    // the checkpoint last: whoever finds it in the store finds the files it vouches for
    place.publish(
      [{ key: layout.usersKey, sha256 }, { key: layout.usersOffsetsKey, sha256: offsetsSha256 }, { key: layout.usersCheckpointKey }],
      opts,
    );
  if (previous) {
    if (previous.sha256 === hashOf(layout.usersPath) && previous.offsetsSha256 === hashOf(layout.usersOffsetsPath)) {
      // an earlier attempt may have stopped before it published them
      await publish(previous.sha256, previous.offsetsSha256, { onlyMissing: true });
      l.info({ users: previous.users }, 'users checkpoint reused');
      return { path: layout.usersPath, users: previous.users };
    }
    l.warn({ checkpoint: checkpointPath }, 'users files do not match their checkpoint (sha256): written again');
  }
  const { users, bytes, sha256, offsetsSha256 } = await runJobStep(deps, ctx, ref, {
    job: usersThreadJob,
    input: { params: ref.params, runDir: ref.runDir },
    label: 'users file',
    progress: { users: 0, shardsDone: 0, shards } satisfies UsersProgress,
    cancelled: () => new StepCancelled('users assignment cancelled'),
  });
  writeFileAtomic(checkpointPath, sealedJson({ users, bytes, sha256, offsetsSha256 }));
  await publish(sha256, offsetsSha256);
  l.info({ users }, 'users assigned');
  return { path: layout.usersPath, users };
}

/** What the users files must hash to, as the users step records it. */
interface UsersCheckpoint {
  users: number;
  sha256?: string;
  offsetsSha256?: string;
}

/** The users files' checkpoint where the run lives (its folder or its bucket), or undefined when none is readable. */
export async function usersCheckpoint(place: RunPlace, layout: RunLayout): Promise<UsersCheckpoint | undefined> {
  return place.sealedObject<UsersCheckpoint>(layout.usersCheckpointKey);
}
