import type { Reporter, TestModule } from 'vitest/node';

/**
 * One line per test skipped for a reason (`ctx.skip(reason)`), after the run's summary, so a skip never
 * passes unseen. Tests filtered out by -t or a project carry no reason and are not listed.
 */
export default class SkipReasonsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        const note = result.state === 'skipped' ? result.note : undefined;
        if (note) lines.push(`SKIPPED ${module.moduleId.replace(process.cwd() + '/', '')} > ${test.fullName}: ${note}`);
      }
    }
    if (lines.length) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
