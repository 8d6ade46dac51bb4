import { csvKind } from './kinds/csv-kind';
import { describedKind } from './kinds/described-kind';
import { htmlKind } from './kinds/html-kind';
import { syntheticKind } from './kinds/synthetic-kind';
import { SourceError } from './source-error';
import type { SourceKind } from './source-kind';

/** The catalog source kinds by name: a new kind is one file in kinds/ and one line here. */
export const SOURCE_KINDS = {
  csv: csvKind,
  html: htmlKind,
  source: describedKind,
  synthetic: syntheticKind,
} as const satisfies Record<string, SourceKind>;

export type SourceKindName = keyof typeof SOURCE_KINDS;

/** "csv:PATH, html:URL, source:PATH.json, synthetic:N" */
export const SOURCE_SPEC_FORMS = Object.entries(SOURCE_KINDS).map(([name, kind]) => `${name}:${kind.argument}`);

function kindName(spec: string): string {
  const idx = spec.indexOf(':');
  return idx < 0 ? spec : spec.slice(0, idx);
}

/** The kind a spec names, or undefined for an unknown one. */
export function sourceKindOf(spec: string): SourceKind | undefined {
  const name = kindName(spec);
  return Object.hasOwn(SOURCE_KINDS, name) ? SOURCE_KINDS[name as SourceKindName] : undefined;
}

export function parseSourceSpec(spec: string): { kind: SourceKindName; arg: string } {
  const idx = spec.indexOf(':');
  const name = kindName(spec);
  const arg = idx < 0 ? '' : spec.slice(idx + 1);
  const kind = sourceKindOf(spec);
  if (!kind) throw new SourceError(spec, `unknown catalog source kind "${name}"; use one of ${SOURCE_SPEC_FORMS.join(', ')}`);
  if (kind.needs !== undefined && arg.trim() === '') throw new SourceError(spec, `${name}: needs ${kind.needs} after the colon`);
  const problem = arg === '' ? undefined : kind.argumentProblem?.(arg);
  if (problem !== undefined) throw new SourceError(spec, problem);
  return { kind: name as SourceKindName, arg };
}
