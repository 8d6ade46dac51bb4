/* global process, console */
// npm run test:mutation [-- MODULE...]: Stryker over each module of modules.mjs in turn (all when none is named),
// incremental (reports/mutation/MODULE.incremental.json), one Stryker process at a time; prints the score per module.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { MUTATION_MODULES } from './mutation-module.mjs';

const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(MUTATION_MODULES);
const scores = [];
for (const name of names) {
  if (!MUTATION_MODULES[name]) throw new Error(`no mutation module ${name}; modules: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE_MODULE: name },
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const report = JSON.parse(fs.readFileSync(`reports/mutation/${name}.json`, 'utf8'));
  const counts = {};
  for (const file of Object.values(report.files)) for (const m of file.mutants) counts[m.status] = (counts[m.status] ?? 0) + 1;
  const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = detected + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  scores.push({ module: name, score: valid ? ((100 * detected) / valid).toFixed(1) + '%' : 'n/a', ...counts });
}
console.table(scores);
