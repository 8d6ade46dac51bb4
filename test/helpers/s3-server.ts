import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startS3Server, type S3Server } from './s3-server-process';
import { ensureSeaweedfs } from './test-tools';

export type { S3Server } from './s3-server-process';

/**
 * The S3 server of a test file, set up in the calling describe: each test skips with the printed reason when
 * SeaweedFS cannot be built here (Go missing); before all, the server starts with `buckets` created; after all,
 * it stops. `ready` runs once the buckets exist (e.g. to set the environment); read `server` inside tests.
 */
export function useS3Server(buckets: string[], ready?: (server: S3Server) => void | Promise<void>): { readonly server: S3Server } {
  const missing = ensureSeaweedfs();
  let server: S3Server | undefined;
  beforeEach((ctx) => {
    if (missing) ctx.skip(missing);
  });
  beforeAll(async () => {
    if (missing) return;
    server = await startS3Server();
    for (const bucket of buckets) await server.createBucket(bucket);
    await ready?.(server);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server(): S3Server {
      if (!server) throw new Error('the S3 test server is not running (read it inside a test or hook)');
      return server;
    },
  };
}
