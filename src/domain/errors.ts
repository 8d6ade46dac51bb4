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
