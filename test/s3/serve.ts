/**
 * The SeaweedFS test server for measurements by hand (`npm run bench -- --whole --out s3://...`): starts it on
 * free loopback ports with bucket BUCKET, prints the environment a worker needs to use it, and runs until
 * interrupted (its data folder is removed then). Not a test:
 *   npx tsx test/s3/serve.ts [BUCKET=bench] > s3.env &   # then: set -a; . ./s3.env; set +a
 */
import { startS3Server } from '../helpers/s3-server-process';
import { ensureSeaweedfs } from '../helpers/test-tools';

async function main(): Promise<void> {
  const bucket = process.argv[2] ?? 'bench';
  const missing = ensureSeaweedfs();
  if (missing) throw new Error(missing);
  const server = await startS3Server();
  await server.createBucket(bucket);
  for (const [k, v] of Object.entries({ ...server.env, WRAPPED_ETL_S3_ALLOW: bucket })) process.stdout.write(`${k}=${v}\n`);
  process.stderr.write(`SeaweedFS at ${server.endpoint}, bucket ${bucket}; Ctrl-C (or SIGTERM) stops it\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
