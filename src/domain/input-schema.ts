/**
 * Building blocks of the input schemas (zod): every input of the project (generation,
 * Wrapped analysis, world, catalog source description) is one zod schema, its types are
 * derived from it, and a failed parse becomes one InputError naming the field.
 */

import { z } from 'zod';
import { InputError } from './errors';

export { z };

/** The value as its JSON, except where JSON would say null or fail: undefined, Infinity, NaN, a bigint. */
export const describeValue = (v: unknown): string =>
  v === undefined || (typeof v === 'number' && !Number.isFinite(v)) || typeof v === 'bigint' ? String(v) : JSON.stringify(v);

/** `message(value)` as zod's error option: every check of a schema built with it says the same. */
export const says = (message: (input: unknown) => string) => ({ error: (issue: { input?: unknown }) => message(issue.input) });

/** A whole number from min to max. */
export function wholeNumber(min: number, max: number) {
  return z
    .number(says((v) => `must be a whole number, got ${describeValue(v)}`))
    .refine(
      Number.isInteger,
      says((v) => `must be a whole number, got ${describeValue(v)}`),
    )
    .refine(
      (v) => v >= min && v <= max,
      says((v) => `must be between ${min} and ${max}, got ${String(v)}`),
    );
}

/** A share from 0 to 1. */
export function share() {
  const problem = says((v) => `must be a number from 0 to 1, got ${describeValue(v)}`);
  return z.number(problem).refine((v) => v >= 0 && v <= 1, problem);
}

/** `schema`, or `fallback` when the field is missing or null. */
export function orDefault<S extends z.ZodType, D>(schema: S, fallback: D) {
  return schema.nullish().transform((v): z.output<S> | D => (v === undefined || v === null ? fallback : (v as z.output<S>)));
}

/** name: weight pairs, weights >= 0, at least one above 0. */
export function weights() {
  return z
    .record(
      z.string(),
      z.number(says((v) => `must be a weight >= 0, got ${describeValue(v)}`)).min(
        0,
        says((v) => `must be a weight >= 0, got ${describeValue(v)}`),
      ),
      says((v) => `must be an object of name: weight, got ${describeValue(v)}`),
    )
    .refine((w) => Object.values(w).some((x) => x > 0), { error: 'needs at least one weight > 0' });
}

/** Where an issue is: its path as written in the input, "axisStrength.loyalty", "catalog[1]". */
function fieldOf(issue: z.core.$ZodIssue, root: string): string {
  const at = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  if (at.length === 0) return root;
  const name = (p: PropertyKey) => (p === '' ? '""' : String(p));
  return at.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? name(p) : `.${name(p)}`)).join('');
}

/**
 * Parses `raw` with `schema`, or throws an InputError for the first problem: an unknown
 * top-level field first (as a reader would look), then the fields in the schema's order.
 */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, root = 'input'): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues.find((i) => i.code === 'unrecognized_keys' && i.path.length === 0) ?? issues[0];
  throw new InputError(fieldOf(first, root), first.message);
}
