import * as fs from 'node:fs';
import type { ShardFaults } from '../../src/pipeline/steps/shard-faults';

/**
 * Test-only faults from a worker process's environment (the e2e crash tests set them on
 * the worker they start): WRAPPED_ETL_FAIL_SHARE, a share (0..1) of shard attempts that
 * fail on purpose; WRAPPED_ETL_SHARD_DELAY_MS, a pause before each shard; WRAPPED_ETL_SHARD_HOLD_FILE, a file
 * whose presence holds every shard before it starts.
 */
export function shardFaultsFromEnv(env: Record<string, string | undefined> = process.env): ShardFaults | undefined {
  const share = Number(env.WRAPPED_ETL_FAIL_SHARE ?? 0);
  const delay = Number(env.WRAPPED_ETL_SHARD_DELAY_MS ?? 0);
  const failShare = Number.isFinite(share) && share > 0 ? Math.min(share, 1) : 0;
  const delayMs = Number.isFinite(delay) && delay > 0 ? delay : 0;
  const holdFile = env.WRAPPED_ETL_SHARD_HOLD_FILE;
  if (failShare === 0 && delayMs === 0 && !holdFile) return undefined;
  return {
    delayMs,
    held: holdFile ? () => fs.existsSync(holdFile) : undefined,
    // which attempts fail is left to chance on purpose: the run must come out the same whichever do
    failsThisAttempt: () => failShare > 0 && Math.random() < failShare,
    cancelAfterMs: 20,
    label: `WRAPPED_ETL_FAIL_SHARE=${failShare}`,
  };
}
