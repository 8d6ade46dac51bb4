import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists every skipped test with the reason it gave (ctx.skip(reason)) at the end of the run. With
 * WRAPPED_ETL_TEST_ALLOWED_SKIPS set (comma-separated parts of test names; empty: none), a skip that matches none
 * of them fails the run: CI allows none when everything is installed, and only named ones on a fresh machine.
 */
export default class SkipReasonsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skips: { name: string; note: string }[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        // a skip with a reason is a test that could not run here; one without is a name filter (-t) or it.skip
        if (result.state !== 'skipped' || result.note === undefined) continue;
        skips.push({ name: `${mod.moduleId.replace(/^.*\/test\//, 'test/')} > ${test.fullName}`, note: result.note });
      }
    }
    for (const s of skips) console.log(`skipped: ${s.name}: ${s.note}`);
    const allowed = process.env.WRAPPED_ETL_TEST_ALLOWED_SKIPS;
    if (allowed === undefined) return;
    const names = allowed
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const unexpected = skips.filter((s) => !names.some((n) => s.name.includes(n)));
    for (const s of unexpected) console.log(`skip not allowed here (WRAPPED_ETL_TEST_ALLOWED_SKIPS): ${s.name}`);
    if (unexpected.length > 0) process.exitCode = 1;
  }
}
