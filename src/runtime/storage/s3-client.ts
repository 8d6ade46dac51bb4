import { S3Client } from '@aws-sdk/client-s3';

/** set to 1 (or true) for servers that take path-style addresses (http://host/bucket/key): SeaweedFS, MinIO, Ceph */
const S3_PATH_STYLE_ENV = 'WRAPPED_ETL_S3_PATH_STYLE';

/** What the worker's environment says about the S3 endpoint; credentials come from the SDK's default chain. */
export interface S3ClientSettings {
  /** AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL; undefined for AWS S3 itself */
  endpoint: string | undefined;
  /** AWS_REGION, else AWS_DEFAULT_REGION; us-east-1 for a custom endpoint without either; else the SDK's own lookup */
  region: string | undefined;
  forcePathStyle: boolean;
}

/**
 * The endpoint, region and addressing style from the worker's environment, never from a workflow's input:
 * whoever starts a run names a bucket, not a server to connect to.
 */
export function s3ClientSettings(env: NodeJS.ProcessEnv = process.env): S3ClientSettings {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (endpoint ? 'us-east-1' : undefined);
  const pathStyle = (env[S3_PATH_STYLE_ENV] ?? '').toLowerCase();
  return { endpoint, region, forcePathStyle: pathStyle === '1' || pathStyle === 'true' };
}

const clients = new Map<string, S3Client>();

/** One client (and so one pool of connections) per process and settings. */
export function s3Client(settings: S3ClientSettings = s3ClientSettings()): S3Client {
  const id = JSON.stringify(settings);
  let client = clients.get(id);
  if (client === undefined) {
    client = new S3Client({
      ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
      ...(settings.region !== undefined && { region: settings.region }),
      forcePathStyle: settings.forcePathStyle,
    });
    clients.set(id, client);
  }
  return client;
}
