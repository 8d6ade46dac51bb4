import * as path from 'node:path';
import { checkOutputPlace } from '../runtime/output-place';
import { confineUnderRoot } from '../runtime/data-root';
import { parseInput, says, z } from '../domain/input-schema';

const folder = (what: string) => {
  const problem = says((v) => `must be ${what}, got ${JSON.stringify(v)}`);
  return z.string(problem).refine((v) => v.trim() !== '', problem);
};
const WRAPPED_FIELDS = {
  /** the run folder (with its manifest), under the worker's data root */
  run: folder('the run folder'),
  /** where the Wrapped files go, under the data root; default <run>/wrapped */
  out: folder('a folder path').optional(),
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
  runDir: string;
  outDir: string;
  user: number | null;
  parallelism: number;
}

/** Validates the input; paths resolve under the data root and may not escape it. */
export function resolveWrappedInput(raw: unknown, root: string): WrappedParams {
  const { run, out, user, parallelism } = parseInput(wrappedInputSchema, raw);
  const runDir = confineUnderRoot(root, 'run', run);
  const own = path.join(runDir, 'wrapped');
  const outDir = out === undefined ? own : confineUnderRoot(root, 'out', out);
  checkOutputPlace('out', outDir, { own });
  return { runDir, outDir, user, parallelism };
}
