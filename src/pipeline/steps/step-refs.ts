import type { GenerationParams } from '../../config/generation-input';

/** Payloads between the workflow and its activities: small, files travel by path. */
export interface RunRef {
  params: GenerationParams;
  runDir: string;
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
  manifest: string;
  totalRecords: number;
  parts: number;
  bytes: number;
}
