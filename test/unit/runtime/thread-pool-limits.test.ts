import { afterAll, describe, expect, it } from 'vitest';
import { POOL_YOUNG_GENERATION_MB, ThreadPool } from '../../../src/runtime/thread-pool';
import { threadLimitsJob } from '../../helpers/thread-marker-job';

describe('ThreadPool: every thread runs with a small young generation', () => {
  const pool = new ThreadPool(2);
  afterAll(() => pool.close());

  it(`limits each thread's young generation to ${POOL_YOUNG_GENERATION_MB} MB (V8 allows 48 MB an isolate by default)`, async () => {
    const limits = await Promise.all([0, 1].map(() => pool.run(threadLimitsJob, null, 'limits').result));
    for (const l of limits) {
      expect(l.maxYoungGenerationSizeMb).toBe(POOL_YOUNG_GENERATION_MB);
      expect(l.newSpaceMb).toBeLessThanOrEqual(POOL_YOUNG_GENERATION_MB);
    }
  });
});
