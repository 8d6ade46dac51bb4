/** Input that no attempt can accept: names the field and says what was wrong. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`invalid input: ${field}: ${problem}`);
    this.name = 'InputError';
  }
}
