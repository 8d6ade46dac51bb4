import { defineConfig } from 'vitest/config';
// @ts-expect-error a plain .mjs module shared with stryker.config.mjs
import { mutationModule } from './mutation-module.mjs';

/** The tests of one mutation module (MUTATE_MODULE), for Stryker's vitest runner. */
export default defineConfig({
  test: {
    include: (mutationModule() as { tests: string[] }).tests,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { LOG_LEVEL: 'silent' },
  },
});
