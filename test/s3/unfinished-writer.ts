/**
 * A writer that never commits: writes BYTES (argv[3]) to KEY (argv[2]) of the store at argv[1] through S3Store,
 * says "written" and waits to be killed (test/integration/storage/s3-store.test.ts kills it with SIGKILL).
 */
import { S3Store } from '../../src/runtime/storage/s3-store';
import { parseS3Location } from '../../src/runtime/storage/s3-location';

async function main(): Promise<void> {
  const [location, key, bytes] = process.argv.slice(2);
  const store = new S3Store(parseS3Location('location', location));
  const writer = await store.writer(key);
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let left = Number(bytes); left > 0; left -= chunk.length) await writer.write(chunk.subarray(0, Math.min(left, chunk.length)));
  process.stdout.write('written\n');
  setInterval(() => {}, 1000);
}

void main();
