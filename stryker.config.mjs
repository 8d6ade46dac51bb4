// Stryker over one module of test/mutation/modules.json (MUTATE_MODULE; all when unset): npm run test:mutation.
import { mutationModule } from './test/mutation/mutation-module.mjs';

const module = mutationModule();

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.mutation.config.mts', related: false },
  mutate: module.mutate,
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: `reports/mutation/${module.name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${module.name}.json` },
  concurrency: 1,
  timeoutMS: 5_000,
  ignoreStatic: true,
  tempDirName: `.stryker-tmp/${module.name}`,
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'data', '.temporal', '.catalog-cache', 'test/kafka/libs', '.venv', '.tools'],
  thresholds: { high: 90, low: 80, break: null },
};
