/**
 * How long a generation takes into a bucket of the SeaweedFS test server beside the same generation into a
 * folder, alternating, in one process (the generation steps run in process, shards in one pool thread as a
 * 1-thread worker would run them). Measurement only, not a test:
 *   npx tsx test/s3/generate-ratio.ts [users=100] [rounds=3]
 */
import * as path from 'node:path';
import { shardCount } from '../../src/config/generation-input';
import { createGenerationSteps } from '../../src/pipeline/steps/generation-steps';
import { NO_SHARD_FAULTS } from '../../src/pipeline/steps/shard-faults';
import { inProcessContext } from '../../src/pipeline/steps/step-context';
import { logger } from '../../src/runtime/logger';
import { ThreadPool } from '../../src/runtime/thread-pool';
import { startS3Server } from '../helpers/s3-server-process';
import { ensureSeaweedfs } from '../helpers/test-tools';
import { makeTmpDir } from '../helpers/tmp-dir';

async function main(): Promise<void> {
  const users = Number(process.argv[2] ?? 100);
  const rounds = Number(process.argv[3] ?? 3);
  const missing = ensureSeaweedfs();
  if (missing) throw new Error(missing);
  const server = await startS3Server();
  const tmp = makeTmpDir();
  const pool = new ThreadPool(1);
  Object.assign(process.env, server.env, { WRAPPED_ETL_S3_ALLOW: 'bench' });
  try {
    await server.createBucket('bench');
    const steps = createGenerationSteps({
      dataRoot: () => tmp.dir,
      jobs: pool,
      sourceAccess: {},
      faults: NO_SHARD_FAULTS,
      log: logger.child({}, { level: 'warn' }),
    });
    const ctx = inProcessContext();
    const generate = async (out: string, runId: string) => {
      const started = process.hrtime.bigint();
      const ref = await steps.resolve(ctx, { input: { users, seed: 1, out, runId, catalog: ['synthetic:20000'] }, workflowId: runId });
      const { sha256: catalogSha256 } = await steps.catalog(ctx, ref);
      await steps.users(ctx, ref);
      for (let shard = 0; shard < shardCount(ref.params); shard++) await steps.shard(ctx, { ...ref, shard, catalogSha256 });
      const m = await steps.manifest(ctx, ref);
      return { s: Number(process.hrtime.bigint() - started) / 1e9, records: m.totalRecords, bytes: m.bytes };
    };
    for (let round = 1; round <= rounds; round++) {
      const disk = await generate(path.join('disk'), `r${round}`);
      const bucket = await generate('s3://bench/runs', `r${round}`);
      process.stdout.write(
        `round ${round}: ${users} users, ${disk.records} records, ${(disk.bytes / 1e6).toFixed(1)} MB: ` +
          `folder ${disk.s.toFixed(2)} s, bucket ${bucket.s.toFixed(2)} s, folder/bucket ${(disk.s / bucket.s).toFixed(2)}\n`,
      );
    }
  } finally {
    await pool.close();
    await server.stop();
    tmp.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
