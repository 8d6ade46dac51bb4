import { defineConfig } from 'vitest/config';

/**
 * Test lanes (npm run test:<lane>; npm test runs them all):
 * unit         no server, no browser, no child process: in-process code, fast
 * integration  real parts without a shared Temporal server: HTTP pages on 127.0.0.1, DuckDB, fastavro, the CLI as a
 *              process (README's snippets start their own dev servers on free ports)
 * workflow     the workflows' orchestration against mocked activities, on a real dev server
 * e2e          workers, CLI and workflows against real dev servers shared by the lane's files
 * replay       committed histories of the released workflows replayed against the current code
 * integration and e2e run the CLI from dist/: they build it first when a source is newer than its compiled file.
 * Logs stay at error unless LOG_LEVEL says otherwise (the tests refuse inputs on purpose: the SDK's
 * "Activity failed" warnings for them are noise); CLI processes the tests start inherit it.
 */
const temporalLane = { globalSetup: ['test/setup/temporal-servers.ts'], setupFiles: ['test/setup/file-namespace.ts'] };
/** the lanes that run the CLI from dist/ build it first when a source is newer (test/setup/dist-current.ts) */
const distCurrent = 'test/setup/dist-current.ts';
/** set here too, for the global setups, which run in this process (e.g. the Temporal CLI's "using" line) */
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'error';

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 180_000,
    // the AWS SDK warns once per process that its 2027 releases need Node 22 (docs/storage.md says so)
    env: { LOG_LEVEL: process.env.LOG_LEVEL, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // every skip is listed with its reason at the end (and refused where WRAPPED_ETL_TEST_ALLOWED_SKIPS says)
    reporters: ['default', './test/setup/skip-reasons-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'], globalSetup: [distCurrent] } },
      { extends: true, test: { name: 'workflow', include: ['test/workflow/**/*.test.ts'], ...temporalLane } },
      {
        extends: true,
        // the e2e lane also provisions the outside readers and the Kafka jars without root (test/setup/test-tools.ts)
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...temporalLane,
          globalSetup: [distCurrent, ...temporalLane.globalSetup, 'test/setup/test-tools.ts'],
        },
      },
      { extends: true, test: { name: 'replay', include: ['test/replay/**/*.test.ts'] } },
    ],
  },
});
