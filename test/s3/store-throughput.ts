/**
 * How fast an object goes into the SeaweedFS test server through S3Store's multipart writer, beside the same bytes
 * into a local file (AtomicFile), and how much the process's memory grows meanwhile (the writer holds at most
 * 4 parts of 8 MiB whatever the object's size). Measurement only, not a test:
 *   npx tsx test/s3/store-throughput.ts [MiB=512] [rounds=3]
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { AtomicFile } from '../../src/runtime/atomic-file';
import { S3Store } from '../../src/runtime/storage/s3-store';
import { startS3Server } from '../helpers/s3-server-process';
import { ensureSeaweedfs } from '../helpers/test-tools';
import { makeTmpDir } from '../helpers/tmp-dir';

const CHUNK = 256 * 1024;

async function main(): Promise<void> {
  const mib = Number(process.argv[2] ?? 512);
  const rounds = Number(process.argv[3] ?? 3);
  const missing = ensureSeaweedfs();
  if (missing) throw new Error(missing);
  const server = await startS3Server();
  const tmp = makeTmpDir();
  try {
    await server.createBucket('bench');
    const store = new S3Store({ bucket: 'bench', prefix: 'throughput' }, server.client);
    const chunk = crypto.randomBytes(CHUNK);
    const chunks = (mib * 1024 * 1024) / CHUNK;
    for (let round = 1; round <= rounds; round++) {
      const diskStart = process.hrtime.bigint();
      const file = new AtomicFile(path.join(tmp.dir, `round-${round}.bin`));
      for (let i = 0; i < chunks; i++) file.write(chunk);
      file.commit();
      const diskS = Number(process.hrtime.bigint() - diskStart) / 1e9;

      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const s3Start = process.hrtime.bigint();
      const writer = await store.writer(`round-${round}.bin`);
      for (let i = 0; i < chunks; i++) {
        await writer.write(chunk);
        if (i % 64 === 0) rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      }
      await writer.commit();
      const s3S = Number(process.hrtime.bigint() - s3Start) / 1e9;
      console.log(
        JSON.stringify({
          round,
          mib,
          diskMBps: Math.round((mib * 1.048576) / diskS),
          s3MBps: Math.round((mib * 1.048576) / s3S),
          s3ToDisk: Number((diskS / s3S).toFixed(3)),
          rssGrowthMiB: Math.round((rssPeak - rssBefore) / 1048576),
        }),
      );
    }
  } finally {
    tmp.cleanup();
    await server.stop();
  }
}

void main();
