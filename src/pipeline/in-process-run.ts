import * as fs from 'node:fs';
import { writeCatalogFile } from '../catalog/catalog-file';
import { ingestSources } from '../catalog/sources';
import { writeFileAtomic } from '../runtime/atomic-file';
import { buildManifest } from './build-manifest';
import { RunLayout } from './run-layout';
import { resolveGenerationInput, shardCount, type GenerationInput, type GenerationParams } from '../config/generation-input';
import { runUsersJob } from './users-job';
import { runShardJob, type ShardResult } from './shard-job';

/**
 * The steps of a generation (catalog, users, shards, manifest) run one after the
 * other in this thread, without Temporal: for the bench and for tests of the domain.
 * Production runs go through the generateDataset workflow.
 */
export async function prepareRun(runDir: string, input: GenerationInput): Promise<{ params: GenerationParams; catalogSha256: string }> {
  const params = resolveGenerationInput(input, 'in-process');
  const layout = new RunLayout(runDir);
  fs.mkdirSync(layout.workDir, { recursive: true });
  writeFileAtomic(layout.paramsPath, JSON.stringify(params, null, 2) + '\n');
  const { songs } = await ingestSources(params.catalog, {
    seed: params.seed,
    currentYear: Number(params.to.slice(0, 4)),
    cacheDir: layout.httpCacheDir,
  });
  const catalog = writeCatalogFile(layout.catalogPath, songs);
  runUsersJob({ params, runDir });
  return { params, catalogSha256: catalog.sha256 };
}

export async function runInProcess(runDir: string, input: GenerationInput): Promise<{ params: GenerationParams; parts: ShardResult[] }> {
  const { params, catalogSha256 } = await prepareRun(runDir, input);
  const parts: ShardResult[] = [];
  for (let shard = 0; shard < shardCount(params); shard++) parts.push(await runShardJob({ params, runDir, shard, catalogSha256 }));
  buildManifest(params, runDir);
  return { params, parts };
}
