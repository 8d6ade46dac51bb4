import * as path from 'node:path';
import { checkOutputPlace } from '../runtime/output-place';
import { confineUnderRoot } from '../runtime/data-root';
import { parseInput, says, z } from '../domain/input-schema';
import { InputError } from '../domain/errors';
import { confineS3Location, isS3Location, parseS3Location, s3LocationText, s3Within } from '../runtime/storage/s3-location';

const folder = (what: string) => {
  const problem = says((v) => `must be ${what}, got ${JSON.stringify(v)}`);
  return z.string(problem).refine((v) => v.trim() !== '', problem);
};
const WRAPPED_FIELDS = {
  /** the run folder (with its manifest) under the worker's data root, or s3://bucket/prefix/RUN under its WRAPPED_ETL_S3_ALLOW */
  run: folder('the run folder or s3://bucket/prefix/RUN'),
  /** where the Wrapped files go: a folder under the data root or s3://bucket/prefix; default <run>/wrapped, for a run in a bucket <run>-wrapped beside it */
  out: folder('a folder path or s3://bucket/prefix').optional(),
  /** the user of the report's card; default the first user */
  user: z
    .number(says((v) => `must be a user id (a whole number >= 1), got ${JSON.stringify(v)}`))
    .refine(
      (v) => Number.isInteger(v) && v >= 1,
      says((v) => `must be a user id (a whole number >= 1), got ${JSON.stringify(v)}`),
    )
    .nullish()
    .transform((v) => v ?? null),
  /** parts analysed at once (default 4) */
  parallelism: z
    .number(says((v) => `must be a whole number from 1 to 1000, got ${JSON.stringify(v)}`))
    .refine(
      (v) => Number.isInteger(v) && v >= 1 && v <= 1000,
      says((v) => `must be a whole number from 1 to 1000, got ${JSON.stringify(v)}`),
    )
    .nullish()
    .transform((v) => v ?? 4),
};

/** The input of the analyzeDataset workflow (and of `wrapped-etl wrapped`). */
const wrappedInputSchema = z.strictObject(WRAPPED_FIELDS, {
  error: (issue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field; known fields: ${Object.keys(WRAPPED_FIELDS).join(', ')}`
      : `must be a JSON object like {"run": "data/my-run"}, got ${JSON.stringify(issue.input)}`,
});
export type WrappedInput = z.input<typeof wrappedInputSchema>;

export interface WrappedParams {
  /** the run: its folder, or s3://bucket/prefix/RUN */
  runDir: string;
  /** where the Wrapped goes: a folder, or s3://bucket/prefix */
  outDir: string;
  user: number | null;
  parallelism: number;
}

/** The run's place as the worker may use it: a real path under the data root, or a location under WRAPPED_ETL_S3_ALLOW. */
function runPlace(root: string, run: string): string {
  return isS3Location(run) ? s3LocationText(confineS3Location('run', run)) : confineUnderRoot(root, 'run', run);
}

/**
 * Where the Wrapped of `runDir` goes. A folder run: its folder's wrapped/ by default, or a folder outside any
 * run or world, or a bucket. A run in a bucket: beside it (<run>-wrapped) by default, or a folder, or any
 * allowed place in a bucket but the run's own prefix (an output there could overwrite its objects).
 */
function outPlace(root: string, runDir: string, out: string | undefined): string {
  if (out !== undefined && isS3Location(out)) {
    const loc = confineS3Location('out', out);
    if (isS3Location(runDir) && s3Within(parseS3Location('run', runDir), loc))
      throw new InputError(
        'out',
        `"${out}" is inside the run ${runDir}: an output there could overwrite its objects; write it beside the run or elsewhere`,
      );
    return s3LocationText(loc);
  }
  if (isS3Location(runDir)) {
    if (out !== undefined) {
      const outDir = confineUnderRoot(root, 'out', out);
      checkOutputPlace('out', outDir);
      return outDir;
    }
    if (parseS3Location('run', runDir).prefix === '')
      throw new InputError('out', `the run is a whole bucket (${runDir}): say where the Wrapped goes`);
    return s3LocationText(confineS3Location('out', `${runDir}-wrapped`));
  }
  const own = path.join(runDir, 'wrapped');
  const outDir = out === undefined ? own : confineUnderRoot(root, 'out', out);
  checkOutputPlace('out', outDir, { own });
  return outDir;
}

/** Validates the input; folders resolve under the data root and may not escape it, buckets must be allowed. */
export function resolveWrappedInput(raw: unknown, root: string): WrappedParams {
  const { run, out, user, parallelism } = parseInput(wrappedInputSchema, raw);
  const runDir = runPlace(root, run);
  return { runDir, outDir: outPlace(root, runDir, out), user, parallelism };
}
