/* global process, URL */
import * as fs from 'node:fs';

/** The modules that carry the project's promises (modules.json), each with the unit tests that guard it. */
export const MUTATION_MODULES = JSON.parse(fs.readFileSync(new URL('./modules.json', import.meta.url), 'utf8'));

/** The module MUTATE_MODULE names; all of them together when it names none. */
export function mutationModule(name = process.env.MUTATE_MODULE) {
  if (!name) {
    const all = Object.values(MUTATION_MODULES);
    return { name: 'all', mutate: all.flatMap((m) => m.mutate), tests: [...new Set(all.flatMap((m) => m.tests))] };
  }
  const found = MUTATION_MODULES[name];
  if (!found) throw new Error(`MUTATE_MODULE must be one of ${Object.keys(MUTATION_MODULES).join(', ')} (got ${name})`);
  return { name, ...found };
}
