import * as path from 'node:path';
import { confineUnderRoot } from '../runtime/data-root';
import { InputError } from '../domain/errors';

/** The input of the analyzeDataset workflow (and of `wrapped-etl wrapped`). */
export interface WrappedInput {
  /** the run folder (with manifest.json), under the worker's data root */
  run: string;
  /** where the Wrapped files go, under the data root; default <run>/wrapped */
  out?: string;
  /** the user of the report's card; default the first user */
  user?: number;
  /** parts analysed at once (default 4) */
  parallelism?: number;
}

export interface WrappedParams {
  runDir: string;
  outDir: string;
  user: number | null;
  parallelism: number;
}

const KNOWN = ['run', 'out', 'user', 'parallelism'];

/** Validates the input; paths resolve under the data root and may not escape it. */
export function resolveWrappedInput(raw: unknown, root: string): WrappedParams {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InputError('input', `must be a JSON object like {"run": "data/my-run"}, got ${JSON.stringify(raw)}`);
  }
  const input = raw as Record<string, unknown>;
  const unknown = Object.keys(input).find((k) => !KNOWN.includes(k));
  if (unknown) throw new InputError(unknown, `unknown field; known fields: ${KNOWN.join(', ')}`);
  if (typeof input.run !== 'string' || input.run.trim() === '') throw new InputError('run', `must be the run folder, got ${JSON.stringify(input.run)}`);
  if (input.out !== undefined && (typeof input.out !== 'string' || input.out.trim() === '')) {
    throw new InputError('out', `must be a folder path, got ${JSON.stringify(input.out)}`);
  }
  const user = input.user ?? null;
  if (user !== null && (typeof user !== 'number' || !Number.isInteger(user) || user < 1)) {
    throw new InputError('user', `must be a user id (a whole number >= 1), got ${JSON.stringify(user)}`);
  }
  const parallelism = input.parallelism ?? 4;
  if (typeof parallelism !== 'number' || !Number.isInteger(parallelism) || parallelism < 1 || parallelism > 1000) {
    throw new InputError('parallelism', `must be a whole number from 1 to 1000, got ${JSON.stringify(parallelism)}`);
  }
  const runDir = confineUnderRoot(root, 'run', input.run);
  const outDir = input.out === undefined ? path.join(runDir, 'wrapped') : confineUnderRoot(root, 'out', input.out);
  return { runDir, outDir, user, parallelism };
}
