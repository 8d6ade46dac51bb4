import { defineConfig } from 'vitest/config';

/**
 * Test lanes (npm run test:<lane>; npm test runs them all):
 * unit         no server, no browser, no child process: in-process code, fast
 * integration  real parts without Temporal: HTTP pages on 127.0.0.1, DuckDB, fastavro, the CLI as a process
 * workflow     the workflows' orchestration against mocked activities, on a real dev server
 * e2e          workers, CLI and workflows against real dev servers shared by the lane's files
 * replay       committed histories of the released workflows replayed against the current code
 * integration and e2e run the CLI from dist/: they build it first when a source is newer than its compiled file.
 * Logs stay at warn unless LOG_LEVEL says otherwise. A test skipped for a reason (ctx.skip(reason)) is listed
 * with it after the summary.
 */
const temporalLane = { globalSetup: ['test/setup/temporal-servers.ts'], setupFiles: ['test/setup/file-namespace.ts'] };
/** the lanes that run the CLI from dist/ build it first when a source is newer (test/setup/dist-current.ts) */
const distCurrent = 'test/setup/dist-current.ts';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/setup/skip-reasons-reporter.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: [distCurrent] } },
      { extends: true, test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], ...temporalLane } },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...temporalLane, globalSetup: [distCurrent, ...temporalLane.globalSetup] },
      },
      { extends: true, test: { name: 'replay', include: ['test/replay/**/*.test.ts'] } },
    ],
  },
});
