import { defineConfig } from 'vitest/config';

/**
 * Test lanes (npm run test:<lane>; npm test runs them all):
 * unit         no server, no browser, no child process: in-process code, fast
 * integration  real parts without a shared Temporal server: HTTP pages on 127.0.0.1, DuckDB, fastavro, the CLI as a
 *              process (README's snippets start their own dev servers on free ports)
 * workflow     the workflows' orchestration against mocked activities, on a real dev server
 * e2e          workers, CLI and workflows against real dev servers shared by the lane's files
 * replay       committed histories of the released workflows replayed against the current code
 * Logs stay at warn unless LOG_LEVEL says otherwise.
 */
const temporalLane = { globalSetup: ['test/setup/temporal-servers.ts'], setupFiles: ['test/setup/file-namespace.ts'] };

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // the AWS SDK warns once per process that its 2027 releases need Node 22 (docs/storage.md says so)
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // every skip is listed with its reason at the end (and refused where WRAPPED_ETL_TEST_ALLOWED_SKIPS says)
    reporters: ['default', './test/setup/skip-reasons-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], ...temporalLane } },
      {
        extends: true,
        // the e2e lane also provisions the outside readers and the Kafka jars without root (test/setup/test-tools.ts)
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...temporalLane,
          globalSetup: [...temporalLane.globalSetup, 'test/setup/test-tools.ts'],
        },
      },
      { extends: true, test: { name: 'replay', include: ['test/replay/**/*.test.ts'] } },
    ],
  },
});
