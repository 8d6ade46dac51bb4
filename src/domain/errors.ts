/** Bad input from a user (CLI flags, Web UI JSON, schedule): names the field and what was wrong with it. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid input: ${field}: ${problem}`);
    this.name = 'InputError';
  }
}

/**
 * A file of a run or world that is there but does not check (unparsable, or not the bytes its
 * checkpoint recorded): no retry helps, so it fails at once naming the file, what is wrong and
 * how to repair it. Recognised by name across pool threads (their errors arrive as text).
 */
export class DamagedFile extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly repair: string,
  ) {
    super(`${file} is damaged: ${problem}; ${repair}`);
    this.name = 'DamagedFile';
  }
}
