import * as path from 'node:path';
import * as avro from 'avsc';
import { readContainer } from '../../src/formats/avro/read-container';
import { readManifest, type Manifest } from '../../src/pipeline/manifest';
import { RunLayout } from '../../src/pipeline/run-layout';
import type { ListeningRecord } from '../../src/domain/listening-record';

export { sha256File as sha256 } from '../../src/runtime/atomic-file';

/** Reads a run folder back: the manifest, and every record of every part (checked by the caller). */
export async function readRun(runDir: string): Promise<{ manifest: Manifest; records: ListeningRecord[]; perPart: number[] }> {
  const manifest = readManifest(new RunLayout(runDir).manifestPath);
  const records: ListeningRecord[] = [];
  const perPart: number[] = [];
  for (const part of manifest.parts) {
    let n = 0;
    for await (const r of readContainer<ListeningRecord>(path.join(runDir, part.file))) {
      records.push(r);
      n++;
    }
    perPart.push(n);
  }
  return { manifest, records, perPart };
}

export function schemaTypeOf(manifest: Manifest): avro.Type {
  return avro.Type.forSchema(manifest.schema);
}
