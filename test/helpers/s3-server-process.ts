import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../bench/free-port';
import { spawnServer } from './server-process';
import { weedPath } from './test-tools';
import { makeTmpDir } from './tmp-dir';

const START_TIMEOUT_MS = 60_000;
const ACCESS_KEY = 'wrapped-etl-test';
const SECRET_KEY = 'wrapped-etl-test-secret';

export interface S3Server {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** the environment a worker needs to reach it (endpoint, region, path style, credentials) */
  env: Record<string, string>;
  /** a client with the server's credentials, for tests that look into the bucket */
  client: S3Client;
  createBucket: (name: string) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * A real S3-compatible server (SeaweedFS `weed mini`: master, volume, filer and S3 gateway in one process) on
 * free loopback ports with a fresh data folder; resolves once a signed ListBuckets answers. stop() ends its
 * process group and removes the folder.
 */
export async function startS3Server(): Promise<S3Server> {
  const weed = weedPath();
  if (!fs.existsSync(weed)) {
    throw new Error(`the SeaweedFS test server is missing (${weed}); ensureSeaweedfs() builds it (test/s3/build-seaweedfs.sh)`);
  }
  const tmp = makeTmpDir('wrapped-etl-s3-');
  const config = path.join(tmp.dir, 's3.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      identities: [
        {
          name: 'test',
          credentials: [{ accessKey: ACCESS_KEY, secretKey: SECRET_KEY }],
          actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'],
        },
      ],
    }),
  );
  const dataDir = path.join(tmp.dir, 'data');
  fs.mkdirSync(dataDir);
  // every listener on a port the OS just gave out: the gRPC ports too, which would otherwise be HTTP port + 10000
  const [s3Port, masterPort, volumePort, filerPort, adminPort, ...grpc] = await freePorts(10);
  const logFile = path.join(tmp.dir, 'weed.log');
  const { child, stop: stopProcess } = spawnServer(
    weed,
    [
      'mini',
      `-dir=${dataDir}`,
      '-ip=127.0.0.1',
      '-ip.bind=127.0.0.1',
      `-s3.port=${s3Port}`,
      `-master.port=${masterPort}`,
      `-volume.port=${volumePort}`,
      `-filer.port=${filerPort}`,
      `-s3.port.grpc=${grpc[0]}`,
      `-master.port.grpc=${grpc[1]}`,
      `-volume.port.grpc=${grpc[2]}`,
      `-filer.port.grpc=${grpc[3]}`,
      `-admin.port.grpc=${grpc[4]}`,
      `-s3.config=${config}`,
      '-webdav=false',
      '-admin.ui=false',
      `-admin.port=${adminPort}`,
      '-admin.port.legacy=0',
      '-s3.port.iceberg=0',
      '-s3.port.lance=0',
      '-master.telemetry=false',
    ],
    logFile,
  );

  const endpoint = `http://127.0.0.1:${s3Port}`;
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    WRAPPED_ETL_S3_PATH_STYLE: '1',
  };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  const stop = async (): Promise<void> => {
    client.destroy();
    await stopProcess(10_000);
    tmp.cleanup();
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await client.send(new ListBucketsCommand({}));
      break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const text = fs.readFileSync(logFile, 'utf8');
        await stop().catch(() => {});
        throw new Error(
          `the SeaweedFS test server did not start (${child.exitCode !== null ? `exit ${child.exitCode}` : `timeout; last: ${(err as Error).message}`}); its log:\n${text.slice(-4000)}`,
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const createBucket = async (name: string) => {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  };
  return { endpoint, env, client, createBucket, stop };
}

/** `n` distinct free loopback ports */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}
