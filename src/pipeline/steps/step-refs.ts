import type { GenerationParams } from '../../config/generation-input';

/** Payloads between the workflow and its activities: small, files travel by path. */
export interface RunRef {
  params: GenerationParams;
  /** the folder the steps write (a staging folder when the run goes to a bucket) */
  runDir: string;
  /** the run's s3://bucket/prefix/runId when it goes to a bucket (see RunPlace) */
  location?: string;
}

export interface CatalogRef {
  path: string;
  songs: number;
  sha256: string;
}

export interface UsersRef {
  path: string;
  users: number;
}

export interface ShardRef extends RunRef {
  shard: number;
  catalogSha256: string;
}

export interface ShardOutcome {
  shard: number;
  records: number;
  bytes: number;
  /** true when a valid part file from an earlier attempt was kept */
  reused: boolean;
}

export interface ManifestRef {
  /** the manifest's path, or its s3:// URL */
  manifest: string;
  totalRecords: number;
  parts: number;
  bytes: number;
}
