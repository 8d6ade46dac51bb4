/** A mistake in how a command was called: printed on one line with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  /** `command` is the one whose --help explains it, e.g. "schedule create" (default: the command that ran). */
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
