import * as fs from 'node:fs';
import * as v8 from 'node:v8';
import { sha256Of, writeFileAtomic } from '../../runtime/atomic-file';
import { threadJob } from '../../runtime/thread-job';
import { loadPartCodec, partColumns, readVerifiedPart, type PartRef } from '../../dataset/part-ref';
import { analyzePart, WRAPPED_FIELDS, type PartAnalysis } from './analyze-part';
import { createPersonalityInference } from './personality-inference';

export interface WrappedPartJob {
  runDir: string;
  /** the AVRO part as its manifest records it, and its name there */
  ref: PartRef;
  part: string;
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
export const wrappedPartThreadJob = threadJob<WrappedPartJob, number, WrappedPartJobResult>(__filename, runWrappedPartJob);

/**
 * A partial on disk: a first line {"format","sourceSha256","sha256"} (the part's sha256 it was
 * computed from, and the sha256 of the rest), then the analysis in V8's serialisation, which
 * carries the numbered tallies' typed arrays as bytes. The hash is of the bytes as written, so
 * checking it costs no second serialisation. A partial of another format is analysed again.
 */
interface PartialHeader {
  format: number;
  sourceSha256: string;
  sha256: string;
}

const PARTIAL_FORMAT = 2;

/** The analysis a partial holds, if it is intact (its content hashes as recorded) and of this format; undefined otherwise. */
export function readPartial(file: string): (PartAnalysis & { sourceSha256: string }) | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) return undefined;
  try {
    const header = JSON.parse(bytes.toString('utf8', 0, newline)) as PartialHeader;
    const body = bytes.subarray(newline + 1);
    if (header?.format !== PARTIAL_FORMAT || typeof header.sourceSha256 !== 'string' || header.sha256 !== sha256Of(body)) return undefined;
    return { ...(v8.deserialize(body) as PartAnalysis), sourceSha256: header.sourceSha256 };
  } catch {
    return undefined;
  }
}

/** Writes a part's analysis with the sha256 of the part it came from and of its own content. */
export function writePartial(file: string, sourceSha256: string, analysis: PartAnalysis): void {
  const body = v8.serialize(analysis);
  const header: PartialHeader = { format: PARTIAL_FORMAT, sourceSha256, sha256: sha256Of(body) };
  writeFileAtomic(file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]));
}

/**
 * Analyses one part into its partial file, unless an intact partial of the same part bytes
 * exists. The part is verified against its manifest entry either way (DamagedPart), so a
 * damaged part fails the Wrapped even where an earlier analysis of it could be reused.
 */
export async function runWrappedPartJob(
  job: WrappedPartJob,
  onProgress: (records: number) => void = () => {},
): Promise<WrappedPartJobResult> {
  const bytes = await readVerifiedPart(job.ref);
  const previous = fs.existsSync(job.partialPath) ? readPartial(job.partialPath) : undefined;
  if (previous?.sourceSha256 === job.ref.sha256) return { users: previous.users.length, records: previous.records, reused: true };
  const infer = await createPersonalityInference(job.runDir);
  await loadPartCodec(bytes, job.ref);
  const analysis = analyzePart(partColumns(bytes, job.ref, WRAPPED_FIELDS), job.part, infer, onProgress);
  writePartial(job.partialPath, job.ref.sha256, analysis);
  return { users: analysis.users.length, records: analysis.records, reused: false };
}
