import * as fs from 'node:fs';
import { writeFileAtomic } from '../../runtime/atomic-file';
import { threadJob } from '../../runtime/thread-job';
import { analyzePart, type PartAnalysis } from './analyze-part';
import { createPersonalityInference } from './personality-inference';

export interface WrappedPartJob {
  runDir: string;
  /** the AVRO part, its name in the manifest and its sha256 there */
  file: string;
  part: string;
  sha256: string;
  /** where the part's analysis goes (JSON) */
  partialPath: string;
}

export interface WrappedPartJobResult {
  users: number;
  records: number;
  /** true when a partial of the same part (same sha256) was there already */
  reused: boolean;
}

/** One part's analysis in a pool thread (ThreadPool.run(wrappedPartThreadJob, ...)); progress is records read. */
export const wrappedPartThreadJob = threadJob<WrappedPartJob, number, WrappedPartJobResult>(__filename, 'runWrappedPartJob');

export type StoredPartAnalysis = PartAnalysis & { sourceSha256: string };

/** Analyses one part into its partial file, unless a partial of the same part bytes exists. */
export async function runWrappedPartJob(job: WrappedPartJob, onProgress: (records: number) => void = () => {}): Promise<WrappedPartJobResult> {
  if (fs.existsSync(job.partialPath)) {
    const previous = JSON.parse(fs.readFileSync(job.partialPath, 'utf8')) as StoredPartAnalysis;
    if (previous.sourceSha256 === job.sha256) return { users: previous.users.length, records: previous.records, reused: true };
  }
  const infer = await createPersonalityInference(job.runDir);
  const analysis = await analyzePart(job.file, job.part, infer, onProgress);
  writeFileAtomic(job.partialPath, JSON.stringify({ sourceSha256: job.sha256, ...analysis } satisfies StoredPartAnalysis));
  return { users: analysis.users.length, records: analysis.records, reused: false };
}
