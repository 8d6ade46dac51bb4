import type { GenerationParams } from '../src/config/generation-input';

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

export interface PruneRequest {
  /** the generation just written, kept whatever its age */
  runDir: string;
  schedule: string;
  /** ISO time of the run that prunes; older ones count back from it */
  scheduledAt: string;
  keepDays: number;
}
