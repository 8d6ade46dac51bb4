/**
 * Faults a test harness injects into shard attempts, handed to the activities by the
 * worker's composition root (never read by the activities themselves, never from input).
 */
export interface ShardFaults {
  /** waited before each shard attempt, so a test can hit a run mid-way */
  delayMs: number;
  /** while true, shard attempts wait (after delayMs) before they start: a test holds a run mid-way as long as it needs */
  held?: () => boolean;
  /** whether this attempt fails on purpose: its thread is cancelled mid-write, or its result thrown away */
  failsThisAttempt(): boolean;
  /** how long after its start an attempt that fails on purpose has its thread cancelled */
  cancelAfterMs: number;
  /** names the setting in the injected errors' messages */
  label: string;
}

export const NO_SHARD_FAULTS: ShardFaults = { delayMs: 0, failsThisAttempt: () => false, cancelAfterMs: 0, label: 'none' };
