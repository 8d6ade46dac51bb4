/** Where a lane's shared dev servers listen (test/setup/temporal-servers.ts starts them). */
export interface SharedTemporal {
  plain: string;
  /** a server whose histories suggest continue-as-new after SUGGEST_CONTINUE_AS_NEW_AT events */
  forced: string;
}

export const SUGGEST_CONTINUE_AS_NEW_AT = 40;

/** The namespace of a test file on the shared servers: its path, e.g. test-e2e-durability-crash. */
export function namespaceOf(testFile: string): string {
  return testFile.replace(/\.test\.ts$/, '').replace(/[^A-Za-z0-9]+/g, '-');
}
