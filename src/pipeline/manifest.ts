import * as fs from 'node:fs';
import type * as avro from 'avsc';
import { writeFileAtomic } from '../runtime/atomic-file';
import type { GenerationParams } from '../config/generation-input';
import type { PartFiles } from '../formats/part-formats';

/** A part: its AVRO file, sizes and sha256, and each other format's file under the format's name (e.g. `parquet`). */
export type ManifestPart = PartFiles;

export interface Manifest {
  runId: string;
  schema: avro.Schema;
  params: GenerationParams;
  parts: ManifestPart[];
  totalRecords: number;
}

/** The manifest's bytes as a run or a day writes them. */
export function manifestText(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + '\n';
}

export function writeManifest(filePath: string, manifest: Manifest): void {
  writeFileAtomic(filePath, manifestText(manifest));
}

export function readManifest(filePath: string): Manifest {
  if (!fs.existsSync(filePath)) throw new Error(`no manifest at ${filePath}: the run is not complete, or this is not a run folder`);
  try {
    return JSON.parse(fs.readFileSync(filePath, 'utf8')) as Manifest;
  } catch (err) {
    throw new Error(`${filePath} is not a readable manifest: ${(err as Error).message}`, { cause: err });
  }
}
