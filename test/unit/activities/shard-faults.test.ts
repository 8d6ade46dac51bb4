import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shardFaultsFromEnv } from '../../../cli/temporal/shard-faults-from-env';
import { makeTmpDir } from '../../helpers/tmp-dir';

const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

describe('test-only shard faults from a worker environment', () => {
  it('are none unless the environment asks for them', () => {
    expect(shardFaultsFromEnv({})).toBeUndefined();
    expect(shardFaultsFromEnv({ WRAPPED_ETL_FAIL_SHARE: '0', WRAPPED_ETL_SHARD_DELAY_MS: 'soon' })).toBeUndefined();
  });

  it('fail about the given share of attempts and pause before each shard', () => {
    const faults = shardFaultsFromEnv({ WRAPPED_ETL_FAIL_SHARE: '0.25', WRAPPED_ETL_SHARD_DELAY_MS: '40' })!;
    expect(faults.delayMs).toBe(40);
    expect(faults.label).toBe('WRAPPED_ETL_FAIL_SHARE=0.25');
    const failed = Array.from({ length: 4000 }, () => faults.failsThisAttempt()).filter(Boolean).length;
    expect(failed).toBeGreaterThan(800);
    expect(failed).toBeLessThan(1200);
    expect(shardFaultsFromEnv({ WRAPPED_ETL_SHARD_DELAY_MS: '40' })!.failsThisAttempt()).toBe(false);
  });

  it('hold every shard while the hold file exists', () => {
    const file = path.join(tmp.dir, 'hold');
    const faults = shardFaultsFromEnv({ WRAPPED_ETL_SHARD_HOLD_FILE: file })!;
    expect(faults.delayMs).toBe(0);
    expect(faults.held!()).toBe(false);
    fs.writeFileSync(file, '');
    expect(faults.held!()).toBe(true);
    expect(shardFaultsFromEnv({ WRAPPED_ETL_SHARD_DELAY_MS: '40' })!.held).toBeUndefined();
  });
});
