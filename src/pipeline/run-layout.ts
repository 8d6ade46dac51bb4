import * as path from 'node:path';

/** Where everything of one generation lives: <out>/<runId>/... */
export class RunLayout {
  constructor(readonly runDir: string) {}

  static partName(shard: number, ext = 'avro'): string {
    return `part-${String(shard).padStart(5, '0')}.${ext}`;
  }

  get manifestPath(): string {
    return path.join(this.runDir, 'manifest.json');
  }

  /** checkpoints and intermediate files; Spark/Hive skip names starting with '_' */
  get workDir(): string {
    return path.join(this.runDir, '_work');
  }

  get paramsPath(): string {
    return path.join(this.workDir, 'params.json');
  }

  get catalogPath(): string {
    return path.join(this.workDir, 'catalog.avro');
  }

  get catalogReportPath(): string {
    return path.join(this.workDir, 'catalog-report.json');
  }

  get httpCacheDir(): string {
    return path.join(this.workDir, 'http-cache');
  }

  get usersPath(): string {
    return path.join(this.workDir, 'users.jsonl');
  }

  get usersOffsetsPath(): string {
    return path.join(this.workDir, 'users.offsets');
  }

  partPath(shard: number, ext = 'avro'): string {
    return path.join(this.runDir, RunLayout.partName(shard, ext));
  }

  /** the shard's checkpoint: what its part file must hash to */
  partCheckpointPath(shard: number): string {
    return path.join(this.workDir, 'parts', `${RunLayout.partName(shard, 'json')}`);
  }
}
